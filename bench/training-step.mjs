#!/usr/bin/env node
// One MagiCapture training step (forward, backward, AdamW update) of each task type, engine vs the Python
// reference of test/golden/golden_training_step.py (bench/training_peer.py), on the same machine, thread count
// and inputs (the peer writes the portraits, latents, noise and initial LoRA weights; the engine reads them).
// Cases: phase 1 instance and style (textual inversion), phase 2 instance (+ ID loss), style, composed (+ ID loss),
// all phase-2 cases with LoRA and the attention-refocusing loss. Runs are interleaved (E P, P E, ...); medians and
// the ratio engine/peer for wall and CPU time; then the projected time of a full default run (1200 + 1500 steps)
// at 512x512 from the measured step times. See bench/README.md.
//
// The engine's step is probeTrainingStep(..., update: true): besides the step it builds a Trainer (one ArcFace
// forward of the source for the identity target) and, in phase 2, injects the adapters and copies the given
// weights in: a small fixed overhead per call that the peer does not pay, so the engine's numbers are upper bounds.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { fmt, interleave, median, Peer, timed } from './peer-timing.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values: opt } = parseArgs({
  options: {
    models: { type: 'string', default: 'tiny,sd15' },
    sd15: { type: 'string', default: '/tmp/magicapture-bench/sd15-random' },
    threads: { type: 'string', default: String(cpus().length) },
    runs: { type: 'string', default: '5' },
    'sd15-runs': { type: 'string', default: '2' },
    cases: { type: 'string', default: 'p1_instance,p1_style,p2_instance,p2_style,p2_composed' },
    python: { type: 'string', default: process.env.MAGICAPTURE_PYTHON ?? '/work/pyenv/bin/python' },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(
    'node bench/training-step.mjs [--models tiny,sd15] [--sd15 DIR] [--threads N] [--runs 5] [--sd15-runs 2]\n' +
      '  [--cases p1_instance,p1_style,p2_instance,p2_style,p2_composed] [--python PATH]',
  );
  process.exit(0);
}

const threads = Number(opt.threads);
// Same OpenMP environment for both processes (libgomp reads it once, at load): re-execute with it.
const ompEnv = { OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), OMP_WAIT_POLICY: 'PASSIVE' };
if (Object.entries(ompEnv).some(([k, v]) => process.env[k] !== v)) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: { ...process.env, ...ompEnv },
    stdio: 'inherit',
  });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
  await new Promise(() => {});
}
const dist = join(repo, 'dist', 'native', 'lib');
if (!existsSync(join(dist, 'training-probe.js'))) {
  console.error(`expected the compiled facade in ${dist}; run \`npx tsc -p tsconfig.json\` first`);
  process.exit(2);
}
const { Engine } = await import(pathToFileURL(join(dist, 'engine.js')).href);
const { probeTrainingStep } = await import(pathToFileURL(join(dist, 'training-probe.js')).href);
const { loadSafetensorsTensor } = await import(pathToFileURL(join(dist, 'io.js')).href);

const MODELS = {
  tiny: { label: 'tiny', path: join(repo, 'test', 'fixtures', 'tiny-sd', 'diffusers'), size: 128, runs: Number(opt.runs) },
  sd15: { label: 'sd15-shape', path: resolve(opt.sd15), size: 256, runs: Number(opt['sd15-runs']) },
};
const CASES = opt.cases.split(',').filter(Boolean);


