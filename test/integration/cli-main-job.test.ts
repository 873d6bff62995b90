// The README's main job as a fresh machine runs it: `magicapture studio --model ...`. Electron cannot launch here
// (no binary, no display), so the studio must come up in the browser instead, say why, serve the API with the
// chosen base model, and stop cleanly on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { repoRoot, tinyDiffusers } from '../helpers/golden.js';

const bin = join(repoRoot, 'bin', 'magicapture.js');
const built = existsSync(join(repoRoot, 'dist', 'src-main', 'cli', 'studio-command.js'));
const root = mkdtempSync(join(tmpdir(), 'magicapture-main-job-'));

describe.skipIf(!built)('magicapture studio (the main job; needs npx tsc -p tsconfig.json)', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('falls back to the studio server with its address, serves the API with the base model, stops on Ctrl-C', async () => {
    const env = { ...process.env, DISPLAY: '', WAYLAND_DISPLAY: '' };
    const studio = spawn(process.execPath, [bin, 'studio', '--library', join(root, 'library'), '--model', tinyDiffusers, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let stderr = '';
    studio.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        studio.stdout.on('data', (chunk: Buffer) => {
          const line = /http:\/\/127\.0\.0\.1:\d+\//.exec(chunk.toString());
          if (line) resolve(line[0]);
        });
        studio.once('exit', (code) => reject(new Error(`studio exited with ${code}: ${stderr}`)));
      });
      expect(stderr).toMatch(/opening in a browser instead of the desktop app: /);
      const reply = await fetch(`${url}api/settings.get`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(reply.status).toBe(200);
      expect(JSON.stringify(await reply.json())).toContain('tiny-sd');
      const exited = new Promise<number | null>((resolve) => studio.once('exit', resolve));
      studio.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      studio.kill('SIGKILL');
      studio.stdout.destroy();
      studio.stderr.destroy();
    }
  }, 60_000);
});
