// The engine host's methods. Wire types mirror the facade (native/lib), whose tensors differ on the wire; the engine
// host assigns facade values to them and the compiler checks the match. Settings that are identical are imported
// type-only, which is erased at run time, so this contract stays loadable in every process.
//
// One job at a time: while an exclusive method runs, another exclusive request is refused with E_BUSY rather
// than queued. The broker's job queue (persisted, cancellable, resumable) already orders engine work; a second,
// hidden queue here would lose its contents on a crash and make "cancel" ambiguous.
import type { TrainConfigInput, TrainProgress as FacadeTrainProgress } from '../../../native/lib/training.js';

import type { MethodSpec, ParamValidators } from './messages.js';
import { type Tensor, tensor } from './tensor.js';
import { finite, list, oneOf, optional, record, text } from './validate.js';

export type Dtype = 'fp32' | 'fp16' | 'bf16';
export const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'bf16'];
export type SamplerName = 'ddim' | 'euler' | 'euler_a' | 'dpmpp_2m_karras';

/** Which model, on which device: the host keeps one open engine per path and reopens it if device/dtype differ. */
export interface ModelRef {
  path: string;
  device?: string;
  dtype?: Dtype;
  tokenizerDir?: string;
}

/** Adapters to have attached for a sample; absent = none (the host detaches any left from earlier jobs). */
export interface LoraRef {
  path: string;
  unetScale?: number;
  textScale?: number;
}

export interface EngineSampleRequest {
  prompt: string | string[];
  negativePrompt?: string | string[];
  imagesPerPrompt?: number;
  width?: number;
  height?: number;
  steps?: number;
  guidanceScale?: number;
  sampler?: SamplerName;
  seed?: number;
  initImage?: Tensor;
  strength?: number;
  returnLatents?: boolean;
  attention?: { layers?: string[]; steps?: number[]; resolution?: number };
}

