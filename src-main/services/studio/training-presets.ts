// Training presets mapped to trainer steps (METHOD.md §5, §12). "standard" is the paper's run (1,200 textual
// inversion steps, then 1,500 LoRA steps); "best" is the longer run the official README suggests (1.6k + 2.0k);
// "quick" is a preview that learns a recognisable likeness in about a third of the time. Explicit step counts
// (for tests, or an expert's run) make the preset "custom".
import type { TrainConfigInput } from '../../../native/lib/training.js';
import { fields, integer, invalid, oneOf, text } from '../catalog/validate.js';
import type { TrainingPreset } from '../jobs/runners/training-run-config.js';

export const PRESET_STEPS: Record<Exclude<TrainingPreset, 'custom'>, { stepsTi: number; stepsLora: number }> = {
  quick: { stepsTi: 400, stepsLora: 500 },
  standard: { stepsTi: 1200, stepsLora: 1500 },
  best: { stepsTi: 1600, stepsLora: 2000 },
};

export interface TrainingSettings {
  preset?: Exclude<TrainingPreset, 'custom'>;
  stepsTi?: number;
  stepsLora?: number;
  rank?: number;
  seed?: number;
  /** Square training crops of this side, a multiple of 64 (default 512, SD1.5's). */
  resolution?: number;
  /** A one-token word the new tokens start from (default "person"). */
  initializerToken?: string;
  /** Steps between checkpoints; a pause always writes one too. */
  checkpointEvery?: number;
}

export interface CheckedTrainingSettings {
  preset: TrainingPreset;
  resolution: number;
  initializerToken: string;
  trainer: TrainConfigInput;
}

const KEYS = ['preset', 'stepsTi', 'stepsLora', 'rank', 'seed', 'resolution', 'initializerToken', 'checkpointEvery'];

export function checkTrainingSettings(input: unknown = {}): CheckedTrainingSettings {
  const f = fields(input, 'training settings', KEYS);
  const named = f['preset'] === undefined ? 'standard' : oneOf(f['preset'], 'preset', ['quick', 'standard', 'best'] as const);
  const custom = f['stepsTi'] !== undefined || f['stepsLora'] !== undefined;
  const stepsTi = f['stepsTi'] === undefined ? PRESET_STEPS[named].stepsTi : integer(f['stepsTi'], 'stepsTi', 0, 100_000);
  const stepsLora = f['stepsLora'] === undefined ? PRESET_STEPS[named].stepsLora : integer(f['stepsLora'], 'stepsLora', 0, 100_000);
  if (stepsTi + stepsLora === 0) throw invalid('stepsTi + stepsLora', 'at least 1 step', 0);
  const resolution = f['resolution'] === undefined ? 512 : integer(f['resolution'], 'resolution', 64, 2048);
  if (resolution % 64 !== 0) throw invalid('resolution', 'a multiple of 64', resolution);
  const total = stepsTi + stepsLora;
  return {
    preset: custom ? 'custom' : named,
    resolution,
    initializerToken: f['initializerToken'] === undefined ? 'person' : text(f['initializerToken'], 'initializerToken', { max: 40 }),
    trainer: {
      stepsTi,
      stepsLora,
      rank: f['rank'] === undefined ? 4 : integer(f['rank'], 'rank', 1, 128),
      seed: f['seed'] === undefined ? 42 : integer(f['seed'], 'seed', 0, 2 ** 31 - 1),
      // About 50 checkpoints a run: a crash costs at most 2 % of the work, and writing them costs little.
      checkpointEvery: f['checkpointEvery'] === undefined ? Math.max(1, Math.min(100, Math.round(total / 50))) : integer(f['checkpointEvery'], 'checkpointEvery', 1, 100_000),
    },
  };
}
