// A training run folder: run.json (everything the run was started with, so `train --resume DIR` needs nothing
// else), status.json (how far it got), the trainer's checkpoint and, once finished, the LoRA and embedding files.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { TrainConfigInput } from '../../native/lib/training.js';
import { InputError } from './input-error.js';

export const RUN_FORMAT = 'magicapture.train-run.v1';
export const RUN_FILE = 'run.json';
export const STATUS_FILE = 'status.json';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
/** The official layout with both embeddings; the trainer also writes lora_kohya and two A1111 embeddings. */
export const LORA_FILE = 'magicapture_lora.safetensors';
export const OUTPUT_FILES = [LORA_FILE, 'lora_kohya.safetensors', 'identity_embedding.safetensors', 'style_embedding.safetensors'];

export interface RunInput {
  role: 'source' | 'style';
  file: string;
  sha256: string;
  mask: string;
  maskSha256: string;
}

export interface RunSpec {
  format: typeof RUN_FORMAT;
  createdAt: string;
  model: string;
  tokenizer?: string;
  device: string;
  dtype: 'fp32' | 'fp16' | 'bf16';
  sources: string;
  styles: string;
  sourceMasks: string;
  styleMasks: string;
  landmarks?: { path: string; sha256: string };
  arcface?: string;
  resolution: number;
  initializer: string;
  flags: string[];
  config: TrainConfigInput;
  /** Names and hashes of every photo and mask: resuming on changed inputs would silently train on other data. */
  inputs: RunInput[];
}

export interface RunStatus {
  state: 'running' | 'cancelled' | 'failed' | 'done';
  step: number;
  total: number;
  updatedAt: string;
  message?: string;
}

/** Written beside the target and renamed, so a crash never leaves a half-written JSON file. */
async function writeJson(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

async function readJson(path: string, what: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError(`cannot read ${what} ${path}: ${(error as Error).message}`, 'Start a new run with `magicapture train ... --out DIR`.');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InputError(`expected ${path} to hold an object`);
  return parsed as Record<string, unknown>;
}

export function writeRunSpec(dir: string, spec: RunSpec): Promise<void> {
  return writeJson(join(dir, RUN_FILE), spec);
}

export function writeStatus(dir: string, status: Omit<RunStatus, 'updatedAt'>): Promise<void> {
  return writeJson(join(dir, STATUS_FILE), { ...status, updatedAt: new Date().toISOString() });
}

export function isRunDir(dir: string): boolean {
  return existsSync(join(dir, RUN_FILE));
}

export async function readRunSpec(dir: string): Promise<RunSpec> {
  if (!isRunDir(dir)) {
    throw new InputError(
      `expected a training run folder holding ${RUN_FILE}, received ${JSON.stringify(dir)}`,
      'Pass the --out folder of an earlier `magicapture train`.',
    );
  }
  const spec = await readJson(join(dir, RUN_FILE), 'the run settings');
  const strings = ['model', 'device', 'dtype', 'sources', 'styles', 'sourceMasks', 'styleMasks', 'initializer'];
  const ok =
    spec['format'] === RUN_FORMAT &&
    strings.every((k) => typeof spec[k] === 'string') &&
    typeof spec['resolution'] === 'number' &&
    Array.isArray(spec['inputs']) &&
    Array.isArray(spec['flags']) &&
    typeof spec['config'] === 'object';
  if (!ok) throw new InputError(`expected ${join(dir, RUN_FILE)} in the format ${RUN_FORMAT}`, 'The file was edited or damaged.');
  return spec as unknown as RunSpec;
}

export async function readStatus(dir: string): Promise<RunStatus | undefined> {
  if (!existsSync(join(dir, STATUS_FILE))) return undefined;
  return (await readJson(join(dir, STATUS_FILE), 'the run status')) as unknown as RunStatus;
}

/** The LoRA file of a finished run, with a message that says how to finish an unfinished one. */
export async function finishedLora(dir: string): Promise<{ lora: string; spec: RunSpec }> {
  const spec = await readRunSpec(dir);
  const lora = join(dir, LORA_FILE);
  const status = await readStatus(dir);
  if (status?.state !== 'done' || !existsSync(lora)) {
    throw new InputError(
      `expected a finished training run in ${dir}, received one ${status ? `${status.state} at step ${status.step} of ${status.total}` : 'without a status'}`,
      `Finish it with \`npx magicapture train --resume ${dir}\`.`,
    );
  }
  return { lora, spec };
}
