// The options of `magicapture train` and their checks: everything a new run is started with is validated here,
// before any file is read or written.
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';

import type { Dtype } from '../../native/lib/engine.js';
import { optionalInt, requireString, UsageError } from './args.js';
import { isRunDir, OUTPUT_FILES, type RunSpec } from './run-dir.js';
import { FLAG_NAMES, parseTrainFlags } from './training-flags.js';

export const TRAIN_USAGE = `magicapture train --model PATH --sources DIR --styles DIR --source-masks DIR --style-masks DIR
    --out RUN_DIR [--landmarks FILE.json --arcface FILE.safetensors] [--steps-ti 1200] [--steps-lora 1500]
    [--rank 4] [--seed 42] [--resolution 512] [--initializer person] [--checkpoint-every 100]
    [--flags official,SWITCH,...] [--device cpu|cuda:N] [--dtype fp32|fp16|bf16] [--tokenizer DIR]
  magicapture train --resume RUN_DIR [--device cpu|cuda:N]
    (magicapture train --help: what the folders, masks and landmarks hold)`;

export const TRAIN_HELP = `usage: ${TRAIN_USAGE}

--sources     the client's selfies (4 to 6 in the paper), every image file of the folder, sorted by name.
--styles      the reference portraits whose style (everything but the face) is learned.
--source-masks, --style-masks
              one grey image per photo, with the photo's base name (a.jpg -> a.png), the size of the photo as
              shown: white on the face (skin, brows, eyes, ears, nose, mouth; not hair or neck), black elsewhere.
              Both are required: the identity is learned from the face of each source only and the style from
              everything but the face of each reference (METHOD.md §1.5), so there is no correct default.
--landmarks   JSON {"a.jpg": [x0, y0, ... x4, y4]}: eyes, nose tip, mouth corners in pixels of the photo as
              shown, for sources and references. With --arcface (an ArcFace network as .safetensors) it turns
              on the identity loss; without both that loss is off and a warning says so.
--resolution  photos are EXIF-rotated, converted to sRGB, resized so the shorter side is this size and
              centre-cropped to a square (a multiple of 64; SD1.5 trains at 512).
--initializer the word <sks> starts from (one token of the model's vocabulary).
--flags       official: every choice of the official code (no AR gradient, whole embedding table, LR schedule
              stepped first), and/or single switches: ${FLAG_NAMES.slice(1).join(', ')}.
              The default fixes the official bugs (METHOD.md §10, §12).

The run folder keeps run.json (these settings), status.json, checkpoint.safetensors and, at the end,
${OUTPUT_FILES.join(', ')}.
Ctrl-C stops after the current step and saves a checkpoint; \`magicapture train --resume RUN_DIR\` continues.
Sample with \`magicapture sample --lora RUN_DIR --prompt "a photo of a <sks> person with style <style1>" ...\`.
`;

export const TRAIN_OPTIONS = {
  model: { type: 'string' },
  sources: { type: 'string' },
  styles: { type: 'string' },
  'source-masks': { type: 'string' },
  'style-masks': { type: 'string' },
  landmarks: { type: 'string' },
  arcface: { type: 'string' },
  'steps-ti': { type: 'string' },
  'steps-lora': { type: 'string' },
  rank: { type: 'string' },
  seed: { type: 'string' },
  resolution: { type: 'string' },
  initializer: { type: 'string' },
  'checkpoint-every': { type: 'string' },
  flags: { type: 'string' },
  device: { type: 'string' },
  dtype: { type: 'string' },
  tokenizer: { type: 'string' },
  out: { type: 'string' },
  resume: { type: 'string' },
  help: { type: 'boolean' },
} as const;

export type Values = Record<string, string | boolean | undefined>;

function intIn(values: Values, name: string, lo: number, hi: number, fallback: number): number {
  const n = optionalInt(values, name) ?? fallback;
  if (n < lo || n > hi) throw new UsageError(`expected --${name} from ${lo} to ${hi}, received ${n}`);
  return n;
}

