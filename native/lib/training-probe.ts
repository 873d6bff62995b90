// One MagiCapture training step on explicitly given inputs: its loss terms and the gradients of their total,
// without an optimizer update. Diagnostics for the golden test against the Python reference
// (test/golden/golden_training_step.py) and for experiments; not for the UI.
import { addon, type NativeTensor } from './addon.js';
import type { Engine } from './engine.js';
import { badArgument, describe, fromNative } from './errors.js';
import { type TrainImageInput, type TrainOptions, trainingRequest } from './training.js';

export interface TrainingProbeItem {
  phase: 1 | 2;
  /** Steps already done in the phase (as in a run: decides λ_style and the learning rates). */
  phaseStep: number;
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
  /** Also apply the update: clip (phase 2), AdamW from fresh moments, TI norm decay (phase 1). */
  update?: boolean;
}

export interface TrainingProbeResult {
  promptIds: number[];
  losses: Record<string, number>;
  /** [2, hidden]: the placeholder rows the step used (the trainer's initial rows). */
  rows: NativeTensor;
  /** Gradients of the total loss: rows [2, hidden]; adapters flat, in the layout of adapterWeights. */
  grads: { rows: NativeTensor; adapters?: NativeTensor };
  /** With update: the rows and adapters after it. */
  after?: { rows: NativeTensor; adapters?: NativeTensor };
}

export type TrainingProbeOptions = Pick<
  TrainOptions,
  'identityToken' | 'styleToken' | 'initializerToken' | 'config' | 'arcfacePath'
>;

export async function probeTrainingStep(
  engine: Engine,
  sources: TrainImageInput[],
  references: TrainImageInput[],
  item: TrainingProbeItem,
  options: TrainingProbeOptions = {},
): Promise<TrainingProbeResult> {
  if (item.phase !== 1 && item.phase !== 2) throw badArgument(`expected phase 1 or 2, received ${describe(item.phase)}`);
  if (!Number.isInteger(item.phaseStep) || item.phaseStep < 0) {
    throw badArgument(`expected phaseStep to be a whole number from 0, received ${describe(item.phaseStep)}`);
  }
  const request = trainingRequest(engine, sources, references, options);
  const promptIds = engine.tokenizer.encode(item.prompt);
  const run = addon()['trainingProbe'] as (
    handle: unknown,
    request: object,
  ) => Promise<Omit<TrainingProbeResult, 'promptIds'>>;
  try {
    return { promptIds, ...(await run(engine.nativeHandle, { ...request, ...item, prompt: promptIds })) };
  } catch (error) {
    throw fromNative(error);
  }
}
