// Training a project's identity + style (METHOD.md §5: textual inversion, then LoRA): a preset, optional expert
// settings, an estimate before starting, and the run's life (pause, resume, cancel) through its job.
import { id, integer, object, oneOf, optional, params, refuse, set, text } from '../check.js';
import type { Job, TrainingOutput, TrainingRun } from '../types.js';
import { byId, type MethodRules } from './rules.js';

export const TRAINING_PRESETS = ['quick', 'standard', 'best'] as const;
export type TrainingPreset = (typeof TRAINING_PRESETS)[number];

/**
 * Steps of each preset. "standard" is the paper's run (1,200 textual-inversion steps, then 1,500 LoRA steps),
 * "best" the official README's longer run, "quick" a preview. Must equal the studio's PRESET_STEPS (a test checks).
 */
export const PRESET_STEPS: Readonly<Record<TrainingPreset, { stepsTi: number; stepsLora: number }>> = {
  quick: { stepsTi: 400, stepsLora: 500 },
  standard: { stepsTi: 1200, stepsLora: 1500 },
  best: { stepsTi: 1600, stepsLora: 2000 },
};

/** Settings an expert may change; any step count makes the run "custom". */
export interface AdvancedTrainingSettings {
  /** Phase 1 (textual inversion) steps; 0 skips it. */
  stepsTi?: number;
  /** Phase 2 (LoRA) steps; 0 skips it. */
  stepsLora?: number;
  rank?: number;
  seed?: number;
  /** Square training crops of this side, a multiple of 64 (default 512). */
  resolution?: number;
  /** A one-token word the new tokens start from (default "person"). */
  initializerToken?: string;
  /** Steps between checkpoints; a pause always writes one too. */
  checkpointEvery?: number;
}

export interface TrainingParams {
  projectId: number;
  preset: TrainingPreset;
  advanced?: AdvancedTrainingSettings;
}

export interface TrainingEstimate {
  preset: TrainingPreset | 'custom';
  steps: { ti: number; lora: number; total: number };
  /** From the pace of the last finished training on this machine; null when there is none yet. */
  seconds: number | null;
  sourcePhotos: number;
  referencePhotos: number;
  /** What stops the run from starting (no consent, no photos, masks missing, a training already open). */
  problems: string[];
}

export interface TrainingRunDetail {
  run: TrainingRun;
  outputs: TrainingOutput[];
  /** The run's latest job (null for a run made outside the studio). */
  job: Job | null;
}

export interface TrainingMethods {
  'training.estimate': { params: TrainingParams; result: TrainingEstimate };
  /** Needs the client's training consent, source and reference photos, and a mask on every photo. */
  'training.start': { params: TrainingParams; result: TrainingRunDetail };
  'training.list': { params: { projectId: number }; result: TrainingRunDetail[] };
  /** Stops at the next step and keeps a checkpoint. */
  'training.pause': { params: { trainingRunId: number }; result: TrainingRunDetail };
  /** Continues from the last checkpoint. */
  'training.resume': { params: { trainingRunId: number }; result: TrainingRunDetail };
  'training.cancel': { params: { trainingRunId: number }; result: TrainingRunDetail };
}

const INTEGERS: ReadonlyArray<[Exclude<keyof AdvancedTrainingSettings, 'initializerToken'>, number, number]> = [
  ['stepsTi', 0, 100_000],
  ['stepsLora', 0, 100_000],
  ['rank', 1, 128],
  ['seed', 0, 2 ** 31 - 1],
  ['resolution', 64, 2048],
  ['checkpointEvery', 1, 100_000],
];

function advanced(value: unknown): AdvancedTrainingSettings {
  const f = object(value, 'advanced', [...INTEGERS.map(([key]) => key), 'initializerToken']);
  const out: AdvancedTrainingSettings = {};
  for (const [key, min, max] of INTEGERS) set(out, key, optional(f[key], (v) => integer(v, `advanced.${key}`, min, max)));
  set(out, 'initializerToken', optional(f['initializerToken'], (v) => text(v, 'advanced.initializerToken', 40)));
  if (out.resolution !== undefined && out.resolution % 64 !== 0) refuse(`expected advanced.resolution to be a multiple of 64, received ${out.resolution}`);
  return out;
}

function trainingParams(method: string) {
  return (value: unknown): TrainingParams => {
    const f = params(value, method, ['projectId', 'preset', 'advanced']);
    const out: TrainingParams = { projectId: id(f['projectId'], 'projectId'), preset: oneOf(f['preset'], 'preset', TRAINING_PRESETS) };
    set(out, 'advanced', optional(f['advanced'], advanced));
    const steps = { ...PRESET_STEPS[out.preset], ...out.advanced };
    if (steps.stepsTi + steps.stepsLora === 0) refuse('expected at least one training step, received stepsTi 0 and stepsLora 0');
    return out;
  };
}

export const TRAINING_RULES: { [M in keyof TrainingMethods]: MethodRules<TrainingMethods[M]['params']> } = {
  'training.estimate': { check: trainingParams('training.estimate') },
  'training.start': { changes: 'trainingRuns', check: trainingParams('training.start') },
  'training.list': byId('training.list', 'projectId'),
  'training.pause': byId('training.pause', 'trainingRunId', 'trainingRuns'),
  'training.resume': byId('training.resume', 'trainingRunId', 'trainingRuns'),
  'training.cancel': byId('training.cancel', 'trainingRunId', 'trainingRuns'),
};
