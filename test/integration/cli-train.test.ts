// `magicapture train` as a user runs it: the compiled bin on real image files and the tiny model, with Ctrl-C,
// --resume, sampling the result, and arguments that must fail before anything is written.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { repoRoot, tinyDiffusers } from '../helpers/golden.js';

const bin = join(repoRoot, 'bin', 'magicapture.js');
const built = existsSync(join(repoRoot, 'dist', 'src-main', 'cli', 'train-command.js'));
const arcface = join(repoRoot, 'test', 'fixtures', 'arcface', 'mobilefacenet-narrow.safetensors');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `onStderr` may act on the output as it arrives (e.g. send Ctrl-C). */
function cli(args: string[], onStderr?: (text: string, pid: number) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      out.stderr += d.toString();
      onStderr?.(out.stderr, child.pid as number);
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, ...out }));
  });
}

type Rgb = [number, number, number];

/** A synthetic portrait as shown: a disk "face" on a striped background; orientation 6 stores it rotated. */
async function photo(path: string, size: [number, number], face: [number, number, number], colours: [Rgb, Rgb], orientation?: 6) {
  const [w, h] = size;
  const [cx, cy, r] = face;
  const pixels = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
      const shade = inside ? 1 : (x + y) % 16 < 8 ? 1 : 0.8;
      for (let c = 0; c < 3; c++) pixels[(y * w + x) * 3 + c] = Math.round(255 * colours[inside ? 0 : 1][c]! * shade);
    }
  }
  let image = sharp(pixels, { raw: { width: w, height: h, channels: 3 } });
  if (orientation) image = sharp(await image.rotate(-90).png().toBuffer()).withMetadata({ orientation });
  await (path.endsWith('.webp') ? image.webp({ lossless: true }) : path.endsWith('.png') ? image.png() : image.jpeg()).toFile(path);
}

async function mask(path: string, size: [number, number], face: [number, number, number]) {
  const [w, h] = size;
  const [cx, cy, r] = face;
  const pixels = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) pixels[y * w + x] = (x - cx) ** 2 + (y - cy) ** 2 < r * r ? 255 : 0;
  await sharp(pixels, { raw: { width: w, height: h, channels: 1 } }).png().toFile(path);
}

/** Eyes, nose tip and mouth corners around a disk face. */
function landmarks([cx, cy]: [number, number, number]): number[] {
  return [cx - 6, cy - 4, cx + 6, cy - 4, cx, cy + 1, cx - 5, cy + 6, cx + 5, cy + 6];
}

