// What the API returns: plain JSON objects, the same over IPC and HTTP. They mirror the catalog's rows and the
// job queue's views; the handlers return those directly, so the compiler checks that the two stay in step.
// Files are named by their SHA-256; the renderer shows one at the relative URL `files/<sha256>` (FILES_PATH).

export const CONSENT_SCOPES = ['training', 'generation', 'portfolio', 'marketing', 'social_media'] as const;
export type ConsentScope = (typeof CONSENT_SCOPES)[number];
export const PHOTO_ROLES = ['source', 'reference'] as const;
export type PhotoRole = (typeof PHOTO_ROLES)[number];
export const JOB_KINDS = ['import', 'masks', 'train', 'generate', 'postprocess', 'export'] as const;
export type JobKind = (typeof JOB_KINDS)[number];
export const JOB_STATES = ['queued', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const TRAINING_STATES = ['pending', 'running', 'paused', 'done', 'failed', 'cancelled'] as const;
export type TrainingState = (typeof TRAINING_STATES)[number];
export const SAMPLERS = ['ddim', 'euler', 'euler_a', 'dpmpp_2m_karras'] as const;
export type Sampler = (typeof SAMPLERS)[number];
export const DELIVERY_FORMATS = ['png', 'jpeg'] as const;
export type DeliveryFormat = (typeof DELIVERY_FORMATS)[number];

export interface Client {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  notes: string;
  createdAt: number;
  updatedAt: number;
}

/** One gallery card: the client with what the card shows of them (clients.summaries, one catalog query). */
export interface ClientSummary {
  client: Client;
  /** The client's first project (the card opens it), or null. */
  projectId: number | null;
  /** Thumbnail blob of that project's first selfie, or null. */
  cover: string | null;
  /** in-force: a consent neither revoked nor expired (scope: what those cover); expired: none in force, one not revoked. */
  consent: { state: 'in-force' | 'expired' | 'revoked' | 'none'; scope: string[] };
  /** State of the project's latest training, or none. */
  training: TrainingState | 'none';
  lastActivity: number;
}

export interface Consent {
  id: number;
  clientId: number;
  signedBy: string;
  signedAt: number;
  scope: ConsentScope[];
  expiresAt: number | null;
  releaseBlob: string | null;
  revokedAt: number | null;
  createdAt: number;
}

export interface Project {
  id: number;
  clientId: number;
  name: string;
  subjectToken: string;
  styleToken: string;
  notes: string;
  createdAt: number;
  updatedAt: number;
}

export interface ClientDetail {
  client: Client;
  consents: Consent[];
  projects: Project[];
  /** Jobs of the client that have not finished (queued, running, paused, failed). */
  jobs: Job[];
}

export interface ProjectDetail {
  project: Project;
  sources: number;
  references: number;
  /** Photos without a face mask yet (training needs one for every photo). */
  withoutMask: number[];
  trainingRuns: TrainingRun[];
  generations: number;
}

export interface Photo {
  id: number;
  projectId: number;
  role: PhotoRole;
  originalName: string;
  originalBlob: string;
  processingBlob: string;
  thumbnailBlob: string;
  originalFormat: string;
  width: number;
  height: number;
  preflight: Record<string, unknown> | null;
  createdAt: number;
}

/** One file of an import job's result (`job.result.files`). */
export interface ImportedPhoto {
  path: string;
  name: string;
  status: 'imported' | 'duplicate' | 'refused';
  photoId: number | null;
  /** Why a file was refused, or which photo a duplicate is. */
  message: string | null;
}

export interface Mask {
  id: number;
  photoId: number;
  version: number;
  origin: 'auto' | 'edited';
  model: string | null;
  blob: string;
  createdAt: number;
}

export interface TrainingRun {
  id: number;
  projectId: number;
  config: Record<string, unknown>;
  state: TrainingState;
  checkpointsDir: string;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface TrainingOutput {
  id: number;
  trainingRunId: number;
  kind: string;
  step: number | null;
  blob: string;
  createdAt: number;
}

export interface Recipe {
  baseModelHash: string;
  loraHash: string | null;
  prompt: string;
  negativePrompt: string;
  seed: number;
  sampler: Sampler;
  steps: number;
  cfg: number;
  loraScales: Record<string, number>;
}

export const LAYER_GROUPS = ['down', 'mid', 'up'] as const;
export type LayerGroup = (typeof LAYER_GROUPS)[number];

/** A portrait's cross-attention, averaged per layer group and step range (generations.attention). */
export interface AttentionMaps {
  generationId: number;
  /** The prompt's tokens as the text encoder saw them, BOS first and EOS last (the maps' token axis). */
  tokens: string[];
  /** Layer groups present: the UNet's down blocks, mid block, up blocks. */
  groups: LayerGroup[];
  /** Inclusive step indices of each range, early first. */
  stepRanges: Array<{ first: number; last: number }>;
  /** Sampling steps of the portrait. */
  steps: number;
  /** Each map is resolution × resolution, row-major, top row first. */
  resolution: number;
  /** maps[group][range][token]: mean attention probability of each cell (over the tokens of one cell: at most 1). */
  maps: number[][][][];
}

export interface Review {
  rating: number | null;
  favourite: boolean;
  rejected: boolean;
  picked: boolean;
  reviewedAt: number | null;
}

export interface Generation {
  id: number;
  projectId: number;
  trainingRunId: number | null;
  imageBlob: string;
  thumbnailBlob: string | null;
  attentionMapsBlob: string | null;
  width: number;
  height: number;
  recipe: Recipe;
  review: Review;
  createdAt: number;
}

export interface Export {
  id: number;
  projectId: number;
  generationId: number | null;
  format: 'jpeg' | 'png' | 'tiff' | 'webp';
  width: number;
  height: number;
  blob: string;
  destination: string | null;
  createdAt: number;
}

export interface JobProgress {
  done: number;
  total: number;
  /** done / total, 0 to 1. */
  fraction: number;
  /** Seconds left at the pace of this attempt; null until there is a pace to go by. */
  etaSeconds: number | null;
  message: string | null;
  detail: Record<string, unknown> | null;
  updatedAt: number;
}

export interface JobFailure {
  code: string;
  message: string;
  hint: string;
}

export interface Job {
  id: number;
  kind: JobKind;
  state: JobState;
  priority: number;
  /** What was asked (ids, paths and settings; never image data). */
  request: { kind: JobKind };
  clientId: number | null;
  progress: JobProgress | null;
  /** What the job has made (partial while it runs or when paused). */
  result: object | null;
  error: JobFailure | null;
  attempts: number;
  interruptions: number;
  /** Set while a running job winds down after cancel or pause. */
  stopping: 'cancel' | 'pause' | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface SystemInfo {
  app: string;
  version: string;
  apiVersion: number;
  /** desktop: the Electron app; server: `magicapture serve`; cli: the command line. */
  mode: 'desktop' | 'server' | 'cli';
  libraryDir: string;
  schemaVersion: number;
  /** Whether the engine and media hosts run here (without them, training and generation wait in the queue). */
  hosts: 'running' | 'off';
  platform: string;
}
