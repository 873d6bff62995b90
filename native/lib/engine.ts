// The engine facade: the only way into the native engine. open() loads a checkpoint on a device and dtype;
// sample() tokenises, validates and runs one sampling job off the JS thread with progress and cancellation.
import { addon, type NativeEngineHandle, type NativeSampleResult, type NativeTensor } from './addon.js';
import { badArgument, describe, EngineError, fromNative } from './errors.js';
import * as lora from './lora.js';
import { bundledTokenizerDir } from './paths.js';
import { type SampleRequest, validateSampleRequest, type ValidSampleRequest } from './sample-request.js';
import { ClipTokenizer } from './tokenizer/index.js';

export type Dtype = 'fp32' | 'fp16' | 'bf16';

export interface OpenOptions {
  /** "cpu", "cuda" or "cuda:N". Default "cpu". */
  device?: string;
  dtype?: Dtype;
  /** A folder with vocab.json + merges.txt; default: the checkpoint's own, else the bundled CLIP vocabulary. */
  tokenizerDir?: string;
}

export interface ComponentInfo {
  parameters: number;
  configSource: string;
  unusedKeys: string[];
}

export interface ModelInfo {
  path: string;
  layout: 'diffusers' | 'ldm';
  device: string;
  dtype: Dtype;
  tokenizerDir: string;
  unusedKeys: string[];
  loadSeconds: number;
  unet: ComponentInfo;
  vae: ComponentInfo;
  textEncoder: ComponentInfo;
  unetConfig: {
    blockOutChannels: number[];
    layersPerBlock: number;
    crossAttentionDim: number;
    attentionHeads: number[];
    downBlockTypes: string[];
    upBlockTypes: string[];
    sampleSize: number;
  };
  vaeConfig: { blockOutChannels: number[]; latentChannels: number; scalingFactor: number };
  textConfig: { vocabSize: number; hiddenSize: number; layers: number; heads: number; maxPositions: number };
}

export interface SampleProgress {
  step: number;
  total: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface SampleOptions {
  onStep?: (progress: SampleProgress) => void;
  signal?: AbortSignal;
}

export interface AttentionMaps {
  /** Token strings of each prompt's ids, BOS first and EOS last (the maps' token axis). */
  tokens: string[][];
  /** One entry per recorded (layer, step): shape [N, tokens, resolution, resolution]. */
  maps: Array<NativeTensor & { layer: string; step: number; height: number; width: number }>;
}

export interface SampleResult {
  /** Planar float32 [N, 3, H, W] in [0, 1], N = prompts x imagesPerPrompt. */
  images: NativeTensor;
  latents?: NativeTensor;
  timesteps: number[];
  attention?: AttentionMaps;
  request: ValidSampleRequest;
}

const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'bf16'];
let nextJobId = 1;

export class Engine {
  private constructor(
    private handle: NativeEngineHandle | undefined,
    readonly info: ModelInfo,
    readonly tokenizer: ClipTokenizer,
  ) {}

  static async open(modelPath: string, options: OpenOptions = {}): Promise<Engine> {
    if (typeof modelPath !== 'string' || modelPath.length === 0) {
      throw badArgument(`expected a model path, received ${describe(modelPath)}`);
    }
    const device = options.device ?? 'cpu';
    if (typeof device !== 'string' || !/^(cpu|cuda(:\d{1,3})?)$/.test(device)) {
      throw badArgument(`expected device "cpu", "cuda" or "cuda:N", received ${describe(device)}`);
    }
    const dtype = options.dtype ?? 'fp32';
    if (!DTYPES.includes(dtype)) throw badArgument(`expected dtype fp32, fp16 or bf16, received ${describe(dtype)}`);
    let handle: NativeEngineHandle;
    try {
      handle = await addon().openEngine(modelPath, { device, dtype });
    } catch (error) {
      throw fromNative(error);
    }
    const info = handle.info() as ModelInfo;
    const tokenizerDir = options.tokenizerDir ?? (info.tokenizerDir || bundledTokenizerDir());
    const tokenizer = ClipTokenizer.fromDirectory(tokenizerDir);
    if (tokenizer.totalSize > info.textConfig.vocabSize) {
      handle.close();
      throw new EngineError(
        'E_BAD_CHECKPOINT',
        `expected a tokenizer of at most ${info.textConfig.vocabSize} tokens for this text encoder, received ` +
          `${tokenizer.totalSize} tokens from ${tokenizerDir}`,
        'The tokenizer does not belong to this model; pass the tokenizer folder that came with it.',
      );
    }
    return new Engine(handle, { ...info, tokenizerDir }, tokenizer);
  }

