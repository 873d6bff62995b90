// The MagiCapture trainer facade: prompt templates and placeholder tokens (METHOD.md §2), argument checks,
// then one native run with progress, cancellation, checkpoints and resume.
import { addon, type NativeTensor } from './addon.js';
import type { Engine } from './engine.js';
import { badArgument, describe, EngineError, fromNative } from './errors.js';

export const INSTANCE_TEMPLATES = [
  'a photo of a {} person', 'the photo of a {} person', 'a photo of a clean {} person', 'a bright photo of the {} person',
  'a photo of the {} person', 'a good photo of the {} person', 'a photo of one {} person', 'a photo of a nice {} person',
  'a good photo of a {} person', 'a photo of the nice {} person',
] as const;
export const STYLE_TEMPLATES = [
  'a painting of a person in the style of {}', 'the painting of a person in the style of {}',
  'a clean painting of a person in the style of {}', 'a picture of a person in the style of {}',
  'a bright painting of a person in the style of {}', 'a good painting of a person in the style of {}',
  'a nice painting of a person in the style of {}',
] as const;
export const COMPOSED_TEMPLATES = INSTANCE_TEMPLATES.map((t) => `${t} in the style of {}`);

export interface TrainImageInput {
  /** [3, H, W] in [0, 1]. */
  image: NativeTensor;
  /** [1, H, W] soft face mask in [0, 1] (METHOD §1.5), 1 = face. */
  faceMask: NativeTensor;
  /** Eyes, nose tip, mouth corners as [x0, y0, ... x4, y4] pixels; needed for the identity loss. */
  landmarks?: number[];
}

export interface TrainConfigInput {
  official?: boolean;
  stepsTi?: number;
  stepsLora?: number;
  rank?: number;
  lrTi?: number;
  lrUnet?: number;
  lrText?: number;
  lrEmbedding?: number;
  lambdaId?: number;
  lambdaAttn?: number;
  lambdaStyle?: number;
  seed?: number;
  checkpointEvery?: number;
  attentionLoss?: boolean;
  onlyPlaceholderRows?: boolean;
  resampleAugmentation?: boolean;
  idLossOnInstance?: boolean;
  schedulerBeforeUpdate?: boolean;
  /** Recompute activations in the backward pass: less memory, one more UNet forward per step, same numbers. */
  gradientCheckpointing?: boolean;
}

export interface TrainProgress {
  phase: 1 | 2;
  step: number;
  total: number;
  task: 'instance' | 'style' | 'composed';
  losses: Record<string, number>;
  lrEmbedding: number;
  lrUnet: number;
  lrText: number;
  elapsedSeconds: number;
  etaSeconds: number;
}

export interface TrainOptions {
  identityToken?: string;
  styleToken?: string;
  initializerToken?: string;
  config?: TrainConfigInput;
  /** Written every config.checkpointEvery steps, on cancel and at the end. */
  checkpointPath?: string;
  /**
   * Folder for the results: magicapture_lora.safetensors (official layout with both embeddings),
   * lora_kohya.safetensors (kohya/A1111), identity_embedding / style_embedding.safetensors (A1111 embeddings).
   */
  outputDir?: string;
  resume?: boolean;
  /** An ArcFace network (.safetensors) for the identity loss; without it that loss is skipped. */
  arcfacePath?: string;
  onStep?: (progress: TrainProgress) => void;
  signal?: AbortSignal;
}

export interface TrainSummary {
  steps: number;
  tokenRows: NativeTensor;
  losses: Record<string, number>;
  adapters: number;
  /** dtype of the trainable tensors: fp32 master weights whatever the engine's dtype. */
  masterDtype: string;
  /** Sum of the adapters' `up` norms (0 at initialisation; 0 after phase 1). */
  adapterUpNorm: number;
  /** The fp16 loss scale at the end (1 for fp32/bf16), and the updates it skipped for inf/NaN gradients. */
  lossScale: number;
  skippedSteps: number;
}

let nextJobId = 1;

function fill(template: string, ...tokens: string[]): string {
  let i = 0;
  return template.replace(/\{\}/g, () => tokens[i++] ?? '');
}