export function checkDevice(device: string, dtype: string): void {
  if (!/^(cpu|cuda(:\d{1,3})?)$/.test(device)) throw new UsageError(`expected --device cpu, cuda or cuda:N, received ${JSON.stringify(device)}`);
  if (!['fp32', 'fp16', 'bf16'].includes(dtype)) throw new UsageError(`expected --dtype fp32, fp16 or bf16, received ${JSON.stringify(dtype)}`);
}

function checkFile(path: string, option: string, extension?: RegExp): string {
  const info = existsSync(path) ? statSync(path) : undefined;
  if (!info?.isFile()) throw new UsageError(`expected --${option} to be a file, received ${JSON.stringify(path)}, which ${info ? 'is a folder' : 'does not exist'}`);
  if (extension && !extension.test(path)) throw new UsageError(`expected --${option} to be a ${extension.source.replace(/\\|\$/g, '')} file, received ${JSON.stringify(path)}`);
  return resolve(path);
}

export async function checkOutDir(out: string): Promise<string> {
  const dir = resolve(out);
  if (!existsSync(dir)) return dir;
  if (!statSync(dir).isDirectory()) throw new UsageError(`expected --out to be a folder, received the file ${JSON.stringify(out)}`);
  if (isRunDir(dir)) throw new UsageError(`expected --out to be a new folder, received the run ${JSON.stringify(out)}; continue it with --resume ${out}`);
  if ((await readdir(dir)).length > 0) throw new UsageError(`expected --out to be a new or empty folder, received ${JSON.stringify(out)} with files in it`);
  return dir;
}

/** run.json before the inputs are read; landmarks is still a path. */
export type NewRunSettings = Omit<RunSpec, 'inputs' | 'createdAt' | 'landmarks'> & { landmarks?: string };

/** Every setting of a new run, checked before anything is read or written. */
export function specFromArgs(values: Values): NewRunSettings {
  const device = (values['device'] as string | undefined) ?? 'cpu';
  const dtype = (values['dtype'] as string | undefined) ?? 'fp32';
  checkDevice(device, dtype);
  const stepsTi = intIn(values, 'steps-ti', 0, 100_000, 1200);
  const stepsLora = intIn(values, 'steps-lora', 0, 100_000, 1500);
  if (stepsTi + stepsLora === 0) throw new UsageError('expected at least one training step, received --steps-ti 0 and --steps-lora 0');
  const resolution = intIn(values, 'resolution', 64, 2048, 512);
  if (resolution % 64 !== 0) throw new UsageError(`expected --resolution to be a multiple of 64, received ${resolution}`);
  const flags = parseTrainFlags(values['flags'] as string | undefined);
  const landmarks = values['landmarks'] === undefined ? undefined : checkFile(values['landmarks'] as string, 'landmarks', /\.json$/i);
  const arcface = values['arcface'] === undefined ? undefined : checkFile(values['arcface'] as string, 'arcface', /\.safetensors$/i);
  const tokenizer = values['tokenizer'] as string | undefined;
  return {
    format: 'magicapture.train-run.v1',
    model: resolve(requireString(values, 'model')),
    ...(tokenizer ? { tokenizer: resolve(tokenizer) } : {}),
    device,
    dtype: dtype as Dtype,
    sources: resolve(requireString(values, 'sources')),
    styles: resolve(requireString(values, 'styles')),
    sourceMasks: resolve(requireString(values, 'source-masks')),
    styleMasks: resolve(requireString(values, 'style-masks')),
    ...(landmarks ? { landmarks } : {}),
    ...(arcface ? { arcface } : {}),
    resolution,
    initializer: (values['initializer'] as string | undefined) ?? 'person',
    flags: flags.names,
    config: {
      ...flags.config,
      stepsTi,
      stepsLora,
      rank: intIn(values, 'rank', 1, 128, 4),
      seed: intIn(values, 'seed', 0, Number.MAX_SAFE_INTEGER, 42),
      checkpointEvery: intIn(values, 'checkpoint-every', 0, 1_000_000, 100),
    },
  };
}

