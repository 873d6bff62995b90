// `magicapture train`: a two-phase MagiCapture run (METHOD.md §5) from folders of photos and masks into a run
// folder, with progress, Ctrl-C leaving a resumable checkpoint, and `--resume RUN_DIR`.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { FaceEmbedder } from '../../native/lib/arcface.js';
import { Engine } from '../../native/lib/engine.js';
import { EngineError } from '../../native/lib/errors.js';
import { train } from '../../native/lib/training.js';
import { requireString, UsageError } from './args.js';
import { formatSeconds } from './progress-bar.js';
import { CHECKPOINT_FILE, OUTPUT_FILES, readRunSpec, readStatus, type RunSpec, writeRunSpec, writeStatus } from './run-dir.js';
import { checkDevice, checkOutDir, type NewRunSettings, specFromArgs, TRAIN_HELP, TRAIN_OPTIONS, type Values } from './train-args.js';
import { checkSameInputs, loadTrainingSet, type TrainingSet } from './training-set.js';
import { TrainProgressView } from './train-progress.js';

export { TRAIN_USAGE } from './train-args.js';

function identityLossWarning(spec: RunSpec, set: TrainingSet): string | undefined {
  if (!spec.landmarks || !spec.arcface) {
    const missing = [spec.landmarks ? '' : '--landmarks', spec.arcface ? '' : '--arcface'].filter(Boolean).join(' and ');
    return `warning: the identity loss is off (no ${missing}); the identity is learned from the masked reconstruction alone`;
  }
  if (set.withoutLandmarks.length > 0) {
    return `warning: no landmarks for ${set.withoutLandmarks.join(', ')}: their items train without the identity loss`;
  }
  return undefined;
}

async function openEngine(spec: RunSpec | NewRunSettings): Promise<Engine> {
  const engine = await Engine.open(spec.model, { device: spec.device, dtype: spec.dtype, ...(spec.tokenizer ? { tokenizerDir: spec.tokenizer } : {}) });
  const ids = engine.tokenizer.encode(spec.initializer, { padding: false });
  if (ids.length !== 3) {
    engine.close();
    throw new UsageError(`expected --initializer to be one token of the model's vocabulary, received ${JSON.stringify(spec.initializer)} (${ids.length - 2} tokens)`);
  }
  return engine;
}

async function newRun(values: Values): Promise<number> {
  const partial = specFromArgs(values);
  const dir = await checkOutDir(requireString(values, 'out'));
  const identityLoss = partial.landmarks !== undefined && partial.arcface !== undefined;
  const set = await loadTrainingSet({ ...partial, identityLoss });
  if (identityLoss && partial.arcface) (await FaceEmbedder.open(partial.arcface)).close();
  const engine = await openEngine(partial);
  try {
    const { landmarks, ...rest } = partial;
    const spec: RunSpec = {
      ...rest,
      createdAt: new Date().toISOString(),
      ...(landmarks && set.landmarks ? { landmarks: { path: landmarks, sha256: set.landmarks.sha256 } } : {}),
      inputs: set.inputs,
    };
    await mkdir(dir, { recursive: true });
    await writeRunSpec(dir, spec);
    return await execute(engine, dir, spec, set, false);
  } finally {
    engine.close();
  }
}

async function resumeRun(values: Values): Promise<number> {
  const extra = Object.keys(values).filter((k) => values[k] !== undefined && k !== 'resume' && k !== 'device');
  if (extra.length > 0) {
    throw new UsageError(`expected --resume RUN_DIR alone (the run keeps its settings; --device may change), received --${extra.join(', --')} too`);
  }
  const dir = resolve(requireString(values, 'resume'));
  const stored = await readRunSpec(dir);
  const spec = { ...stored, device: (values['device'] as string | undefined) ?? stored.device };
  checkDevice(spec.device, spec.dtype);
  const status = await readStatus(dir);
  if (status?.state === 'done') {
    process.stderr.write(`The run in ${dir} is already finished (${status.step} steps).\n`);
    process.stdout.write(`${OUTPUT_FILES.map((f) => join(dir, f)).join('\n')}\n`);
    return 0;
  }
  const identityLoss = spec.landmarks !== undefined && spec.arcface !== undefined;
  const { landmarks, ...folders } = spec;
  const set = await loadTrainingSet({ ...folders, identityLoss, ...(landmarks ? { landmarks: landmarks.path } : {}) });
  checkSameInputs(spec.inputs, set.inputs, spec.landmarks?.sha256, set.landmarks?.sha256);
  const engine = await openEngine(spec);
  try {
    const resume = existsSync(join(dir, CHECKPOINT_FILE));
    process.stderr.write(resume ? `Resuming ${dir} from its checkpoint\n` : `No checkpoint in ${dir} yet: starting it from step 0\n`);
    return await execute(engine, dir, spec, set, resume);
  } finally {
    engine.close();
  }
}