/** The images as the native side takes them: landmarks become a [5, 2] tensor. */
function checkImages(images: unknown, name: string): object[] {
  if (!Array.isArray(images) || images.length === 0 || images.length > 64) {
    throw badArgument(`expected 1 to 64 ${name}, received ${describe(images)}`);
  }
  return (images as TrainImageInput[]).map(({ landmarks, ...rest }, i) => {
    if (landmarks === undefined) return rest;
    if (!Array.isArray(landmarks) || landmarks.length !== 10 || !landmarks.every(Number.isFinite)) {
      throw badArgument(`expected ${name}[${i}].landmarks to be 10 numbers (5 points), received ${describe(landmarks)}`);
    }
    return { ...rest, landmarks: { data: Float32Array.from(landmarks), shape: [5, 2] } };
  });
}

/** The run's placeholder tokens added to the engine's tokenizer, and the request fields every native call takes. */
export function trainingRequest(
  engine: Engine,
  sources: TrainImageInput[],
  references: TrainImageInput[],
  options: Pick<TrainOptions, 'identityToken' | 'styleToken' | 'initializerToken' | 'config' | 'arcfacePath'>,
) {
  const nativeSources = checkImages(sources, 'source images');
  const nativeReferences = checkImages(references, 'reference images');
  const tokenizer = engine.tokenizer;
  const identity = options.identityToken ?? '<sks>';
  const style = options.styleToken ?? '<style1>';
  const vocab = engine.info.textConfig.vocabSize;
  const [identityToken, styleToken] = tokenizer.addTokens([identity, style]) as [number, number];
  if (identityToken !== vocab || styleToken !== vocab + 1) {
    throw badArgument(
      `expected the placeholder tokens to get ids ${vocab} and ${vocab + 1}, received ${identityToken} and ${styleToken}`,
      'Use token names the vocabulary does not already contain, e.g. <sks> and <style1>.',
    );
  }
  const initializer = tokenizer.encode(options.initializerToken ?? 'person', { padding: false });
  if (initializer.length !== 3) {
    throw badArgument(`expected the initializer to be one token, received ${initializer.length - 2} tokens`);
  }
  return {
    sources: nativeSources,
    references: nativeReferences,
    instancePrompts: INSTANCE_TEMPLATES.map((t) => tokenizer.encode(fill(t, identity))),
    stylePrompts: STYLE_TEMPLATES.map((t) => tokenizer.encode(fill(t, style))),
    composedPrompts: COMPOSED_TEMPLATES.map((t) => tokenizer.encode(fill(t, identity, style))),
    identityToken,
    styleToken,
    initializerToken: initializer[1],
    config: options.config ?? {},
    arcfacePath: options.arcfacePath ?? '',
    identityName: identity,
    styleName: style,
  };
}

export async function train(
  engine: Engine,
  sources: TrainImageInput[],
  references: TrainImageInput[],
  options: TrainOptions = {},
): Promise<TrainSummary> {
  if (options.resume && !options.checkpointPath) throw badArgument('expected a checkpointPath to resume from');
  const request = trainingRequest(engine, sources, references, options);
  const jobId = nextJobId++;
  const abort = () => (addon()['trainCancel'] as (id: number) => boolean)(jobId);
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) throw new EngineError('E_CANCELLED', 'training was cancelled before it started');
  const onStep = options.onStep;
  try {
    const run = addon()['trainRun'] as (
      handle: unknown,
      request: object,
      onProgress: ((p: Omit<TrainProgress, 'etaSeconds'>) => void) | undefined,
      jobId: number,
    ) => Promise<TrainSummary>;
    return await run(
      engine.nativeHandle,
      {
        ...request,
        checkpointPath: options.checkpointPath ?? '',
        outputDir: options.outputDir ?? '',
        resume: options.resume ?? false,
      },
      onStep
        ? (p) => onStep({ ...p, etaSeconds: (p.elapsedSeconds / Math.max(1, p.step)) * (p.total - p.step) })
        : undefined,
      jobId,
    );
  } catch (error) {
    throw fromNative(error);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}
