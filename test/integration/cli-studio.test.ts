// The studio commands as a photographer runs them: the compiled bin on a real temp library. Clients with consent,
// import of a folder (a refused file fails the command), masks, jobs, doctor, serve (its URL, its lock on the
// library, Ctrl-C), and generate + export on the tiny model; every failure exits non-zero with what to do.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { repoRoot, tinyDiffusers } from '../helpers/golden.js';
import { built as hostsBuilt, writeShoot } from '../helpers/studio-fixtures.js';

const bin = join(repoRoot, 'bin', 'magicapture.js');
const built = existsSync(join(repoRoot, 'dist', 'src-main', 'cli', 'client-command.js'));
const root = mkdtempSync(join(tmpdir(), 'magicapture-cli-studio-'));
const library = join(root, 'library');

function cli(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args, '--library', library], { encoding: 'utf8', timeout: 60_000 });
}

describe.skipIf(!built)('magicapture studio commands (needs npx tsc -p tsconfig.json)', () => {
  let shoot: Awaited<ReturnType<typeof writeShoot>>;

  beforeAll(async () => {
    mkdirSync(join(root, 'shoot'));
    shoot = await writeShoot(join(root, 'shoot'));
    mkdirSync(join(root, 'selfies'));
    mkdirSync(join(root, 'masks'));
    for (const { photo, mask } of shoot.sources) {
      const name = photo.split('/').pop() as string;
      copyFileSync(photo, join(root, 'selfies', name));
      copyFileSync(mask, join(root, 'masks', name.replace('.jpg', '.png')));
    }
    writeFileSync(join(root, 'not-a-photo.jpg'), 'plain text');
    await sharp({ create: { width: 10, height: 10, channels: 3, background: '#ffffff' } }).png().toFile(join(root, 'small-mask.png'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates, lists, shows and deletes clients, and explains every refusal', () => {
    const created = cli('client', 'create', '--name', 'Anna Berg', '--email', 'anna@example.com', '--consent', 'training,generation', '--project', 'Spring headshots');
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/^client 1 {2}Anna Berg {2}<anna@example\.com>\n {2}consent 1: training, generation, signed by Anna Berg on \d{4}-\d\d-\d\d \(in force\)\n {2}project 1: Spring headshots \(<sks> <style1>\)\n$/);
    expect(cli('client', 'create', '--name', 'Bruno Costa', '--notes', 'wedding in June').status).toBe(0);
    const list = cli('client', 'list', '--search', 'june');
    expect([list.status, list.stdout]).toEqual([0, expect.stringMatching(/^2 {2}Bruno Costa {2,}\d{4}-\d\d-\d\d\n$/)]);
    const shown = JSON.parse(cli('client', 'show', '2', '--json').stdout) as { client: { name: string }; consents: unknown[] };
    expect([shown.client.name, shown.consents]).toEqual(['Bruno Costa', []]);

    const traversal = cli('client', 'create', '--name', '../../etc/passwd');
    expect([traversal.status, traversal.stderr]).toEqual([1, expect.stringMatching(/magicapture client: expected name to be a name without "\/", "\\", "\.\." or control characters, received "\.\.\/\.\.\/etc\/passwd"\nhint: /)]);
    const scope = cli('client', 'create', '--name', 'X', '--consent', 'selling', '--signed-by', 'X');
    expect([scope.status, scope.stderr]).toEqual([1, expect.stringMatching(/expected scope\[0\] to be one of training, generation, portfolio, marketing, social_media, received "selling"/)]);
    const unknown = cli('client', 'show', '99');
    expect([unknown.status, unknown.stderr]).toEqual([1, 'magicapture client: client 99 does not exist\nhint: It may have been deleted; reload the list.\n']);
    const notAnId = cli('client', 'show', 'anna');
    expect([notAnId.status, notAnId.stderr]).toEqual([2, expect.stringMatching(/expected the client to be an id \(a positive whole number\), received "anna"\nusage: /)]);
    expect(cli('client', 'delete', '2').status).toBe(2);
    const deleted = cli('client', 'delete', '2', '--yes');
    expect([deleted.status, deleted.stdout]).toEqual([0, 'deleted client 2 (Bruno Costa): 0 files removed, 0 shared files kept\n']);
    expect(cli('client', 'list').stdout).not.toMatch(/Bruno/);
  });

  it('imports a folder, fails on a refused file, adds masks, lists jobs and checks the library', () => {
    const imported = cli('import', '--project', '1', '--role', 'source', join(root, 'selfies'));
    expect(imported.status).toBe(0);
    expect(imported.stdout).toMatch(/^imported {2}photo 1 {2}selfie-1\.jpg\s*\nimported {2}photo 2 {2}selfie-2\.jpg\s*\n$/);
    expect(imported.stderr).toMatch(/100% importing 2 photos 2\/2/);
    const mixed = cli('import', '--project', '1', '--role', 'reference', join(root, 'not-a-photo.jpg'), shoot.references[0]!.photo);
    expect(mixed.status).toBe(1);
    expect(mixed.stdout).toMatch(/refused .*not-a-photo\.jpg .*expected a JPEG, PNG, WebP, TIFF or AVIF image[^]*imported {2}photo 3 {2}style-1\.jpg/);
    expect(mixed.stderr).toMatch(/1 of 2 files were refused/);
    expect(cli('import', '--project', '1', join(root, 'selfies')).status).toBe(2);
    expect(cli('import', '--project', '1', '--role', 'source', join(root, 'nowhere')).stderr).toMatch(/nowhere, which does not exist/);

    const masks = cli('masks', '--project', '1', join(root, 'masks'));
    expect(masks.status).toBe(1);
    expect(masks.stdout).toMatch(/photo 1 selfie-1\.jpg: mask version 1\nphoto 2 selfie-2\.jpg: mask version 1\n/);
    expect(masks.stderr).toMatch(/expected a mask for every photo, received none for style-1\.jpg/);
    expect(cli('masks', '--photo', '3', shoot.references[0]!.mask).stdout).toBe('photo 3: mask version 1\n');
    const wrongSize = cli('masks', '--photo', '1', join(root, 'small-mask.png'));
    expect(wrongSize.status).toBe(1);
    expect(wrongSize.stderr).toMatch(/job \d+ failed: expected the mask .*small-mask\.png to be 80x64 like its photo, received 10x10\nhint: Draw or export the mask/);
    expect(cli('masks', '--project', '1', '--list').stdout).toMatch(/photo 3 {2}reference {2}style-1\.jpg {3}mask v1/);

    const jobs = cli('jobs', 'list', '--kind', 'import');
    expect(jobs.stdout).toMatch(/^job 1 {2}import {2}done {2}client 1/);
    expect(cli('jobs', 'cancel', '1').stderr).toMatch(/expected a job that has not finished, received job 1, which is done/);
    expect(cli('jobs', 'resume', '999').stderr).toMatch(/job 999 does not exist/);
    const doctor = cli('doctor');
    expect([doctor.status, doctor.stdout]).toEqual([0, expect.stringMatching(/The library is healthy\./)]);
    const noLibrary = spawnSync(process.execPath, [bin, 'doctor', '--library', join(root, 'empty')], { encoding: 'utf8' });
    expect([noLibrary.status, noLibrary.stderr]).toEqual([1, expect.stringMatching(/expected a MagiCapture library at .*empty/)]);
  });

  it('serves the library at the printed address, holds it against other commands, and stops on Ctrl-C', async () => {
    const server = spawn(process.execPath, [bin, 'serve', '--library', library, '--port', '0', '--without-hosts'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        server.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const reply = await fetch(`${url}api/clients.list`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(((await reply.json()) as { result: Array<{ name: string }> }).result.map((c) => c.name)).toEqual(['Anna Berg']);
      const held = cli('client', 'list');
      expect([held.status, held.stderr]).toEqual([1, expect.stringMatching(/received it open in magicapture serve \(process \d+ on .* at http:\/\/127\.0\.0\.1:\d+\/\)\nhint: Use that studio/)]);
      const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
      server.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(cli('client', 'list').status).toBe(0);
    } finally {
      server.kill('SIGKILL');
      server.stdout.destroy();
      server.stderr.destroy();
    }
  });

  it('refuses a token too short to be safe', () => {
    const short = spawnSync(process.execPath, [bin, 'serve', '--library', library, '--host', '0.0.0.0', '--token', 'short'], { encoding: 'utf8' });
    expect([short.status, short.stderr]).toEqual([2, expect.stringMatching(/expected a token of at least 16 characters, received 5/)]);
  });

  it.skipIf(!hostsBuilt)('generates portraits on the tiny model and exports them', async () => {
    const generated = cli('generate', '--project', '1', '--base', '--model', tinyDiffusers, '--prompt', 'a studio portrait', '--width', '64', '--height', '64', '--steps', '2', '--count', '2', '--seed', '7');
    expect(generated.status).toBe(0);
    expect(generated.stdout).toMatch(/^generation 1 {2}seed 7 {2}\S+\ngeneration 2 {2}seed 8 {2}\S+\n$/);
    expect(generated.stderr).toMatch(/100% generating/);
    const bad = cli('generate', '--project', '1', '--base', '--model', tinyDiffusers, '--prompt', 'x', '--steps', '0');
    expect([bad.status, bad.stderr]).toEqual([1, expect.stringMatching(/expected recipe\.steps to be an integer from 1 to 150, received 0/)]);
    const out = join(root, 'delivery');
    const exported = cli('export', '--project', '1', '--generations', '1,2', '--format', 'png', '--out', out);
    expect(exported.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['spring-headshots-1.png', 'spring-headshots-2.png']);
    expect((await sharp(join(out, 'spring-headshots-1.png')).metadata()).width).toBe(64);
    const nothingPicked = cli('export', '--project', '1', '--out', join(root, 'delivery-2'));
    expect([nothingPicked.status, nothingPicked.stderr]).toEqual([1, expect.stringMatching(/received none picked\nhint: Pick portraits/)]);
  });
});