describe.skipIf(!built)('magicapture train (needs `npm run build:ts`)', () => {
  const root = mkdtempSync(join(tmpdir(), 'magicapture-cli-train-'));
  const dir = (name: string) => join(root, name);
  const run = dir('run');
  const folders = ['sources', 'styles', 'source-masks', 'style-masks'];
  /** The four folder options, with some folders swapped for others. */
  const inputsWith = (swap: Record<string, string> = {}) => folders.flatMap((f) => [`--${f}`, dir(swap[f] ?? f)]);
  const inputs = inputsWith();
  const quick = ['--model', tinyDiffusers, '--resolution', '64', '--steps-ti', '4', '--steps-lora', '2', '--initializer', 'a'];

  beforeAll(async () => {
    for (const d of ['sources', 'styles', 'source-masks', 'style-masks', 'broken', 'broken-masks', 'bad-masks']) mkdirSync(dir(d));
    const skin: Rgb = [0.9, 0.7, 0.6];
    const wide: [number, number] = [80, 64];
    const tall: [number, number] = [64, 80];
    const images = [
      { file: 'sources/s1.jpg', mask: 'source-masks/s1.png', size: wide, face: [40, 30, 14], colours: [skin, [0.3, 0.3, 0.3]] },
      { file: 'sources/s2.jpg', mask: 'source-masks/s2.png', size: tall, face: [32, 38, 16], colours: [skin, [0.3, 0.35, 0.3]], orientation: 6 },
      { file: 'styles/r1.png', mask: 'style-masks/r1.png', size: wide, face: [40, 30, 15], colours: [[0.5, 0.5, 0.5], [0.1, 0.2, 0.8]] },
      { file: 'styles/r2.webp', mask: 'style-masks/r2.png', size: wide, face: [38, 32, 17], colours: [[0.4, 0.4, 0.4], [0.1, 0.3, 0.9]] },
    ] as const;
    const points: Record<string, number[]> = {};
    for (const i of images) {
      await photo(dir(i.file), i.size, [...i.face], [i.colours[0], i.colours[1]], 'orientation' in i ? i.orientation : undefined);
      await mask(dir(i.mask), i.size, [...i.face]);
      points[i.file.split('/')[1]!] = landmarks([...i.face]);
    }
    writeFileSync(dir('landmarks.json'), JSON.stringify(points));
    writeFileSync(dir('broken/s1.jpg'), 'not a JPEG');
    await mask(dir('broken-masks/s1.png'), wide, [40, 30, 14]);
    await mask(dir('bad-masks/s1.png'), [40, 40], [20, 20, 8]);
    await mask(dir('bad-masks/s2.png'), tall, [32, 38, 16]);
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('stops on Ctrl-C with a resumable checkpoint, exit code 130 and the command that resumes', async () => {
    let sent = false;
    const stopped = await cli(
      ['train', ...quick, ...inputs, '--landmarks', dir('landmarks.json'), '--arcface', arcface, '--out', run],
      (text, pid) => {
        if (!sent && / 1\/6 /.test(text)) {
          sent = true;
          process.kill(pid, 'SIGINT');
        }
      },
    );
    expect(stopped.stderr).toMatch(/phase 1\/2 textual inversion 1\/6 loss \d/);
    expect(stopped.status).toBe(130);
    expect(stopped.stderr).toContain(`Resume with: npx magicapture train --resume ${run}`);
    expect(stopped.stderr).not.toMatch(/identity loss is off/);
    for (const f of ['run.json', 'status.json', 'checkpoint.safetensors']) expect(existsSync(join(run, f))).toBe(true);
    expect(existsSync(join(run, 'magicapture_lora.safetensors'))).toBe(false);
    expect(JSON.parse(readFileSync(join(run, 'status.json'), 'utf8'))).toMatchObject({ state: 'cancelled', total: 6 });

    // Resuming on other data than the run started with is refused.
    copyFileSync(dir('sources/s1.jpg'), dir('sources/s9.jpg'));
    copyFileSync(dir('source-masks/s1.png'), dir('source-masks/s9.png'));
    const changed = await cli(['train', '--resume', run]);
    rmSync(dir('sources/s9.jpg'));
    rmSync(dir('source-masks/s9.png'));
    expect(changed.status).toBe(1);
    expect(changed.stderr).toMatch(/expected the inputs this run started with, received other files: source s9\.jpg was added/);

    const early = await cli(['sample', '--lora', run, '--prompt', 'x', '--out', dir('early.png')]);
    expect(early.status).toBe(1);
    expect(early.stderr).toMatch(/expected a finished training run .* cancelled at step \d of 6/);
    expect(early.stderr).toContain(`hint: Finish it with \`npx magicapture train --resume ${run}\``);
  });

  it('--resume needs nothing else and finishes both phases with progress, losses and the result files', async () => {
    const resumed = await cli(['train', '--resume', run]);
    expect(resumed.stderr).toMatch(/Resuming .* from its checkpoint/);
    expect(resumed.status).toBe(0);
    expect(resumed.stderr).toMatch(/100% phase 2\/2 LoRA 6\/6 ETA \S+ loss \d.* mask \d/);
    expect(resumed.stderr).toMatch(/phase 2\/2 LoRA .* id \d/);
    const files = ['magicapture_lora', 'lora_kohya', 'identity_embedding', 'style_embedding'].map((f) => join(run, `${f}.safetensors`));
    expect(resumed.stdout.trim().split('\n')).toEqual(files);
    for (const f of files) expect(existsSync(f)).toBe(true);
    expect(JSON.parse(readFileSync(join(run, 'status.json'), 'utf8'))).toMatchObject({ state: 'done', step: 6 });
    const spec = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8'));
    expect(spec.inputs.map((i: { file: string; mask: string }) => `${i.file}:${i.mask}`)).toEqual(
      ['s1.jpg:s1.png', 's2.jpg:s2.png', 'r1.png:r1.png', 'r2.webp:r2.png']);
  });

  it('samples with `--lora RUN_DIR` (tokens, LoRA at 0.6 / 0.9, the run\'s model) and differs from the base model', async () => {
    const prompt = 'a photo of a <sks> person with style <style1>';
    const common = ['--prompt', prompt, '--width', '64', '--height', '64', '--steps', '3', '--seed', '5'];
    const [tuned, base] = await Promise.all([
      cli(['sample', '--lora', run, ...common, '--out', dir('tuned.png')]),
      cli(['sample', '--model', tinyDiffusers, ...common, '--out', dir('base.png')]),
    ]);
    expect(tuned.status).toBe(0);
    expect(base.status).toBe(0);
    expect(tuned.stderr).toMatch(/Loaded magicapture LoRA: 144 UNet \+ 12 text adapters at 0\.6 \/ 0\.9, tokens <sks>, <style1>/);
    const pixels = async (f: string) => (await sharp(dir(f)).raw().toBuffer({ resolveWithObject: true }));
    const [a, b] = [await pixels('tuned.png'), await pixels('base.png')];
    expect([a.info.width, a.info.height, a.info.channels]).toEqual([64, 64, 3]);
    expect(a.data.equals(b.data)).toBe(false);
  });

  it('refuses bad arguments and bad files with exit codes and messages, writing nothing', async () => {
    const out = (name: string) => ['--out', dir(`never-${name}`)];
    const cases: Array<[string, string[], number, RegExp]> = [
      ['missing', ['train', ...quick, ...inputsWith({ styles: 'nope' }), ...out('missing')], 2,
        /expected --styles to be a folder, received ".*nope", which does not exist/],
      ['mismatch', ['train', ...quick, ...inputsWith({ 'source-masks': 'bad-masks' }), ...out('mismatch')], 1,
        /expected the mask s1\.png to be 80x64 like source image s1\.jpg, received 40x40\nhint: /],
      ['broken', ['train', ...quick, ...inputsWith({ sources: 'broken', 'source-masks': 'broken-masks' }),
        ...out('broken')], 1, /cannot decode source image .*broken\/s1\.jpg/],
      ['unknown', ['train', ...quick, ...inputs, '--bogus', '1', ...out('unknown')], 2, /Unknown option '--bogus'/],
      ['flags', ['train', ...quick, ...inputs, '--flags', 'official,fastest', ...out('flags')], 2,
        /expected --flags to be a comma-separated list of official, attention-loss, .*received "fastest"/],
      ['steps', ['train', ...quick, ...inputs, '--steps-ti', 'many', ...out('steps')], 2,
        /expected --steps-ti to be a whole number, received "many"/],
      ['range', ['train', ...quick, ...inputs, '--steps-lora', '200000', ...out('range')], 2,
        /expected --steps-lora from 0 to 100000, received 200000/],
      ['masks', ['train', ...quick, ...inputs.slice(0, 6), ...out('masks')], 2, /expected --style-masks <value>, received nothing/],
      ['resume', ['train', '--resume', run, '--steps-ti', '5'], 2, /expected --resume RUN_DIR alone .*received --steps-ti too/],
    ];
    const results = await Promise.all(cases.map(([, args]) => cli(args)));
    results.forEach((result, i) => {
      const [name, , status, message] = cases[i]!;
      expect({ name, status: result.status, stderr: result.stderr }).toMatchObject({ name, status, stderr: expect.stringMatching(message) });
      expect(existsSync(dir(`never-${name}`))).toBe(false);
    });
  });
});
