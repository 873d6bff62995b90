// Typed facade over the addon's sampler functions (native/binding/scheduler_binding.cpp). Arguments are validated
// here, before the one native crossing; the native side checks them again. Every failure is an EngineError.
import { addon } from './addon.js';
import { badArgument, describe, fromNative } from './errors.js';

export const SAMPLER_NAMES = ['ddim', 'euler', 'euler_a', 'dpmpp_2m_karras'] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** Train timesteps of SD1.5; a plan has 1 to this many steps (DDIM: one fewer, see below). */
export const MAX_STEPS = 1000;

export interface SchedulerPlan {
  /** The timestep the UNet receives at each step index (Euler's are fractional float32 values). */
  timesteps: number[];
  /** One more than timesteps (the last is 0); null for DDIM, which has none. */
  sigmas: number[] | null;
  /** Factor applied to the initial noise of a txt2img run (not used by img2img). */
  initNoiseSigma: number;
}

export interface Img2ImgPlan {
  /** Step index the run starts from; equals the step count when strength leaves nothing to denoise. */
  startIndex: number;
  /** The timesteps still to run: plan.timesteps.slice(startIndex). */
  timesteps: number[];
}

export interface SchedulerLoopOptions {
  name: SamplerName;
  steps: number;
  noise: Float32Array;
  shape: readonly number[];
  /** Seed of the CPU generator that feeds Euler-a's ancestral noise. */
  seed: number | bigint;
}

export interface SchedulerAddNoiseOptions {
  name: SamplerName;
  steps: number;
  strength: number;
  original: Float32Array;
  noise: Float32Array;
  shape: readonly number[];
}

export interface AddNoiseResult {
  startIndex: number;
  noisy: Float32Array;
}

/** The raw functions the addon exports (scheduler_binding.cpp); only this module calls them. */
interface SchedulerNative {
  schedulerNames(): string[];
  schedulerPlan(name: string, steps: number): SchedulerPlan;
  img2imgPlan(name: string, steps: number, strength: number): Img2ImgPlan;
  schedulerLoop(options: {
    name: string;
    steps: number;
    noise: Float32Array;
    shape: number[];
    seed: number | bigint;
  }): Float32Array;
  schedulerAddNoise(options: {
    name: string;
    steps: number;
    strength: number;
    original: Float32Array;
    noise: Float32Array;
    shape: number[];
  }): AddNoiseResult;
}

function native<T>(call: (s: SchedulerNative) => T): T {
  try {
    return call(addon() as unknown as SchedulerNative);
  } catch (error) {
    throw fromNative(error);
  }
}

export function isSamplerName(value: unknown): value is SamplerName {
  return typeof value === 'string' && (SAMPLER_NAMES as readonly string[]).includes(value);
}

function checkName(name: unknown): SamplerName {
  if (!isSamplerName(name)) {
    throw badArgument(`expected a sampler name (${SAMPLER_NAMES.join(', ')}), received ${describe(name)}`,
      `Pick one of: ${SAMPLER_NAMES.join(', ')}.`);
  }
  return name;
}

function checkSteps(steps: unknown, name: SamplerName): number {
  if (typeof steps !== 'number' || !Number.isInteger(steps) || steps < 1 || steps > MAX_STEPS) {
    throw badArgument(`expected 1 to ${MAX_STEPS} steps, received ${describe(steps)}`,
      `Choose a step count between 1 and ${MAX_STEPS}.`);
  }
  // DDIM's "leading" spacing plus steps_offset 1 puts its first timestep at 1000 for 1000 steps, past the table.
  if (name === 'ddim' && steps === MAX_STEPS) {
    throw badArgument(`ddim: expected 1 to ${MAX_STEPS - 1} steps, received ${steps}`,
      'DDIM with steps_offset 1 runs past the last train timestep at 1000 steps; use fewer steps.');
  }
  return steps;
}

function checkStrength(strength: unknown): number {
  if (typeof strength !== 'number' || !Number.isFinite(strength) || strength < 0 || strength > 1) {
    throw badArgument(`expected a strength from 0 to 1, received ${describe(strength)}`,
      'Strength is how much of the image is re-noised: 0 keeps it, 1 replaces it.');
  }
  return strength;
}

function checkShape(shape: unknown): number[] {
  const valid = Array.isArray(shape) && shape.length >= 1 && shape.length <= 8 &&
    shape.every((d) => Number.isSafeInteger(d) && d >= 1);
  if (!valid) {
    throw badArgument(`expected shape to be 1 to 8 positive integers, received ${JSON.stringify(shape)}`);
  }
  return [...(shape as number[])];
}

function checkData(data: unknown, shape: number[], what: string): Float32Array {
  if (!(data instanceof Float32Array)) {
    throw badArgument(`expected ${what} to be a Float32Array, received ${describe(data)}`);
  }
  const numel = shape.reduce((a, b) => a * b, 1);
  if (data.length !== numel) {
    throw badArgument(
      `expected ${what} to hold ${numel} values for shape [${shape.join(', ')}], received ${data.length}`,
    );
  }
  return data;
}

function checkSeed(seed: unknown): number | bigint {
  const ok =
    (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0) ||
    (typeof seed === 'bigint' && seed >= 0n && seed < 1n << 64n);
  if (!ok) throw badArgument(`expected seed to be a non-negative integer below 2^64, received ${describe(seed)}`);
  return seed as number | bigint;
}

/** The sampler names the engine knows, in its order. */
export function schedulerNames(): string[] {
  return native((s) => s.schedulerNames());
}

/** Timesteps, sigmas and initial noise scale of a `steps`-step run, exactly as diffusers plans it. */
export function schedulerPlan(name: SamplerName, steps: number): SchedulerPlan {
  const sampler = checkName(name);
  checkSteps(steps, sampler);
  return native((s) => s.schedulerPlan(sampler, steps));
}

/** Where an img2img run of `strength` starts (StableDiffusionImg2ImgPipeline.get_timesteps) and what it runs. */
export function img2imgPlan(name: SamplerName, steps: number, strength: number): Img2ImgPlan {
  const sampler = checkName(name);
  checkSteps(steps, sampler);
  checkStrength(strength);
  return native((s) => s.img2imgPlan(sampler, steps, strength));
}

/**
 * Test harness: runs the real sampler over `steps` with the model eps = 0.5 * scale_model_input(x) + t / 1000,
 * starting from noise * initNoiseSigma. Returns the final sample.
 */
export function schedulerLoop(options: SchedulerLoopOptions): Float32Array {
  const name = checkName(options.name);
  const steps = checkSteps(options.steps, name);
  const shape = checkShape(options.shape);
  const noise = checkData(options.noise, shape, 'noise');
  const seed = checkSeed(options.seed);
  return native((s) => s.schedulerLoop({ name, steps, noise, shape, seed }));
}

/** Forward-diffuses `original` to the noise level where an img2img run of `strength` starts. */
export function schedulerAddNoise(options: SchedulerAddNoiseOptions): AddNoiseResult {
  const name = checkName(options.name);
  const steps = checkSteps(options.steps, name);
  const strength = checkStrength(options.strength);
  const shape = checkShape(options.shape);
  const original = checkData(options.original, shape, 'original');
  const noise = checkData(options.noise, shape, 'noise');
  return native((s) => s.schedulerAddNoise({ name, steps, strength, original, noise, shape }));
}