/** The training itself: progress, signals, status.json, and what to do next. */
async function execute(engine: Engine, dir: string, spec: RunSpec, set: TrainingSet, resume: boolean): Promise<number> {
  const config = spec.config;
  const total = (config.stepsTi ?? 0) + (config.stepsLora ?? 0);
  const warning = identityLossWarning(spec, set);
  if (warning) process.stderr.write(`${warning}\n`);
  process.stderr.write(
    `Training ${set.sources.length} sources and ${set.styles.length} styles at ${spec.resolution}x${spec.resolution} on ` +
      `${spec.device} ${spec.dtype}: ${config.stepsTi} + ${config.stepsLora} steps${spec.flags.length ? ` (flags ${spec.flags.join(',')})` : ''}\n`,
  );
  const view = new TrainProgressView();
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    view.close();
    if (++interrupts > 1) {
      process.stderr.write(`${signal} again: quitting without a checkpoint of the last steps\n`);
      process.exit(130);
    }
    process.stderr.write(`${signal}: stopping after this step and saving a checkpoint (press Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const every = config.checkpointEvery ?? 0;
  let statusWrites = writeStatus(dir, { state: 'running', step: (await readStatus(dir))?.step ?? 0, total });
  const started = Date.now();
  try {
    const summary = await train(engine, set.sources, set.styles, {
      initializerToken: spec.initializer,
      config,
      checkpointPath: join(dir, CHECKPOINT_FILE),
      outputDir: dir,
      resume,
      ...(spec.arcface && spec.landmarks ? { arcfacePath: spec.arcface } : {}),
      signal: controller.signal,
      onStep: (p) => {
        view.update(p);
        if (every > 0 && p.step % every === 0) statusWrites = statusWrites.then(() => writeStatus(dir, { state: 'running', step: p.step, total }));
      },
    });
    view.close();
    await statusWrites;
    await writeStatus(dir, { state: 'done', step: summary.steps, total });
    process.stderr.write(
      `Trained ${summary.steps} steps in ${formatSeconds((Date.now() - started) / 1000)}. Sample with:\n` +
        `  npx magicapture sample --lora ${dir} --prompt "a photo of a <sks> person with style <style1>" --out portrait.png\n`,
    );
    process.stdout.write(`${OUTPUT_FILES.map((f) => join(dir, f)).join('\n')}\n`);
    return 0;
  } catch (error) {
    view.close();
    await statusWrites.catch(() => undefined);
    const cancelled = error instanceof EngineError && error.code === 'E_CANCELLED';
    // A checkpoint taken before the first step records no phase and cannot be loaded; nothing was learned anyway.
    if (cancelled && !resume && view.lastStep === 0) await rm(join(dir, CHECKPOINT_FILE), { force: true });
    const step = view.lastStep || ((await readStatus(dir))?.step ?? 0);
    await writeStatus(dir, { state: cancelled ? 'cancelled' : 'failed', step, total, message: (error as Error).message });
    const how = `npx magicapture train --resume ${dir}`;
    if (!cancelled) {
      if (existsSync(join(dir, CHECKPOINT_FILE))) process.stderr.write(`The run can continue from its last checkpoint: ${how}\n`);
      throw error;
    }
    const kept = existsSync(join(dir, CHECKPOINT_FILE)) ? `the checkpoint is saved in ${dir}` : 'no step was finished yet';
    process.stderr.write(`Training stopped at step ${step} of ${total}; ${kept}.\nResume with: ${how}\n`);
    return 130;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: TRAIN_OPTIONS, strict: true, allowPositionals: false });
  if (values.help) {
    process.stdout.write(TRAIN_HELP);
    return 0;
  }
  return values.resume === undefined ? newRun(values) : resumeRun(values);
}
