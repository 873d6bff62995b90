// Reads committed goldens and fixtures (test/golden/README.md says how they were made).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { addon, type NativeTensor } from '../../native/lib/addon.js';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const goldenDir = join(repoRoot, 'test', 'golden');
export const tinySd = join(repoRoot, 'test', 'fixtures', 'tiny-sd');
export const tinyDiffusers = join(tinySd, 'diffusers');
export const tinyTokenizer = join(tinyDiffusers, 'tokenizer');
export const tinyLdm = (variant: '' | '-fp16' | '-bf16' = '') => join(tinySd, `tiny-sd-ldm${variant}.safetensors`);

export function goldenTensor(file: string, name: string): NativeTensor {
  const loaded = (addon()['loadSafetensorsTensor'] as (p: string, n: string) => NativeTensor)(join(goldenDir, file), name);
  return { data: loaded.data, shape: loaded.shape };
}

export function goldenJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(goldenDir, file), 'utf8')) as T;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

export function maxAbs(a: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] as number));
  return max;
}

/** PSNR in dB of two images in [0, 1]. */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  const mse = sum / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10(1 / mse);
}
