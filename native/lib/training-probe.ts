// One MagiCapture training step on explicitly given inputs: its loss terms and the gradients of their total,
// without an optimizer update. Diagnostics for the golden test against the Python reference
// (test/golden/golden_training_step.py) and for experiments; not for the UI.
import { addon, type NativeTensor } from './addon.js';
import type { Engine } from './engine.js';
import { badArgument, describe, fromNative } from './errors.js';
import { type TrainImageInput, type TrainOptions, trainingRequest } from './training.js';

export interface TrainingProbeItem {
  phase: 1 | 2;
  /** Progress through the phase in [0, 1]: λ_style applies below 0.5. */
  progress: number;
  task: 'instance' | 'style' | 'composed';
  /** The source image (instance: the training image; composed: the identity target). */
  source?: number;
  /** The reference image (style and composed: the training image). */
  reference?: number;
  /** The item's cached latent z0 [1, 4, h, w] (a VAE posterior sample times the scaling factor). */
  latent: NativeTensor;
  noise: NativeTensor;
  t: number;
  tId?: number;
  prompt: string;
  /** Phase 2: every adapter's down then up, flattened, in the official order (UNet first). */
  adapterWeights?: NativeTensor;
}

export interface TrainingProbeResult {
  promptIds: number[];
  losses: Record<string, number>;
  /** [2, hidden]: the placeholder rows the step used (the trainer's initial rows). */
  rows: NativeTensor;
  /** Gradients of the total loss: rows [2, hidden]; adapters flat, in the layout of adapterWeights. */
  grads: { rows: NativeTensor; adapters?: NativeTensor };
}

export type TrainingProbeOptions = Pick<
  TrainOptions,
  'identityToken' | 'styleToken' | 'initializerToken' | 'config' | 'arcfacePath'
>;

export function probeTrainingStep(
  engine: Engine,
  sources: TrainImageInput[],
  references: TrainImageInput[],
  item: TrainingProbeItem,
  options: TrainingProbeOptions = {},
): TrainingProbeResult {
  if (item.phase !== 1 && item.phase !== 2) throw badArgument(`expected phase 1 or 2, received ${describe(item.phase)}`);
  if (!(item.progress >= 0 && item.progress <= 1)) {
    throw badArgument(`expected progress from 0 to 1, received ${describe(item.progress)}`);
  }
  const request = trainingRequest(engine, sources, references, options);
  const promptIds = engine.tokenizer.encode(item.prompt);
  const run = addon()['trainingProbe'] as (handle: unknown, request: object) => Omit<TrainingProbeResult, 'promptIds'>;
  try {
    return { promptIds, ...run(engine.nativeHandle, { ...request, ...item, prompt: promptIds }) };
  } catch (error) {
    throw fromNative(error);
  }
}
