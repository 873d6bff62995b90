#!/usr/bin/env node
// Engine vs diffusers on the same machine, same thread count, same inputs: one UNet forward (batch 2, as under
// CFG) and one seeded 20-step euler_a txt2img run, on the tiny fixture and on a random-weight SD1.5-shaped
// model. Runs are interleaved (engine, peer, peer, engine, ...) so that load from other processes hits both.
// Prints medians and the ratio engine/diffusers (goal <= 0.8, must be <= 1.0). See bench/README.md.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { fmt, interleave, median, Peer, timed } from './peer-timing.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GOAL = 0.8;
const LIMIT = 1.0;

const { values: opt } = parseArgs({
  options: {
    models: { type: 'string', default: 'tiny,sd15' },
    sd15: { type: 'string', default: '/tmp/magicapture-bench/sd15-random' },
    threads: { type: 'string', default: String(cpus().length) },
    'unet-runs': { type: 'string', default: '5' },
    'sample-runs': { type: 'string', default: '3' },
    'sd15-sample-runs': { type: 'string' },
    steps: { type: 'string', default: '20' },
    cases: { type: 'string', default: 'unet,vae,sample' },
    'peer-attention': { type: 'string', default: 'default' },
    'omp-wait-policy': { type: 'string', default: 'passive' },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opt.help) {
  console.log(
    'node bench/engine-vs-diffusers.mjs [--models tiny,sd15] [--sd15 DIR] [--threads N] [--unet-runs 5]\n' +
      '  [--sample-runs 3] [--sd15-sample-runs N] [--steps 20] [--cases unet,sample,vae]\n' +
      '  [--peer-attention default|classic] [--omp-wait-policy passive|active|default] [--profile]',
  );
  process.exit(0);
}

const threads = Number(opt.threads);
// Both processes get the same OpenMP environment. libgomp reads it once, when it is loaded, so this process
// re-executes itself with it rather than trusting that nothing has loaded libgomp yet. PASSIVE by default: on a
// shared machine, spinning OpenMP workers turn every descheduled thread into a long stall (see README).
const ompEnv = { OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
if (opt['omp-wait-policy'] !== 'default') ompEnv.OMP_WAIT_POLICY = opt['omp-wait-policy'].toUpperCase();
if (Object.entries(ompEnv).some(([k, v]) => process.env[k] !== v) || (!ompEnv.OMP_WAIT_POLICY && process.env.OMP_WAIT_POLICY)) {
  const env = { ...process.env, ...ompEnv };
  if (!ompEnv.OMP_WAIT_POLICY) delete env.OMP_WAIT_POLICY;
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env, stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
  await new Promise(() => {});
}
const facade = join(repo, 'dist', 'native', 'lib', 'engine.js');
if (!existsSync(facade)) {
  console.error(`expected the compiled facade at ${facade}; run \`npx tsc -p tsconfig.json\` first`);
  process.exit(2);
}
const { Engine } = await import(pathToFileURL(facade).href);

const MODELS = {
  tiny: { label: 'tiny', path: join(repo, 'test', 'fixtures', 'tiny-sd', 'diffusers'), size: 64 },
  sd15: { label: 'sd15-shape', path: resolve(opt.sd15), size: 256 },
};
const REQUEST = {
  prompt: 'a studio portrait photo of a woman, soft window light, 85mm',
  negativePrompt: 'blurry, low quality',
  steps: Number(opt.steps),
  guidanceScale: 7,
  sampler: 'euler_a',
  seed: 1234,
};
const TIMESTEP = 500;

/** The BLAS library this process mapped (libtorch's Linear and bmm go through it; convolutions use oneDNN). */
function mappedBlas() {
  const maps = existsSync('/proc/self/maps') ? readFileSync('/proc/self/maps', 'utf8') : '';
  const libs = [...new Set(maps.split('\n').map((l) => l.split(/\s+/)[5] ?? '').filter((p) => /blas|mkl_/i.test(p)))];
  if (libs.length === 0) return 'unknown (no BLAS library mapped)';
  const reference = libs.some((p) => /\/blas\/libblas\.so/.test(p)) && !libs.some((p) => /openblas|blis|mkl/i.test(p));
  return libs.join(', ') + (reference ? ' -- the netlib REFERENCE BLAS: Linear/bmm run unoptimised, see bench/README.md' : '');
}

/** The same formula as fixed_inputs() in the peer. */
function fixedInputs(batch, h, w, contextDim) {
  const sample = new Float32Array(batch * 4 * h * w).map((_, i) => Math.sin(i * 0.37));
  const context = new Float32Array(batch * 77 * contextDim).map((_, i) => 0.5 * Math.cos(i * 0.11));
  return {
    sample: { data: sample, shape: [batch, 4, h, w] },
    timestep: { data: new Float32Array(batch).fill(TIMESTEP), shape: [batch] },
    context: { data: context, shape: [batch, 77, contextDim] },
  };
}

function readF32(path) {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

function compare(a, b) {
  let maxDiff = 0;
  let maxRef = 0;
  let squared = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    maxDiff = Math.max(maxDiff, d);
    maxRef = Math.max(maxRef, Math.abs(b[i]));
    squared += d * d;
  }
  return { maxDiff, maxRef, psnr: 10 * Math.log10(1 / Math.max(squared / a.length, 1e-20)) };
}


const fromPeer = (reply) => ({ wall: reply.seconds, cpu: reply.cpu });

function logRound(what, i, runs, e, p) {
  console.log(
    `   ${what} run ${i + 1}/${runs}: engine ${fmt(e.wall)} (cpu ${fmt(e.cpu)}), diffusers ${fmt(p.wall)} (cpu ${fmt(p.cpu)})`,
  );
}

async function benchModel(model, peer, scratch, rows) {
  if (!existsSync(join(model.path, 'model_index.json'))) {
    throw new Error(`expected a diffusers folder at ${model.path}; run bench/make_random_sd15.py first`);
  }
  const engine = await Engine.open(model.path);
  const loaded = await peer.call('load', { model: model.path, threads, attention: opt['peer-attention'] });
  const u = engine.info.unetConfig;
  blasLine ??= `engine BLAS: ${mappedBlas()}`;
  console.log(blasLine);
  console.log(
    `\n== ${model.label}: ${model.path}\n` +
      `   engine: loaded in ${engine.info.loadSeconds.toFixed(1)} s, unet ${(engine.info.unet.parameters / 1e6).toFixed(1)}M ` +
      `params, blocks [${u.blockOutChannels}], heads [${u.attentionHeads}], cross-attention ${u.crossAttentionDim}\n` +
      `   diffusers: loaded in ${loaded.loadSeconds.toFixed(1)} s, torch ${loaded.torch}, ${loaded.threads} threads, ` +
      `attention processor ${loaded.attentionProcessor}, ${/BLAS_INFO=\w+/.exec(loaded.config)?.[0] ?? 'BLAS_INFO=?'}`,
  );
  const latent = model.size / 8;
  const cases = opt.cases.split(',');
  try {
    if (cases.includes('unet')) {
      const inputs = fixedInputs(2, latent, latent, u.crossAttentionDim);
      const unetArgs = { batch: 2, latent: [latent, latent], timestep: TIMESTEP };
      const warmOut = join(scratch, `${model.label}-unet.f32`);
      const engineOut = engine.diagnostics.unetForward(inputs, false).out;
      const peerWarm = await peer.call('unet', { ...unetArgs, out: warmOut });
      const check = compare(engineOut.data, readF32(warmOut));
      console.log(
        `   unet check: max |engine - diffusers| = ${check.maxDiff.toExponential(2)} (max |out| ${check.maxRef.toFixed(3)}, ` +
          `finite ${peerWarm.finite})`,
      );
      const runs = Number(opt['unet-runs']);
      const t = await interleave(
        runs,
        () => timed(() => engine.diagnostics.unetForward(inputs, false)),
        async () => fromPeer(await peer.call('unet', unetArgs)),
        (i, e, p) => logRound('unet', i, runs, e, p),
      );
      rows.push({ name: `${model.label} unet fwd b2 ${latent}x${latent}`, runs, ...t });
      if (opt.profile) console.log((await peer.call('profile', { ...unetArgs, rows: 20 })).table);
    }
    if (cases.includes('vae')) {
      const latents = fixedInputs(1, latent, latent, 1).sample;
      const warmOut = join(scratch, `${model.label}-vae.f32`);
      const engineOut = engine.diagnostics.vaeDecode(latents);
      await peer.call('vae', { latent: [latent, latent], out: warmOut });
      const check = compare(engineOut.data, readF32(warmOut));
      console.log(`   vae check: max |engine - diffusers| = ${check.maxDiff.toExponential(2)} (max |out| ${check.maxRef.toFixed(3)})`);
      const runs = Number(opt['unet-runs']);
      const t = await interleave(
        runs,
        () => timed(() => engine.diagnostics.vaeDecode(latents)),
        async () => fromPeer(await peer.call('vae', { latent: [latent, latent] })),
        (i, e, p) => logRound('vae', i, runs, e, p),
      );
      rows.push({ name: `${model.label} vae decode b1 ${latent}x${latent}`, runs, ...t });
    }
    if (cases.includes('sample')) {
      const request = { ...REQUEST, width: model.size, height: model.size };
      const peerArgs = {
        prompt: request.prompt,
        negative: request.negativePrompt,
        steps: request.steps,
        guidance: request.guidanceScale,
        seed: request.seed,
        width: model.size,
        height: model.size,
      };
      // Warm-up: a 2-step run on each side (text encoder, UNet, VAE decoder and the scheduler all run once).
      await engine.sample({ ...request, steps: 2 });
      await peer.call('sample', { ...peerArgs, steps: 2 });
      const runs = Number((model.label === 'sd15-shape' && opt['sd15-sample-runs']) || opt['sample-runs']);
      const imageOut = join(scratch, `${model.label}-image.f32`);
      let engineImage;
      const t = await interleave(
        runs,
        async (i) => {
          const run = await timed(() => engine.sample(request));
          if (i === 0) engineImage = run.result.images.data;
          return run;
        },
        async (i) => fromPeer(await peer.call('sample', i === 0 ? { ...peerArgs, out: imageOut } : peerArgs)),
        (i, e, p) => logRound('sample', i, runs, e, p),
      );
      const check = compare(engineImage, readF32(imageOut));
      console.log(`   sample check: images max |diff| ${check.maxDiff.toExponential(2)}, PSNR ${check.psnr.toFixed(1)} dB`);
      rows.push({ name: `${model.label} txt2img ${model.size}² ${request.steps} steps euler_a cfg7`, runs, ...t });
    }
  } finally {
    engine.close();
  }
}

// Wall time is what a user waits for; CPU time (all threads) is far less sensitive to other processes on a shared
// machine, so both are reported, each as a median of interleaved runs.
function printTable(rows) {
  const header = ['case', 'runs', 'engine wall', 'diffusers wall', 'wall ratio', 'engine cpu', 'diffusers cpu', 'cpu ratio', 'verdict'];
  const body = rows.map((r) => {
    const med = (side, key) => median(r[side].map((x) => x[key]));
    const [ew, pw, ec, pc] = [med('engine', 'wall'), med('peer', 'wall'), med('engine', 'cpu'), med('peer', 'cpu')];
    const ratio = ew / pw;
    const verdict = ratio <= GOAL ? 'meets goal' : ratio <= LIMIT ? 'ok (> goal)' : 'SLOWER';
    return [r.name, String(r.runs), fmt(ew), fmt(pw), ratio.toFixed(2), fmt(ec), fmt(pc), (ec / pc).toFixed(2), verdict];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${line(header)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const b of body) console.log(line(b));
  console.log(`goal: engine/diffusers wall <= ${GOAL}, limit <= ${LIMIT}; medians of interleaved runs, warm-up excluded`);
}

const python = process.env.MAGICAPTURE_PYTHON ?? '/work/pyenv/bin/python';
const peer = new Peer(python, join(repo, 'bench', 'diffusers_peer.py'), 'diffusers peer');
const scratch = mkdtempSync(join(tmpdir(), 'magicapture-bench-'));
const rows = [];
let blasLine;
console.log(
  `threads: ${threads} (OMP_NUM_THREADS for both processes, torch.set_num_threads in the peer; the addon raises ` +
    `torch's threads to hardware_concurrency = ${cpus().length} if lower), OMP_WAIT_POLICY=` +
    `${process.env.OMP_WAIT_POLICY ?? '(unset)'}\npeer: ${python}`,
);
try {
  for (const key of opt.models.split(',')) {
    const model = MODELS[key];
    if (!model) throw new Error(`expected models from ${Object.keys(MODELS).join(', ')}, received ${key}`);
    await benchModel(model, peer, scratch, rows);
  }
} finally {
  peer.quit();
  rmSync(scratch, { recursive: true, force: true });
}
printTable(rows);
