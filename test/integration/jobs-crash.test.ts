// Crash safety of the job queue with real processes: the engine host SIGKILLed mid-training (the job is queued
// again and the training continues from its checkpoint), the broker itself SIGKILLed mid-import (the next open
// re-queues the import, it finishes, and the doctor finds nothing lost or half-written), and a job that keeps
// being interrupted failing with a reason instead of looping.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { openCatalog } from '../../src-main/services/catalog/index.js';
import type { JobEvent, JobView } from '../../src-main/services/jobs/index.js';
import { doctor } from '../../src-main/services/library/index.js';
import { Studio } from '../../src-main/services/studio/index.js';
import { repoRoot } from '../helpers/golden.js';
import { built, maskedProject, recordEvents, studioOptions, tinyTraining, writePortrait } from '../helpers/studio-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'magicapture-jobs-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!built)('crash safety (needs npx tsc -p tsconfig.json)', () => {
  it('re-queues a training whose engine host was killed with SIGKILL; it resumes from its checkpoint and finishes', async () => {
    const studio = await Studio.open(studioOptions(join(root, 'engine-crash')));
    try {
      mkdirSync(join(root, 'gus'));
      const { projectId } = await maskedProject(studio, join(root, 'gus'), 'Gus');
      const events = recordEvents(studio);
      const { run, job } = await studio.training.start(projectId, tinyTraining([8, 8]));
      const id = (job as JobView).id;
      let killedAt = 0;
      let killedPid = 0;
      studio.jobs.on((event) => {
        if (killedAt || event.type !== 'job-progress' || event.id !== id || event.progress.done < 2) return;
        killedAt = event.progress.done;
        killedPid = studio.hosts?.engine.pid as number;
        process.kill(killedPid, 'SIGKILL');
      });

      const finished = await studio.jobs.waitFor(id);
      expect(finished).toMatchObject({ state: 'done', attempts: 2, interruptions: 1, result: { steps: 16 } });
      expect(studio.hosts?.engine.pid).not.toBe(killedPid);
      const states = events.flatMap((e) => (e.type === 'job-state' && e.job.id === id ? [e.job.state] : []));
      expect(states).toEqual(['queued', 'running', 'queued', 'running', 'done']);
      // The second attempt starts after the last checkpoint (one per step here), not from step 1.
      const requeued = events.findIndex((e) => e.type === 'job-state' && e.job.id === id && e.job.state === 'queued' && e.job.interruptions === 1);
      const resumedAt = events.slice(requeued).find((e): e is Extract<JobEvent, { type: 'job-progress' }> => e.type === 'job-progress' && e.id === id);
      expect(resumedAt?.progress.done).toBeGreaterThanOrEqual(2);
      expect(resumedAt?.progress.done).toBeLessThanOrEqual(killedAt + 1);
      expect(studio.training.show(run.id)).toMatchObject({ run: { state: 'done' }, outputs: { length: 4 } });
    } finally {
      await studio.close();
    }
  });

  it('keeps an import whose broker was killed mid-way: reopening finishes it, nothing lost or half-written', async () => {
    const libraryDir = join(root, 'broker-crash');
    const photos = join(root, 'hal');
    mkdirSync(photos);
    const paths: string[] = [];
    for (let i = 0; i < 12; i++) {
      paths.push(await writePortrait(join(photos, `hal-${i}.jpg`), [640, 480], [320, 200, 90 + i], [[0.9, 0.7, 0.6], [0.1 * (i % 5), 0.3, 0.5]]));
    }
    const studioModule = pathToFileURL(join(repoRoot, 'dist', 'src-main', 'services', 'studio', 'index.js')).href;
    const script = join(root, 'broker.mjs');
    writeFileSync(
      script,
      `import { Studio } from ${JSON.stringify(studioModule)};\n` +
        `const [libraryDir, ...paths] = process.argv.slice(2);\n` +
        `const studio = await Studio.open({ libraryDir, hosts: 'none' });\n` +
        `const { client } = await studio.clients.create({ name: 'Hal' });\n` +
        `const project = studio.projects.create({ clientId: client.id, name: 'Hal' });\n` +
        `studio.jobs.on((e) => { if (e.type === 'job-progress' && e.progress.done >= 2) process.stdout.write('progress ' + e.progress.done + '\\n'); });\n` +
        `const job = studio.projects.importPhotos(project.id, 'source', paths);\n` +
        `process.stdout.write('job ' + job.id + ' project ' + project.id + '\\n');\n`,
    );
    const child = spawn(process.execPath, [script, libraryDir, ...paths], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/progress \d+/.test(output)) child.kill('SIGKILL');
    });
    expect(await exit).toBe('SIGKILL');
    const [, jobId, projectId] = (/job (\d+) project (\d+)/.exec(output) ?? []).map(Number);

    // As the crash left it: the job still running, only some photos committed.
    const crashed = openCatalog(join(libraryDir, 'catalog.sqlite'));
    expect(crashed.jobs.get(jobId!).state).toBe('running');
    const committed = crashed.photos.listByProject(projectId!).length;
    crashed.close();
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(paths.length);

    const studio = await Studio.open({ libraryDir, hosts: 'none' });
    let finished: JobView;
    try {
      finished = await studio.jobs.waitFor(jobId!);
      expect(studio.projects.photos(projectId!).map((p) => p.originalName).sort()).toEqual(paths.map((p) => p.split('/').at(-1)).sort());
    } finally {
      await studio.close();
    }
    expect(finished).toMatchObject({ state: 'done', attempts: 2, interruptions: 1 });
    const files = (finished.result as { files: Array<{ status: string }> }).files;
    expect(files).toHaveLength(paths.length);
    expect(files.filter((f) => f.status === 'refused')).toEqual([]);
    const { report } = await doctor(libraryDir);
    expect(report).toMatchObject({ healthy: true, missing: [], corrupt: [], orphanFiles: [], unreferenced: [], tempFiles: [] });
  });

  it('fails a job interrupted too many times in a row, with a reason and a hint, instead of re-running it forever', async () => {
    const libraryDir = join(root, 'interrupted');
    const first = await Studio.open({ libraryDir, hosts: 'none', maxInterruptions: 2 });
    const { client } = await first.clients.create({ name: 'Ivy' });
    const project = first.projects.create({ clientId: client.id, name: 'Ivy' });
    await first.close();
    // What two earlier crashes in a row leave behind: the job running, interrupted twice before.
    const catalog = openCatalog(join(libraryDir, 'catalog.sqlite'));
    const job = catalog.jobs.enqueue({ kind: 'import', payload: { projectId: project.id, role: 'source', paths: ['/nowhere.jpg'] }, clientId: client.id });
    for (let i = 0; i < 2; i++) {
      catalog.jobs.setState(job.id, 'running');
      catalog.jobs.interrupt(job.id);
    }
    catalog.jobs.setState(job.id, 'running');
    catalog.close();

    const studio = await Studio.open({ libraryDir, hosts: 'none', maxInterruptions: 2 });
    try {
      expect(studio.jobs.get(job.id)).toMatchObject({
        state: 'failed',
        interruptions: 2,
        error: { code: 'E_INTERRUPTED', message: 'the job was interrupted 3 times in a row (last: the app stopped while it ran)', hint: /Resume it once the cause is fixed/ },
      });
      // Resuming is the photographer's decision: the count starts again and the job runs.
      const resumed = studio.jobs.resume(job.id);
      expect(resumed.interruptions).toBe(0);
      const done = await studio.jobs.waitFor(job.id);
      expect(done).toMatchObject({ state: 'done', result: { files: [{ status: 'refused', path: '/nowhere.jpg' }] } });
    } finally {
      await studio.close();
    }
  });
});
