// The engine's samplers against diffusers 0.35.2 (test/golden/schedulers.json + scheduler_loops.safetensors):
// plans, img2img plans, add_noise, and whole denoising loops driven by a known model function.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { addon } from '../../native/lib/addon.js';
import { EngineError } from '../../native/lib/errors.js';
import {
  img2imgPlan,
  SAMPLER_NAMES,
  type SamplerName,
  schedulerAddNoise,
  schedulerLoop,
  schedulerNames,
  schedulerPlan,
} from '../../native/lib/schedulers.js';
import { goldenDir, goldenJson, maxAbsDiff } from '../helpers/golden.js';

interface GoldenPlan {
  timesteps: number[];
  sigmas: number[] | null;
  init_noise_sigma: number;
}

interface GoldenImg2Img {
  steps: number;
  strength: number;
  start_index: number;
  timesteps: number[];
}

interface GoldenSampler {
  plans: Record<string, GoldenPlan>;
  img2img_plans: GoldenImg2Img[];
  loops: Record<string, string[]>;
  add_noise: { steps: number; strength: number; timestep: number; tensors: string[] };
}

interface GoldenSchedulers {
  seeds: { loop_generator: number };
  samplers: Record<SamplerName, GoldenSampler>;
}

const golden = goldenJson<GoldenSchedulers>('schedulers.json');
const tensors = readFloat32Safetensors(join(goldenDir, 'scheduler_loops.safetensors'));
const LOOP_TOLERANCE = 1e-4;
const RELATIVE_TOLERANCE = 1e-5;

/** Minimal safetensors reader for the golden file: 8-byte LE header length, JSON header, raw F32 data. */
function readFloat32Safetensors(path: string): Map<string, { shape: number[]; data: Float32Array }> {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] }
  >;
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__' || info.dtype !== 'F32') continue;
    const [begin, end] = info.data_offsets;
    const start = 8 + headerLength + begin;
    const data = new Float32Array((end - begin) / 4);
    for (let i = 0; i < data.length; i++) data[i] = bytes.readFloatLE(start + 4 * i);
    out.set(name, { shape: info.shape, data });
  }
  return out;
}

function tensor(name: string): { shape: number[]; data: Float32Array } {
  const t = tensors.get(name);
  if (!t) throw new Error(`golden tensor ${name} is missing`);
  return t;
}

function expectRelativelyClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    expect(Math.abs(a - e), `index ${i}: ${a} vs ${e}`).toBeLessThanOrEqual(RELATIVE_TOLERANCE * Math.abs(e));
  });
}

function expectEngineError(call: () => unknown, code: string, message: string | RegExp): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected the call to throw').toBeInstanceOf(Error);
  const e = thrown as { code?: unknown; message: string };
  expect(e.code).toBe(code);
  if (typeof message === 'string') expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
}

/** The addon's raw functions, to check that the native side validates on its own too. */
const raw = () => addon() as unknown as Record<string, (...args: unknown[]) => unknown>;

describe('sampler names', () => {
  it('lists the four samplers in the facade order', () => {
    expect(schedulerNames()).toEqual([...SAMPLER_NAMES]);
  });
});

for (const name of SAMPLER_NAMES) {
  const expected = golden.samplers[name];

  describe(`${name} against diffusers`, () => {
    for (const [steps, plan] of Object.entries(expected.plans)) {
      it(`plans ${steps} steps: timesteps, sigmas, init_noise_sigma`, () => {
        const actual = schedulerPlan(name, Number(steps));
        // Timesteps are exact: integers (DDIM, DPM++) or float32 values of a float64 linspace (Euler).
        expect(actual.timesteps).toEqual(plan.timesteps);
        if (plan.sigmas === null) {
          expect(actual.sigmas).toBeNull();
        } else {
          expect(actual.sigmas).not.toBeNull();
          expectRelativelyClose(actual.sigmas ?? [], plan.sigmas);
        }
        expectRelativelyClose([actual.initNoiseSigma], [plan.init_noise_sigma]);
      });
    }

    for (const p of expected.img2img_plans) {
      it(`img2img plan for ${p.steps} steps at strength ${p.strength}`, () => {
        expect(img2imgPlan(name, p.steps, p.strength)).toEqual({ startIndex: p.start_index, timesteps: p.timesteps });
      });
    }

    for (const steps of Object.keys(expected.loops)) {
      it(`runs a ${steps}-step loop to diffusers' final sample`, () => {
        const noise = tensor(`${name}.${steps}.noise`);
        const final = tensor(`${name}.${steps}.final`);
        const out = schedulerLoop({
          name,
          steps: Number(steps),
          noise: noise.data,
          shape: noise.shape,
          seed: golden.seeds.loop_generator,
        });
        expect(out).toBeInstanceOf(Float32Array);
        expect(maxAbsDiff(out, final.data)).toBeLessThan(LOOP_TOLERANCE);
      });
    }

    it('adds noise for img2img at the start index as diffusers does', () => {
      const { steps, strength } = expected.add_noise;
      const original = tensor(`${name}.addnoise.original`);
      const noise = tensor(`${name}.addnoise.noise`);
      const noisy = tensor(`${name}.addnoise.noisy`);
      const result = schedulerAddNoise({
        name,
        steps,
        strength,
        original: original.data,
        noise: noise.data,
        shape: original.shape,
      });
      expect(result.startIndex).toBe(4);
      expect(schedulerPlan(name, steps).timesteps[result.startIndex]).toBe(expected.add_noise.timestep);
      expect(maxAbsDiff(result.noisy, noisy.data)).toBeLessThan(LOOP_TOLERANCE);
    });
  });
}