export interface SampleProgress {
  step: number;
  total: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface AttentionMap extends Tensor {
  layer: string;
  step: number;
  height: number;
  width: number;
}

export interface EngineSampleResult {
  /** Planar float32 [N, 3, H, W] in [0, 1]. */
  images: Tensor;
  latents?: Tensor;
  timesteps: number[];
  /** The seed used (the request's, or the default), so the result can be reproduced. */
  seed: number;
  attention?: { tokens: string[][]; maps: AttentionMap[] };
}

export interface ModelSummary {
  path: string;
  layout: 'diffusers' | 'ldm';
  device: string;
  dtype: Dtype;
  tokenizerDir: string;
  loadSeconds: number;
  sampleSize: number;
  vocabSize: number;
  parameters: { unet: number; vae: number; textEncoder: number };
  unusedKeys: string[];
}

export interface TrainImage {
  /** [3, H, W] in [0, 1]. */
  image: Tensor;
  /** [1, H, W] soft face mask, 1 = face. */
  faceMask: Tensor;
  /** Eyes, nose tip, mouth corners as 10 pixel coordinates. */
  landmarks?: number[];
}

/** The trainer's settings (METHOD.md §12), exactly the facade's: a type-only import, erased at run time. */
export type TrainConfig = TrainConfigInput;

export interface TrainOptions {
  identityToken?: string;
  styleToken?: string;
  initializerToken?: string;
  config?: TrainConfig;
  checkpointPath?: string;
  outputDir?: string;
  resume?: boolean;
  arcfacePath?: string;
}

/** Per-step training progress, exactly the facade's (type-only import, erased at run time). */
export type TrainProgress = FacadeTrainProgress;

export interface TrainSummary {
  steps: number;
  tokenRows: Tensor;
  losses: Record<string, number>;
  adapters: number;
}

export interface OpenModel {
  path: string;
  device: string;
  dtype: Dtype;
  lora: LoraRef | null;
}

export type EngineMethods = {
  /** Opens (or reuses) a model; sample and train open on demand too, so this only warms up. */
  'engine.open': MethodSpec<{ model: ModelRef }, ModelSummary>;
  'engine.sample': MethodSpec<{ model: ModelRef; lora?: LoraRef; request: EngineSampleRequest }, EngineSampleResult, SampleProgress>;
  /** Runs on a pristine engine and closes it afterwards: training leaves learned token rows on it. */
  'engine.train': MethodSpec<
    { model: ModelRef; sources: TrainImage[]; references: TrainImage[]; options?: TrainOptions },
    TrainSummary,
    TrainProgress
  >;
  'engine.close': MethodSpec<{ path: string }, { closed: boolean }>;
  'engine.models': MethodSpec<Record<string, never>, OpenModel[]>;
};

/** Methods that need the engine to themselves (everything but the listing). */
export const ENGINE_EXCLUSIVE: ReadonlyArray<keyof EngineMethods> = ['engine.open', 'engine.sample', 'engine.train', 'engine.close'];

export interface EngineCapabilities {
  torch: string;
  cuda: boolean;
  devices: string[];
  dtypes: Dtype[];
  jobs: 'one-at-a-time';
}

// ---- validators: shapes only; the facade checks values (steps, sizes, samplers) with its own messages ----

function modelRef(value: unknown, path: string): ModelRef {
  const m = record(value, path);
  const device = optional(m['device'], (v) => text(v, `${path}.device`));
  const dtype = optional(m['dtype'], (v) => oneOf(v, `${path}.dtype`, DTYPES));
  const tokenizerDir = optional(m['tokenizerDir'], (v) => text(v, `${path}.tokenizerDir`));
  return {
    path: text(m['path'], `${path}.path`),
    ...(device === undefined ? {} : { device }),
    ...(dtype === undefined ? {} : { dtype }),
    ...(tokenizerDir === undefined ? {} : { tokenizerDir }),
  };
}

function loraRef(value: unknown, path: string): LoraRef {
  const l = record(value, path);
  const unetScale = optional(l['unetScale'], (v) => finite(v, `${path}.unetScale`));
  const textScale = optional(l['textScale'], (v) => finite(v, `${path}.textScale`));
  return {
    path: text(l['path'], `${path}.path`),
    ...(unetScale === undefined ? {} : { unetScale }),
    ...(textScale === undefined ? {} : { textScale }),
  };
}

function trainImage(value: unknown, path: string): TrainImage {
  const i = record(value, path);
  const landmarks = optional(i['landmarks'], (v) => list(v, `${path}.landmarks`, 10, 10, finite));
  return {
    image: tensor(i['image'], `${path}.image`),
    faceMask: tensor(i['faceMask'], `${path}.faceMask`),
    ...(landmarks === undefined ? {} : { landmarks }),
  };
}

export const engineParams: ParamValidators<EngineMethods> = {
  'engine.open': (p) => ({ model: modelRef(record(p, 'params')['model'], 'model') }),
  'engine.sample': (p) => {
    const r = record(p, 'params');
    const lora = optional(r['lora'], (v) => loraRef(v, 'lora'));
    const request = record(r['request'], 'request') as unknown as EngineSampleRequest;
    if (request.initImage !== undefined) tensor(request.initImage, 'request.initImage');
    return { model: modelRef(r['model'], 'model'), request, ...(lora === undefined ? {} : { lora }) };
  },
  'engine.train': (p) => {
    const r = record(p, 'params');
    const options = optional(r['options'], (v) => record(v, 'options') as TrainOptions);
    return {
      model: modelRef(r['model'], 'model'),
      sources: list(r['sources'], 'sources', 1, 64, trainImage),
      references: list(r['references'], 'references', 1, 64, trainImage),
      ...(options === undefined ? {} : { options }),
    };
  },
  'engine.close': (p) => ({ path: text(record(p, 'params')['path'], 'path') }),
  'engine.models': (p) => {
    record(p, 'params');
    return {};
  },
};

