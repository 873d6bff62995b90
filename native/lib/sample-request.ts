// The sampling request as callers write it, and its validation. Every rule produces an
// "expected ..., received ..." message before anything crosses into native code.
import { badArgument, describe } from './errors.js';

export const SAMPLERS = ['ddim', 'euler', 'euler_a', 'dpmpp_2m_karras'] as const;
export type SamplerName = (typeof SAMPLERS)[number];

export interface ImageTensor {
  /** Planar float32 [N, 3, H, W] in [0, 1]. */
  data: Float32Array;
  shape: number[];
}

export interface AttentionRequest {
  /** Layer path prefixes, e.g. "up_blocks.1"; omitted = every cross-attention layer. */
  layers?: string[];
  /** Step indices to record; omitted = every step. */
  steps?: number[];
  /** Maps are resized to resolution x resolution (default 16). */
  resolution?: number;
}

export interface SampleRequest {
  prompt: string | string[];
  /** One negative prompt for every prompt, or one per prompt. Default "". */
  negativePrompt?: string | string[];
  imagesPerPrompt?: number;
  width?: number;
  height?: number;
  steps?: number;
  guidanceScale?: number;
  sampler?: SamplerName;
  seed?: number;
  /** img2img: [1 or prompts, 3, height, width] in [0, 1]. */
  initImage?: ImageTensor;
  strength?: number;
  returnLatents?: boolean;
  attention?: AttentionRequest;
}

export interface ValidSampleRequest {
  prompts: string[];
  negativePrompts: string[];
  imagesPerPrompt: number;
  width: number;
  height: number;
  steps: number;
  guidanceScale: number;
  sampler: SamplerName;
  seed: number;
  initImage?: ImageTensor;
  strength: number;
  returnLatents: boolean;
  attention?: Required<AttentionRequest>;
}

export const LIMITS = {
  steps: [1, 150],
  side: [64, 2048],
  guidanceScale: [0, 30],
  imagesPerPrompt: [1, 16],
  prompts: [1, 16],
  promptChars: 10_000,
  resolution: [1, 128],
} as const;

function integerIn(value: unknown, name: string, [min, max]: readonly [number, number], fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw badArgument(`expected ${name} to be an integer from ${min} to ${max}, received ${describe(value)}`);
  }
  return value;
}

function numberIn(value: unknown, name: string, [min, max]: readonly [number, number], fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw badArgument(`expected ${name} to be a number from ${min} to ${max}, received ${describe(value)}`);
  }
  return value;
}

function textList(value: unknown, name: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((p) => typeof p !== 'string')) {
    throw badArgument(`expected ${name} to be a string or an array of strings, received ${describe(value)}`);
  }
  for (const p of list as string[]) {
    if (p.length > LIMITS.promptChars) {
      throw badArgument(`expected ${name} of at most ${LIMITS.promptChars} characters, received ${p.length}`);
    }
  }
  return list as string[];
}

function validateImage(image: unknown, prompts: number, width: number, height: number): ImageTensor {
  const i = image as Partial<ImageTensor> | null;
  if (typeof i !== 'object' || i === null || !(i.data instanceof Float32Array) || !Array.isArray(i.shape)) {
    throw badArgument(`expected initImage to be {data: Float32Array, shape}, received ${describe(image)}`);
  }
  const [n, c, h, w] = i.shape;
  const shapeOk = i.shape.length === 4 && (n === 1 || n === prompts) && c === 3 && h === height && w === width;
  if (!shapeOk) {
    throw badArgument(
      `expected initImage.shape [1 or ${prompts}, 3, ${height}, ${width}], received [${i.shape.join(', ')}]`,
      'Resize the image to the requested width and height first.',
    );
  }
  if (i.data.length !== (n as number) * 3 * height * width) {
    throw badArgument(`expected initImage.data to hold ${(n as number) * 3 * height * width} values, received ${i.data.length}`);
  }
  return { data: i.data, shape: i.shape };
}

function validateAttention(a: unknown): Required<AttentionRequest> {
  if (typeof a !== 'object' || a === null) throw badArgument(`expected attention to be an object, received ${describe(a)}`);
  const { layers, steps, resolution } = a as AttentionRequest;
  if (layers !== undefined && (!Array.isArray(layers) || layers.some((l) => typeof l !== 'string'))) {
    throw badArgument(`expected attention.layers to be an array of layer names, received ${describe(layers)}`);
  }
  if (steps !== undefined && (!Array.isArray(steps) || steps.some((s) => !Number.isInteger(s) || s < 0))) {
    throw badArgument(`expected attention.steps to be an array of step indices, received ${describe(steps)}`);
  }
  return {
    layers: layers ?? [],
    steps: steps ?? [],
    resolution: integerIn(resolution, 'attention.resolution', LIMITS.resolution, 16),
  };
}

export function validateSampleRequest(request: unknown): ValidSampleRequest {
  if (typeof request !== 'object' || request === null) {
    throw badArgument(`expected a sample request object, received ${describe(request)}`);
  }
  const r = request as SampleRequest;
  const prompts = textList(r.prompt, 'prompt');
  if (prompts.length < LIMITS.prompts[0] || prompts.length > LIMITS.prompts[1]) {
    throw badArgument(`expected 1 to ${LIMITS.prompts[1]} prompts, received ${prompts.length}`);
  }
  const negatives = textList(r.negativePrompt ?? '', 'negativePrompt');
  if (negatives.length !== 1 && negatives.length !== prompts.length) {
    throw badArgument(`expected 1 or ${prompts.length} negative prompts, received ${negatives.length}`);
  }
  const width = integerIn(r.width, 'width', LIMITS.side, 512);
  const height = integerIn(r.height, 'height', LIMITS.side, 512);
  for (const [name, side] of [['width', width], ['height', height]] as const) {
    if (side % 8 !== 0) throw badArgument(`expected ${name} to be a multiple of 8, received ${side}`);
  }
  const sampler = r.sampler ?? 'euler_a';
  if (!SAMPLERS.includes(sampler)) {
    throw badArgument(`expected sampler to be one of ${SAMPLERS.join(', ')}, received ${describe(sampler)}`);
  }
  if (r.returnLatents !== undefined && typeof r.returnLatents !== 'boolean') {
    throw badArgument(`expected returnLatents to be true or false, received ${describe(r.returnLatents)}`);
  }
  const valid: ValidSampleRequest = {
    prompts,
    negativePrompts: negatives.length === 1 ? prompts.map(() => negatives[0] as string) : negatives,
    imagesPerPrompt: integerIn(r.imagesPerPrompt, 'imagesPerPrompt', LIMITS.imagesPerPrompt, 1),
    width,
    height,
    steps: integerIn(r.steps, 'steps', LIMITS.steps, 30),
    guidanceScale: numberIn(r.guidanceScale, 'guidanceScale', LIMITS.guidanceScale, 7),
    sampler,
    seed: integerIn(r.seed, 'seed', [0, Number.MAX_SAFE_INTEGER], 0),
    strength: numberIn(r.strength, 'strength', [0, 1], 0.75),
    returnLatents: r.returnLatents ?? false,
  };
  if (r.initImage !== undefined) {
    valid.initImage = validateImage(r.initImage, prompts.length, width, height);
    if (Math.floor(valid.steps * valid.strength) < 1) {
      throw badArgument(
        `expected a strength that leaves at least one of ${valid.steps} steps to denoise, received ${valid.strength}`,
        'Raise the strength or the number of steps.',
      );
    }
  }
  if (r.attention !== undefined) valid.attention = validateAttention(r.attention);
  return valid;
}