describe('sampler randomness', () => {
  const noise = tensor('euler_a.4.noise');
  const run = (name: SamplerName, seed: number | bigint) =>
    schedulerLoop({ name, steps: 4, noise: noise.data, shape: noise.shape, seed });

  it('Euler-a is reproducible for a seed and changes with it', () => {
    expect(run('euler_a', 99)).toEqual(run('euler_a', 99));
    expect(run('euler_a', 99n)).toEqual(run('euler_a', 99));
    expect(maxAbsDiff(run('euler_a', 99), run('euler_a', 100))).toBeGreaterThan(1e-3);
  });

  it('the deterministic samplers ignore the generator', () => {
    for (const name of ['ddim', 'euler', 'dpmpp_2m_karras'] as const) {
      expect(run(name, 1)).toEqual(run(name, 2));
    }
  });
});

describe('img2img start index', () => {
  it('truncates steps * strength like StableDiffusionImg2ImgPipeline.get_timesteps', () => {
    // The product is a double and truncates: 100 * 0.29 = 28.999999999999996 and 3 * 0.35 = 1.0499999999999998.
    expect(img2imgPlan('euler', 100, 0.29).startIndex).toBe(72);
    expect(img2imgPlan('euler', 3, 0.35).startIndex).toBe(2);
    expect(img2imgPlan('ddim', 50, 1).startIndex).toBe(0);
  });

  it('leaves nothing to run at strength 0, and add_noise refuses that', () => {
    expect(img2imgPlan('dpmpp_2m_karras', 10, 0)).toEqual({ startIndex: 10, timesteps: [] });
    const data = new Float32Array(4);
    expectEngineError(
      () => schedulerAddNoise({ name: 'euler', steps: 10, strength: 0.05, original: data, noise: data, shape: [4] }),
      'E_BAD_ARGUMENT',
      'expected a strength that leaves at least one of 10 steps to denoise, received 0.05',
    );
  });
});

describe('bad arguments', () => {
  it('rejects step counts outside 1..1000 in the facade and natively', () => {
    expectEngineError(() => schedulerPlan('euler', 0), 'E_BAD_ARGUMENT', 'expected 1 to 1000 steps, received 0');
    expectEngineError(() => schedulerPlan('euler', 1001), 'E_BAD_ARGUMENT', 'expected 1 to 1000 steps, received 1001');
    expectEngineError(() => raw()['schedulerPlan']!('euler', 0), 'E_BAD_ARGUMENT',
      'expected 1 to 1000 steps, received 0');
    expectEngineError(() => raw()['schedulerPlan']!('dpmpp_2m_karras', 1001), 'E_BAD_ARGUMENT',
      'expected 1 to 1000 steps, received 1001');
    expect(schedulerPlan('euler_a', 1000).timesteps).toHaveLength(1000);
  });

  it('rejects 1000 DDIM steps, whose first timestep would be 1000', () => {
    expectEngineError(() => schedulerPlan('ddim', 1000), 'E_BAD_ARGUMENT',
      'ddim: expected 1 to 999 steps, received 1000');
    expectEngineError(() => raw()['schedulerPlan']!('ddim', 1000), 'E_BAD_ARGUMENT',
      'ddim: expected 1 to 999 steps, received 1000');
    expect(schedulerPlan('ddim', 999).timesteps.slice(0, 2)).toEqual([999, 998]);
  });

  it('names the valid samplers for an unknown one', () => {
    const list = 'ddim, euler, euler_a, dpmpp_2m_karras';
    expectEngineError(() => schedulerPlan('pndm' as SamplerName, 10), 'E_BAD_ARGUMENT',
      `expected a sampler name (${list}), received "pndm"`);
    expectEngineError(() => raw()['schedulerPlan']!('pndm', 10), 'E_BAD_ARGUMENT',
      `expected a sampler name (${list}), received "pndm"`);
  });

  it('rejects strengths outside [0, 1]', () => {
    expectEngineError(() => img2imgPlan('euler', 10, 1.5), 'E_BAD_ARGUMENT',
      'expected a strength from 0 to 1, received 1.5');
    expectEngineError(() => raw()['img2imgPlan']!('euler', 10, -0.5), 'E_BAD_ARGUMENT',
      'expected a strength from 0 to 1, received -0.5');
  });

  it('rejects data that does not fit the shape', () => {
    const call = () =>
      schedulerLoop({ name: 'euler', steps: 4, noise: new Float32Array(5), shape: [1, 4], seed: 0 });
    expectEngineError(call, 'E_BAD_ARGUMENT', 'expected noise to hold 4 values for shape [1, 4], received 5');
    expect(() => call()).toThrow(EngineError);
    expectEngineError(
      () => raw()['schedulerLoop']!({ name: 'euler', steps: 4, noise: new Float32Array(5), shape: [1, 4], seed: 0 }),
      'E_BAD_ARGUMENT',
      'expected noise to hold 4 values for its shape, received 5',
    );
    expectEngineError(
      () => raw()['schedulerLoop']!({ name: 'euler', steps: 4, noise: [1, 2, 3, 4], shape: [1, 4], seed: 0 }),
      'E_BAD_ARGUMENT',
      'expected noise to be a Float32Array, received an array',
    );
  });
});
