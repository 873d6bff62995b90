// The magicapture CLI as a user runs it: the compiled bin, real files, exit codes and messages.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';

import { repoRoot, tinyDiffusers, tinyLdm, tinyTokenizer } from '../helpers/golden.js';

const bin = join(repoRoot, 'bin', 'magicapture.js');
const built = existsSync(join(repoRoot, 'dist', 'src-main', 'cli', 'index.js'));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe.skipIf(!built)('magicapture CLI (needs `npm run build:ts`)', () => {
  it('samples PNG files with progress and prints their paths and the seed', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'magicapture-cli-')), 'portrait.png');
    const run = cli('sample', '--model', tinyDiffusers, '--prompt', 'a photo of a cat', '--width', '64', '--height', '64',
      '--steps', '3', '--seed', '9', '--images', '2', '--out', out);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/100% sampling 3\/3/);
    const paths = run.stdout.trim().split('\n');
    expect(paths.slice(0, 2)).toEqual([out.replace('.png', '-1.png'), out.replace('.png', '-2.png')]);
    expect(paths[2]).toBe('seed 9');
    const meta = await sharp(paths[0]!).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 64, 64, 3]);
  });

  it('describes a single-file checkpoint', () => {
    const run = cli('info', '--model', tinyLdm('-fp16'), '--tokenizer', tinyTokenizer);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/single file \(LDM/);
    expect(run.stdout).toMatch(/unused keys {2}2: .*position_ids, model_ema\.decay/);
  });

  it('fails with exit codes and messages that say what to do', () => {
    const usage = cli('sample', '--model', tinyDiffusers, '--prompt', 'x', '--steps', '0', '--out', '/tmp/x.png');
    expect(usage.status).toBe(1);
    expect(usage.stderr).toMatch(/expected steps to be an integer from 1 to 150, received 0/);
    const pickle = cli('sample', '--model', '/tmp/model.ckpt', '--prompt', 'x', '--out', '/tmp/x.png');
    expect(pickle.status).toBe(1);
    expect(pickle.stderr).toMatch(/hint: /);
    const unknown = cli('paint');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "paint"/);
    const missing = cli('sample', '--prompt', 'x', '--out', '/tmp/x.png');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/expected --model <value>/);
  });
});
