// `magicapture sample`: txt2img (or img2img with --init) from a checkpoint, written as PNG files.
import { randomInt } from 'node:crypto';
import { stat, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

import { Engine, toRgb8, type Dtype } from '../../native/lib/engine.js';
import { type ImageTensor, type SampleRequest, type SamplerName, validateSampleRequest } from '../../native/lib/sample-request.js';
import { optionalInt, optionalNumber, requireString, UsageError } from './args.js';
import { formatSeconds, ProgressBar } from './progress-bar.js';
import { finishedLora } from './run-dir.js';

export const SAMPLE_USAGE = `magicapture sample --model PATH --prompt "..." --out out.png
  [--negative "..."] [--sampler euler_a|euler|ddim|dpmpp_2m_karras] [--steps 30] [--cfg 7]
  [--seed N] [--width 512 --height 512] [--images 1] [--init image.png --strength 0.75]
  [--device cpu|cuda:N] [--dtype fp32|fp16|bf16] [--tokenizer DIR]
  [--lora lora.safetensors|RUN_DIR [--lora-unet-scale 0.6] [--lora-text-scale 0.9]]
    (--lora RUN_DIR: the result of \`magicapture train\`, its embeddings and LoRA; --model defaults to the run's)`;

const OPTIONS = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  negative: { type: 'string' },
  sampler: { type: 'string' },
  steps: { type: 'string' },
  cfg: { type: 'string' },
  seed: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
  images: { type: 'string' },
  init: { type: 'string' },
  strength: { type: 'string' },
  device: { type: 'string' },
  dtype: { type: 'string' },
  tokenizer: { type: 'string' },
  lora: { type: 'string' },
  'lora-unet-scale': { type: 'string' },
  'lora-text-scale': { type: 'string' },
  out: { type: 'string' },
} as const;

/** out.png for one image; out-1.png, out-2.png ... for several. */
export function outputPaths(out: string, count: number): string[] {
  if (count === 1) return [out];
  const ext = extname(out) || '.png';
  const stem = basename(out, extname(out));
  return Array.from({ length: count }, (_, i) => join(dirname(out), `${stem}-${i + 1}${ext}`));
}

async function loadInitImage(path: string, width: number, height: number): Promise<ImageTensor> {
  const { data } = await sharp(path)
    .rotate()
    .resize(width, height, { fit: 'cover' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const plane = width * height;
  const planar = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) planar[c * plane + i] = (data[i * 3 + c] as number) / 255;
  return { data: planar, shape: [1, 3, height, width] };
}

async function writePng(path: string, rgb: { data: Uint8Array; width: number; height: number }): Promise<void> {
  // Written beside the target and renamed, so a half-written file is never left under the final name.
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await sharp(Buffer.from(rgb.data), { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
      .png()
      .toFile(temp);
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
}

/** --lora names a file, or a training run folder whose LoRA file (and model and tokenizer, as defaults) it uses. */
async function resolveLora(values: { lora?: string; model?: string; tokenizer?: string }) {
  if (!values.lora || !(await stat(values.lora).catch(() => undefined))?.isDirectory()) return values;
  const { lora, spec } = await finishedLora(values.lora);
  return { lora, model: values.model ?? spec.model, tokenizer: values.tokenizer ?? spec.tokenizer };
}

export async function sampleCommand(argv: string[]): Promise<void> {
  const parsed = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values;
  const values = { ...parsed, ...(await resolveLora(parsed)) };
  const model = requireString(values, 'model');
  const prompt = requireString(values, 'prompt');
  const out = requireString(values, 'out');
  if (!/\.png$/i.test(out)) throw new UsageError(`expected --out to name a .png file, received ${JSON.stringify(out)}`);
  const width = optionalInt(values, 'width') ?? 512;
  const height = optionalInt(values, 'height') ?? 512;
  const seed = optionalInt(values, 'seed') ?? randomInt(0, 2 ** 32);
  const images = optionalInt(values, 'images') ?? 1;

  const steps = optionalInt(values, 'steps');
  const cfg = optionalNumber(values, 'cfg');
  const strength = optionalNumber(values, 'strength');
  const request: SampleRequest = {
    prompt,
    negativePrompt: values.negative ?? '',
    sampler: (values.sampler ?? 'euler_a') as SamplerName,
    seed,
    width,
    height,
    imagesPerPrompt: images,
    ...(steps === undefined ? {} : { steps }),
    ...(cfg === undefined ? {} : { guidanceScale: cfg }),
    ...(strength === undefined ? {} : { strength }),
  };
  validateSampleRequest(request); // fail on a bad value before spending seconds loading the model
  const loraUnetScale = optionalNumber(values, 'lora-unet-scale');
  const loraTextScale = optionalNumber(values, 'lora-text-scale');
  if (!values.lora && (loraUnetScale !== undefined || loraTextScale !== undefined)) {
    throw new UsageError('expected --lora PATH with --lora-unet-scale / --lora-text-scale');
  }
  if (values.init) request.initImage = await loadInitImage(values.init, width, height);

  const opened = Date.now();
  const engine = await Engine.open(model, {
    ...(values.device ? { device: values.device } : {}),
    ...(values.dtype ? { dtype: values.dtype as Dtype } : {}),
    ...(values.tokenizer ? { tokenizerDir: values.tokenizer } : {}),
  });
  process.stderr.write(`Loaded ${engine.info.layout} checkpoint in ${formatSeconds((Date.now() - opened) / 1000)}\n`);
  try {
    if (values.lora) {
      const lora = await engine.loadLora(values.lora, {
        ...(loraUnetScale === undefined ? {} : { unetScale: loraUnetScale }),
        ...(loraTextScale === undefined ? {} : { textScale: loraTextScale }),
      });
      const tokens = lora.tokens.map((t) => t.token).join(', ');
      process.stderr.write(
        `Loaded ${lora.format} LoRA: ${lora.unetAdapters} UNet + ${lora.textAdapters} text adapters at ` +
          `${lora.unetScale} / ${lora.textScale}${tokens ? `, tokens ${tokens}` : ''}\n`,
      );
    }
    const bar = new ProgressBar('sampling');
    const result = await engine.sample(request, { onStep: (p) => bar.update(p.step, p.total, p.etaSeconds) });
    const paths = outputPaths(out, result.images.shape[0] as number);
    for (const [i, path] of paths.entries()) await writePng(path, toRgb8(result.images, i));
    process.stdout.write(`${paths.join('\n')}\nseed ${seed}\n`);
  } finally {
    engine.close();
  }
}
