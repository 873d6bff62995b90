// The job queue's vocabulary: what can be asked (one request type per kind, carrying ids and paths, never
// image data, because requests are stored in the catalog and cross IPC), what callers see (JobView), the
// events, and the interface each kind's executor implements (JobRunner).
import type { SamplerName } from '../../../native/lib/sample-request.js';
import type { Dtype } from '../../common/protocol/engine.js';
import type { JobKind, JobState } from '../catalog/jobs-repository.js';
import type { PhotoRole } from '../catalog/photos-repository.js';

export type { JobKind, JobState };

/** Jobs that need the engine host: they run one at a time. The others (media jobs) run beside them. */
export const ENGINE_KINDS: readonly JobKind[] = ['train', 'generate'];

/** The base model a job runs on, resolved when it is queued so that a restart cannot switch models under it. */
export interface BaseModel {
  path: string;
  /** SHA-256 of the checkpoint (of its files, for a diffusers folder), recorded in every generation's recipe. */
  sha256: string;
  tokenizerDir?: string;
  device?: string;
  dtype?: Dtype;
}

export interface ImportRequest {
  kind: 'import';
  projectId: number;
  role: PhotoRole;
  /** Absolute paths of the photo files. */
  paths: string[];
}

/**
 * The photo's next face mask: one the photographer drew (white face, black elsewhere, at the size of the upright
 * photo), or with maskPath null the media host's face analysis (the soft mask of the main face, and its landmarks).
 */
export interface MasksRequest {
  kind: 'masks';
  photoId: number;
  maskPath: string | null;
}

/** The run row holds the configuration and the inputs; the job only names it. */
export interface TrainRequest {
  kind: 'train';
  trainingRunId: number;
}

export interface GenerateRecipe {
  prompt: string;
  negativePrompt: string;
  /** Image i of the job uses seed + i, recorded in its generation row. */
  seed: number;
  sampler: SamplerName;
  steps: number;
  cfg: number;
  width: number;
  height: number;
  loraScales: { unet: number; textEncoder: number };
}

export interface GenerateRequest {
  kind: 'generate';
  projectId: number;
  /** The training whose LoRA and tokens to use; null samples the base model alone. */
  trainingRunId: number | null;
  model: BaseModel;
  recipe: GenerateRecipe;
  count: number;
  /** Record each portrait's cross-attention maps (library/attention-maps.ts). Absent in jobs queued before. */
  captureAttention?: boolean;
}

export interface PostprocessRequest {
  kind: 'postprocess';
  generationId: number;
  operation: 'restore' | 'upscale';
}

export type DeliveryFormat = 'png' | 'jpeg';

export interface ExportRequest {
  kind: 'export';
  projectId: number;
  generationIds: number[];
  format: DeliveryFormat;
  /** JPEG quality 1 to 100; null: the encoder's default. */
  quality: number | null;
  /** Absolute folder the files are written to (created when missing). */
  destination: string;
  /** Finishing through the media host (absent in jobs queued before): name template, long edge, super-resolution. */
  fileName?: string;
  longEdge?: number;
  upscale?: 'auto' | 'off' | 2 | 4;
}

export type JobRequest = ImportRequest | MasksRequest | TrainRequest | GenerateRequest | PostprocessRequest | ExportRequest;
export type RequestOf<K extends JobKind> = Extract<JobRequest, { kind: K }>;

export interface ImportedFile {
  path: string;
  name: string;
  status: 'imported' | 'duplicate' | 'refused';
  photoId: number | null;
  message: string | null;
}

export interface JobResults {
  /** preflight: the source photos' pre-flight after the import (absent without a media host); error: why it did not run. */
  import: { files: ImportedFile[]; preflight?: { checked: number; failing: number } | { error: string } };
  masks: { maskId: number; version: number };
  train: { trainingRunId: number; steps: number; outputs: Array<{ kind: string; blob: string }>; losses: Record<string, number> };
  generate: { generationIds: number[] };
  postprocess: { generationId: number };
  export: { exports: Array<{ generationId: number; exportId: number; path: string }> };
}
export type ResultOf<K extends JobKind> = JobResults[K];
export type JobResult = JobResults[JobKind];

export interface JobProgress {
  done: number;
  total: number;
  /** done / total, 0 to 1. */
  fraction: number;
  /** From the pace of this attempt; null until there is a pace to go by. */
  etaSeconds: number | null;
  message: string | null;
  detail: Record<string, unknown> | null;
  updatedAt: number;
}

export interface ProgressUpdate {
  done: number;
  total: number;
  message?: string;
  detail?: Record<string, unknown>;
}

export interface JobFailureInfo {
  code: string;
  message: string;
  hint: string;
}

/** Why a running job is being stopped: the photographer cancelled or paused it, or the queue is shutting down. */
export type StopRequest = 'cancel' | 'pause' | 'shutdown';

export interface JobView {
  id: number;
  kind: JobKind;
  state: JobState;
  priority: number;
  request: JobRequest;
  clientId: number | null;
  progress: JobProgress | null;
  /** What the job has made (partial while it runs or when paused). */
  result: JobResult | null;
  error: JobFailureInfo | null;
  attempts: number;
  interruptions: number;
  /** Set while a running job winds down after cancel() or pause(). */
  stopping: 'cancel' | 'pause' | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export type JobEvent = { type: 'job-state'; job: JobView } | { type: 'job-progress'; id: number; progress: JobProgress };

export interface JobContext<K extends JobKind> {
  /** The job as it was claimed (attempts and interruptions already counted). */
  readonly job: JobView;
  /** Aborted on cancel, pause and shutdown: pass it to host requests; check it between steps. */
  readonly signal: AbortSignal;
  stopRequest(): StopRequest | null;
  /** What earlier attempts saved, so a resumed job skips finished work. */
  readonly saved: ResultOf<K> | null;
  /** Persists what the job has made so far. Synchronous, so it can join the transaction that commits the work. */
  save(result: ResultOf<K>): void;
  progress(update: ProgressUpdate): void;
}

export interface JobRunner<K extends JobKind> {
  run(request: RequestOf<K>, context: JobContext<K>): Promise<ResultOf<K>>;
  /**
   * Called when the queue moved the job to a state other than running (queued, paused, done, failed, cancelled),
   * e.g. so a training run follows its job. The synchronous part runs before the state event is sent.
   */
  settled?(request: RequestOf<K>, job: JobView): void | Promise<void>;
}

export type JobRunners = { [K in JobKind]?: JobRunner<K> };
