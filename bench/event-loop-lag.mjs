#!/usr/bin/env node
// The broker's event-loop lag while a job runs in the engine host: the supervisor starts the host, a tiny
// MagiCapture training (or a long sample) runs there with progress events, and perf_hooks measures how late the
// broker's timers fire. Goal: max < 50 ms. The peer is the same job run in the broker's own process through
// native/lib (what the host exists to avoid); an idle period gives the machine's floor.
//
//   npx tsc -p tsconfig.json && node bench/event-loop-lag.mjs [--job train|sample] [--steps 60] [--no-peer]
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GOAL_MS = 50;
const RESOLUTION_MS = 10;

const { values: opt } = parseArgs({
  options: {
    job: { type: 'string', default: 'train' },
    steps: { type: 'string', default: '60' },
    'no-peer': { type: 'boolean', default: false },
    idle: { type: 'string', default: '2000' },
  },
});

const dist = (...p) => join(repo, 'dist', ...p);
if (!existsSync(dist('src-main', 'services', 'processes', 'hosts.js'))) {
  console.error('expected the compiled supervisor in dist/; run `npx tsc -p tsconfig.json` first');
  process.exit(2);
}
// The in-process peer gets the same OpenMP policy the supervisor gives the host (libgomp reads it at load).
process.env.OMP_WAIT_POLICY ??= 'PASSIVE';
const { createEngineHost } = await import(pathToFileURL(dist('src-main', 'services', 'processes', 'hosts.js')).href);
const model = { path: join(repo, 'test', 'fixtures', 'tiny-sd', 'diffusers') };
const steps = Number(opt.steps);

/** Synthetic 64x64 portraits (a disk face on a striped background), as in test/native/training.test.ts. */
function portrait(face, background, radius) {
  const size = 64;
  const plane = size * size;
  const image = new Float32Array(3 * plane);
  const mask = new Float32Array(plane);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = (x - 32) ** 2 + (y - 30) ** 2 < radius ** 2;
      const stripe = (x + y) % 16 < 8 ? 1 : 0.8;
      for (let c = 0; c < 3; c++) image[c * plane + y * size + x] = inside ? face[c] : background[c] * stripe;
      mask[y * size + x] = inside ? 1 : 0.0099;
    }
  }
  return { image: { data: image, shape: [3, size, size] }, faceMask: { data: mask, shape: [1, size, size] } };
}

const sources = [14, 16, 18].map((r) => portrait([0.9, 0.7, 0.6], [0.3, 0.3, 0.3], r));
const references = [portrait([0.5, 0.5, 0.5], [0.1, 0.2, 0.8], 15), portrait([0.4, 0.4, 0.4], [0.1, 0.3, 0.9], 17)];
const half = Math.max(1, Math.floor(steps / 2));
const trainOptions = { initializerToken: 'a', config: { stepsTi: half, stepsLora: steps - half, seed: 7 } };
const sampleRequest = { prompt: 'a photo of a person', width: 128, height: 128, steps, seed: 1 };

/** Runs work with the loop monitored; lag = how far beyond its RESOLUTION_MS period a timer tick came. */
async function measure(name, work) {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const started = performance.now();
  histogram.enable();
  const events = await work();
  histogram.disable();
  const lag = (ns) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  return {
    name,
    seconds: (performance.now() - started) / 1000,
    events,
    p50: lag(histogram.percentile(50)),
    p99: lag(histogram.percentile(99)),
    max: lag(histogram.max),
  };
}

const rows = [];
rows.push(await measure('idle (no job)', () => new Promise((r) => setTimeout(() => r(0), Number(opt.idle)))));

const host = createEngineHost({ onOutput: (text) => process.stderr.write(text) });
const ready = await host.start();
await host.request('engine.open', { model });
rows.push(
  await measure(`engine host: ${opt.job}`, async () => {
    let events = 0;
    const onProgress = () => (events += 1);
    if (opt.job === 'train') await host.request('engine.train', { model, sources, references, options: trainOptions }, { onProgress });
    else await host.request('engine.sample', { model, request: sampleRequest }, { onProgress });
    return events;
  }),
);
await host.stop();

if (!opt['no-peer']) {
  const { Engine } = await import(pathToFileURL(dist('native', 'lib', 'engine.js')).href);
  const { train } = await import(pathToFileURL(dist('native', 'lib', 'training.js')).href);
  const engine = await Engine.open(model.path);
  rows.push(
    await measure(`in-process peer: ${opt.job}`, async () => {
      let events = 0;
      const onStep = () => (events += 1);
      if (opt.job === 'train') await train(engine, sources, references, { ...trainOptions, onStep });
      else await engine.sample(sampleRequest, { onStep });
      return events;
    }),
  );
  engine.close();
}

const ms = (v) => v.toFixed(1).padStart(8);
console.log(`\nbroker event-loop lag (ms beyond the ${RESOLUTION_MS} ms timer), job ${opt.job} ${steps} steps, torch ${ready.capabilities.torch}`);
console.log(`${'case'.padEnd(28)}${'seconds'.padStart(8)}${'events'.padStart(8)}${'p50'.padStart(8)}${'p99'.padStart(8)}${'max'.padStart(8)}`);
for (const r of rows) console.log(`${r.name.padEnd(28)}${ms(r.seconds)}${String(r.events).padStart(8)}${ms(r.p50)}${ms(r.p99)}${ms(r.max)}`);
const hosted = rows[1];
const peer = rows[2];
if (peer) console.log(`ratio max lag host/in-process: ${(hosted.max / Math.max(peer.max, 0.1)).toFixed(2)}`);
console.log(`goal max < ${GOAL_MS} ms: ${hosted.max < GOAL_MS ? 'met' : 'NOT met'} (max ${hosted.max.toFixed(1)} ms, p99 ${hosted.p99.toFixed(1)} ms)`);
