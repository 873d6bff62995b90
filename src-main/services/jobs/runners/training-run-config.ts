// What a training run row holds in its `config` column: everything the train job needs, fixed when the run is
// created. The inputs are content hashes (photo processing copies and mask versions), so a run resumed after a
// pause or a crash trains on exactly the pixels it started with, even if masks were edited in between.
import type { TrainConfigInput } from '../../../../native/lib/training.js';
import type { TrainingRun } from '../../catalog/training-runs-repository.js';
import type { BaseModel } from '../job-types.js';

export const TRAINING_PRESETS = ['quick', 'standard', 'best', 'custom'] as const;
export type TrainingPreset = (typeof TRAINING_PRESETS)[number];

export interface TrainingInput {
  role: 'source' | 'reference';
  photoId: number;
  name: string;
  imageBlob: string;
  maskBlob: string;
}

export interface TrainingRunConfig {
  preset: TrainingPreset;
  model: BaseModel;
  /** Photos are cropped to resolution x resolution squares. */
  resolution: number;
  identityToken: string;
  styleToken: string;
  initializerToken: string;
  trainer: TrainConfigInput;
  inputs: TrainingInput[];
}

/** The trainer's result files (CLI run-dir.ts names them) and the kind each is stored as. */
export const TRAINING_OUTPUT_FILES: ReadonlyArray<{ file: string; kind: string }> = [
  { file: 'magicapture_lora.safetensors', kind: 'lora' },
  { file: 'lora_kohya.safetensors', kind: 'lora-kohya' },
  { file: 'identity_embedding.safetensors', kind: 'identity-embedding' },
  { file: 'style_embedding.safetensors', kind: 'style-embedding' },
];

/** The config the studio wrote; a run made by something else is refused rather than half-understood. */
export function runConfig(run: TrainingRun): TrainingRunConfig {
  const c = run.config as Partial<TrainingRunConfig>;
  if (typeof c.model?.path !== 'string' || !Array.isArray(c.inputs) || typeof c.resolution !== 'number' || typeof c.trainer !== 'object') {
    throw new Error(`expected training run ${run.id} to hold a studio training configuration, received one without model, inputs or trainer settings`);
  }
  return c as TrainingRunConfig;
}