  async sample(request: SampleRequest, options: SampleOptions = {}): Promise<SampleResult> {
    const handle = this.requireOpen();
    const valid = validateSampleRequest(request);
    if (options.signal?.aborted) throw new EngineError('E_CANCELLED', 'sampling was cancelled before it started');
    const promptIds = valid.prompts.map((p) => this.tokenizer.encode(p));
    const tokenCount = Math.max(...promptIds.map((ids) => ids.indexOf(this.tokenizer.eosId) + 1));
    const native = {
      promptIds,
      negativeIds: valid.negativePrompts.map((p) => this.tokenizer.encode(p)),
      imagesPerPrompt: valid.imagesPerPrompt,
      width: valid.width,
      height: valid.height,
      steps: valid.steps,
      guidanceScale: valid.guidanceScale,
      sampler: valid.sampler,
      seed: valid.seed,
      strength: valid.strength,
      returnLatents: valid.returnLatents,
      ...(valid.initImage ? { initImage: valid.initImage } : {}),
      ...(valid.attention ? { attention: { ...valid.attention, tokenCount } } : {}),
    };
    const jobId = nextJobId++;
    const abort = () => handle.cancel(jobId);
    options.signal?.addEventListener('abort', abort, { once: true });
    const onStep = options.onStep;
    const progress = onStep
      ? (p: { step: number; total: number; elapsedSeconds: number }) =>
          onStep({ ...p, etaSeconds: (p.elapsedSeconds / p.step) * (p.total - p.step) })
      : undefined;
    let result: NativeSampleResult;
    try {
      result = await handle.sample(native, progress, jobId);
    } catch (error) {
      throw fromNative(error);
    } finally {
      options.signal?.removeEventListener('abort', abort);
    }
    return {
      images: result.images,
      timesteps: result.timesteps,
      request: valid,
      ...(result.latents ? { latents: result.latents } : {}),
      ...(valid.attention
        ? {
            attention: {
              tokens: promptIds.map((ids) => ids.slice(0, tokenCount).map((id) => this.tokenizer.idToToken(id) ?? '')),
              maps: result.attention,
            },
          }
        : {}),
    };
  }

  /**
   * Single-model forward passes (synchronous; for golden tests and benchmarks, not for the UI). Inputs are
   * float32 tensors; token ids are rows of integers.
   */
  get diagnostics(): Pick<NativeEngineHandle, 'textForward' | 'unetForward' | 'vaeEncode' | 'vaeDecode'> {
    const handle = this.requireOpen();
    const guard =
      <A extends unknown[], R>(fn: (...args: A) => R) =>
      (...args: A): R => {
        try {
          return fn.apply(handle, args);
        } catch (error) {
          throw fromNative(error);
        }
      };
    return {
      textForward: guard(handle.textForward),
      unetForward: guard(handle.unetForward),
      vaeEncode: guard(handle.vaeEncode),
      vaeDecode: guard(handle.vaeDecode),
    };
  }

  // ---- LoRA adapters and placeholder tokens (native/lib/lora.ts) ----

  /**
   * Loads a MagiCapture or kohya LoRA (replacing the current adapters) or a textual-inversion embedding, and adds
   * its placeholder tokens ("<sks>", "<style1>") to the tokenizer so that sample() prompts can use them.
   * Scales default to MagiCapture's inference values, 0.6 (UNet) and 0.9 (text encoder).
   */
  loadLora(path: string, options: lora.LoadLoraOptions = {}): Promise<lora.LoraStatus> {
    return lora.loadLora(this.requireOpen(), this.tokenizer, path, options);
  }

  setLoraScales(unetScale: number, textScale: number): Promise<lora.LoraStatus> {
    return lora.setLoraScales(this.requireOpen(), unetScale, textScale);
  }

  /** Detaches the adapters and restores the token embeddings as opened. */
  clearLora(): Promise<lora.LoraStatus> {
    return lora.clearLora(this.requireOpen());
  }

  /** Exports the attached adapters: "magicapture" (with the embeddings), "kohya" (A1111) or "embedding" (one token). */
  saveLora(path: string, format: lora.LoraFormat = 'magicapture', options: lora.SaveLoraOptions = {}): Promise<void> {
    return lora.saveLora(this.requireOpen(), path, format, options);
  }

  loraStatus(): Promise<lora.LoraStatus> {
    return lora.loraStatus(this.requireOpen());
  }

  /** Adapter targets in the official order, and fresh trainable adapters (tests and benchmarks, not the UI). */
  get loraDiagnostics(): { targets: () => ReturnType<typeof lora.loraTargets>; inject: (o?: lora.InjectLoraOptions) => Promise<lora.LoraStatus> } {
    const handle = this.requireOpen();
    return { targets: () => lora.loraTargets(handle), inject: (o = {}) => lora.injectLora(handle, o) };
  }

  // ---- end of the LoRA block ----

  close(): void {
    this.handle?.close();
    this.handle = undefined;
  }

  /** The native handle, for the other facade modules of native/lib (training, adapters); not for callers. */
  get nativeHandle(): NativeEngineHandle {
    return this.requireOpen();
  }

  private requireOpen(): NativeEngineHandle {
    if (!this.handle) throw new EngineError('E_BAD_ARGUMENT', 'this engine was closed', 'Open the model again.');
    return this.handle;
  }
}

/** Image n of a [N, 3, H, W] float tensor as interleaved 8-bit RGB (rounded like diffusers' numpy_to_pil). */
export function toRgb8(images: NativeTensor, n: number): { data: Uint8Array; width: number; height: number } {
  const [count, channels, height, width] = images.shape as [number, number, number, number];
  if (!Number.isInteger(n) || n < 0 || n >= count) throw badArgument(`expected image index 0 to ${count - 1}, received ${n}`);
  const plane = height * width;
  const base = n * channels * plane;
  const out = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round((images.data[base + c * plane + i] as number) * 255);
  }
  return { data: out, width, height };
}