async function benchModel(model, scratch, rows) {
  if (!existsSync(join(model.path, 'model_index.json'))) {
    throw new Error(`expected a diffusers folder at ${model.path}; run bench/make_random_sd15.py first`);
  }
  const inputs = join(scratch, `${model.label}-inputs.safetensors`);
  const peer = new Peer(opt.python, join(repo, 'bench', 'training_peer.py'), 'training peer');
  try {
    const loaded = await peer.call('load', { model: model.path, size: model.size, threads, inputs });
    const get = (name) => loadSafetensorsTensor(inputs, name);
    const picture = (which) => ({
      image: get(`${which}.image`),
      faceMask: get(`${which}.face_mask`),
      landmarks: Array.from(get(`${which}.landmarks`).data),
    });
    const sources = [picture('source')];
    const references = [picture('reference')];
    const adapterWeights = get('init.adapters');
    const engine = await Engine.open(model.path);
    try {
      for (const name of CASES) {
        const c = loaded.cases[name];
        const item = {
          phase: c.phase,
          phaseStep: c.phase_step,
          task: c.task,
          ...(c.task !== 'style' ? { source: 0 } : {}),
          ...(c.task !== 'instance' ? { reference: 0 } : {}),
          latent: get(c.task === 'instance' ? 'source.latent' : 'reference.latent'),
          noise: get(`noise.${name}`),
          t: c.t,
          tId: c.t_id,
          prompt: loaded.prompts[c.task],
          update: true,
          ...(c.phase === 2 ? { adapterWeights } : {}),
        };
        const options = { initializerToken: 'a', config: c.config, arcfacePath: loaded.arcface };
        const engineRun = () =>
          timed(() => probeTrainingStep(engine, sources, references, item, options)).then((r) => ({
            ...r,
            losses: r.result.losses,
          }));
        const peerRun = () =>
          peer.call('step', { case: name }).then((r) => ({ wall: r.seconds, cpu: r.cpu, losses: r.losses }));
        // Warm-up of both (first-touch allocations, oneDNN primitive caches), excluded from the medians.
        const warmE = await engineRun();
        const warmP = await peerRun();
        const lossDiff = Math.max(
          ...Object.keys(warmP.losses).map((k) => Math.abs((warmE.losses[k] ?? NaN) - warmP.losses[k])),
        );
        console.log(
          `${model.label} ${name}: losses engine ${JSON.stringify(round(warmE.losses))} peer ${JSON.stringify(round(warmP.losses))}` +
            ` (max |diff| ${lossDiff.toExponential(2)})`,
        );
        const t = await interleave(model.runs, engineRun, peerRun, (i, e, p) =>
          console.log(
            `   run ${i + 1}/${model.runs}: engine ${fmt(e.wall)} (cpu ${fmt(e.cpu)}), peer ${fmt(p.wall)} (cpu ${fmt(p.cpu)})`,
          ),
        );
        rows.push({
          model: model.label,
          size: model.size,
          name,
          phase: c.phase,
          runs: model.runs,
          engineWall: median(t.engine.map((r) => r.wall)),
          peerWall: median(t.peer.map((r) => r.wall)),
          engineCpu: median(t.engine.map((r) => r.cpu)),
          peerCpu: median(t.peer.map((r) => r.cpu)),
        });
      }
    } finally {
      engine.close();
    }
  } finally {
    peer.quit();
  }
}

const round = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Number(v.toPrecision(5))]));

function printTable(rows) {
  console.log('\nmodel       size  case          runs  engine wall  peer wall  ratio   engine cpu  peer cpu  ratio');
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(11)} ${String(r.size).padStart(4)}  ${r.name.padEnd(12)}  ${String(r.runs).padStart(4)}  ` +
        `${fmt(r.engineWall).padStart(11)}  ${fmt(r.peerWall).padStart(9)}  ${(r.engineWall / r.peerWall).toFixed(2).padStart(5)}   ` +
        `${fmt(r.engineCpu).padStart(10)}  ${fmt(r.peerCpu).padStart(8)}  ${(r.engineCpu / r.peerCpu).toFixed(2).padStart(5)}`,
    );
  }
}

/**
 * A full default run (1200 phase-1 + 1500 phase-2 steps) at 512x512 from the SD1.5-shaped step times at 256x256:
 * the mean step of each phase times 4 (four times the latent pixels). That is a lower bound: self-attention at
 * the 64x64 level grows with the square of the tokens, and the ID loss decodes a 512 image.
 */
function projection(rows) {
  const sd = rows.filter((r) => r.model === 'sd15-shape');
  if (sd.length === 0) return;
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const who of ['engine', 'peer']) {
    const p1 = sd.filter((r) => r.phase === 1).map((r) => r[`${who}Wall`]);
    const p2 = sd.filter((r) => r.phase === 2).map((r) => r[`${who}Wall`]);
    if (p1.length === 0 || p2.length === 0) continue;
    const seconds = 4 * (1200 * mean(p1) + 1500 * mean(p2));
    console.log(
      `projected full default run at 512x512 (${who}, ${threads} threads): ${(seconds / 3600).toFixed(1)} h ` +
        `(phase 1 ${fmt(4 * mean(p1))}/step x 1200, phase 2 ${fmt(4 * mean(p2))}/step x 1500; lower bound, see README)`,
    );
  }
}

const scratch = mkdtempSync(join(tmpdir(), 'magicapture-train-bench-'));
const rows = [];
try {
  console.log(`threads ${threads}, OMP_WAIT_POLICY ${process.env.OMP_WAIT_POLICY}, cases ${CASES.join(', ')}`);
  for (const key of opt.models.split(',').filter(Boolean)) {
    const model = MODELS[key];
    if (!model) throw new Error(`unknown model ${key} (tiny, sd15)`);
    await benchModel(model, scratch, rows);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
  printTable(rows);
  projection(rows);
}
