// Train job: one MagiCapture run (METHOD.md §5) in the engine host, checkpointing into the library's
// runs/<run id>/. It resumes from the checkpoint whenever one is there, so a pause (cancel at a step boundary,
// which writes the checkpoint), a crash of the engine host or a crash of the broker all continue where the last
// checkpoint left off. When it finishes, the result files become library blobs and the folder goes.
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { EngineCapabilities, EngineMethods, ModelRef, TrainProgress, TrainSummary } from '../../../common/protocol/engine.js';
import { CatalogError } from '../../catalog/catalog-error.js';
import type { TrainingRun, TrainingState } from '../../catalog/training-runs-repository.js';
import { isTempName } from '../../library/atomic-write.js';
import type { Library } from '../../library/library.js';
import { throwIfStopped } from '../job-error.js';
import type { BaseModel, JobContext, JobRunner, ResultOf } from '../job-types.js';
import type { HostAccess } from './host-access.js';
import { loadTrainingImages } from './training-images.js';
import { runConfig, TRAINING_OUTPUT_FILES } from './training-run-config.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';

export function modelRef(model: BaseModel): ModelRef {
  return {
    path: model.path,
    ...(model.tokenizerDir === undefined ? {} : { tokenizerDir: model.tokenizerDir }),
    ...(model.device === undefined ? {} : { device: model.device }),
    ...(model.dtype === undefined ? {} : { dtype: model.dtype }),
  };
}

function progressOf(p: TrainProgress) {
  const phase = p.phase === 1 ? 'learning the identity and style tokens' : 'training the LoRA';
  return {
    done: p.step,
    total: p.total,
    message: `Phase ${p.phase} of 2, ${phase}: step ${p.step} of ${p.total}`,
    detail: { phase: p.phase, task: p.task, losses: p.losses },
  };
}

/** The engine writes checkpoints atomically (temp + rename); a host killed mid-write leaves the temp behind. */
async function removeTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (isTempName(name) || name.includes('.tmp-')) await rm(join(dir, name), { force: true });
  }
}

export function trainRunner(library: Library, engine: HostAccess<EngineMethods, EngineCapabilities>): JobRunner<'train'> {
  const { catalog } = library;

  async function storeOutputs(run: TrainingRun, dir: string, summary: TrainSummary, context: JobContext<'train'>): Promise<ResultOf<'train'>> {
    const files = await Promise.all(TRAINING_OUTPUT_FILES.map(async ({ file, kind }) => ({ kind, data: await readFile(join(dir, file)) })));
    const result = await library.commitFiles(
      files.map(({ data }) => ({ data, mediaType: 'application/octet-stream' })),
      (blobs) => {
        const outputs = files.map(({ kind }, i) => ({ kind, blob: blobs[i] as string }));
        for (const output of outputs) catalog.trainingRuns.addOutput({ trainingRunId: run.id, kind: output.kind, step: summary.steps, blob: output.blob });
        catalog.trainingRuns.setState(run.id, 'done');
        const finished = { trainingRunId: run.id, steps: summary.steps, outputs, losses: summary.losses };
        context.save(finished);
        return finished;
      },
    );
    // Everything worth keeping is in the library now; the checkpoint (optimizer state included) is not.
    await rm(dir, { recursive: true, force: true });
    return result;
  }

  /** The run follows its job: paused, failed or cancelled with it (a cancelled run's checkpoint goes). */
  function follow(runId: number, to: TrainingState, error: string | null): void | Promise<void> {
    let run: TrainingRun;
    try {
      run = catalog.trainingRuns.get(runId);
      if (run.state === to || run.state === 'done' || run.state === 'cancelled') return;
      catalog.trainingRuns.setState(runId, to, error);
    } catch (error) {
      // A run that never started cannot be paused or failed; one deleted with its client has nothing to follow.
      if (error instanceof CatalogError && (error.code === 'conflict' || error.code === 'not_found')) return;
      throw error;
    }
    if (to === 'cancelled') return rm(library.resolve(run.checkpointsDir), { recursive: true, force: true });
  }

  return {
    async run({ trainingRunId }, context) {
      const run = catalog.trainingRuns.get(trainingRunId);
      if (run.state === 'done') {
        // Finished before a crash took the job with it: report what was stored.
        const outputs = catalog.trainingRuns.listOutputs(run.id).map(({ kind, blob }) => ({ kind, blob }));
        return context.saved ?? { trainingRunId: run.id, steps: 0, outputs, losses: {} };
      }
      const config = runConfig(run);
      const dir = await library.checkpointsDir(run.id);
      await removeTempFiles(dir);
      const checkpointPath = join(dir, CHECKPOINT_FILE);
      const resume = existsSync(checkpointPath);
      if (run.state !== 'running') catalog.trainingRuns.setState(run.id, 'running');
      const { sources, references } = await loadTrainingImages(library, config);
      throwIfStopped(context.signal);
      const host = await engine.get();
      let lastStep = 0;
      let summary: TrainSummary;
      try {
        summary = await host.request(
          'engine.train',
          {
            model: modelRef(config.model),
            sources,
            references,
            options: {
              identityToken: config.identityToken,
              styleToken: config.styleToken,
              initializerToken: config.initializerToken,
              config: config.trainer,
              checkpointPath,
              outputDir: dir,
              resume,
            },
          },
          {
            signal: context.signal,
            onProgress: (p) => {
              lastStep = p.step;
              context.progress(progressOf(p));
            },
          },
        );
      } catch (error) {
        // A checkpoint written before the first step records no phase and cannot be loaded (see cli/train-command.ts).
        if (!resume && lastStep === 0 && (error as { code?: unknown }).code === 'E_CANCELLED') await rm(checkpointPath, { force: true });
        throw error;
      }
      return storeOutputs(run, dir, summary, context);
    },

    settled({ trainingRunId }, job) {
      if (job.state === 'paused') return follow(trainingRunId, 'paused', null);
      if (job.state === 'failed') return follow(trainingRunId, 'failed', job.error?.message ?? null);
      if (job.state === 'cancelled') return follow(trainingRunId, 'cancelled', null);
    },
  };
}
