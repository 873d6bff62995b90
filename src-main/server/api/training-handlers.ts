// Training: the studio's training service, plus an estimate that lists what would stop a run before the
// photographer presses Start.
import type { TrainingEstimate, TrainingMethods, TrainingParams } from '../../common/api/methods/training.js';
import type { Studio } from '../../services/studio/studio.js';
import { checkTrainingSettings } from '../../services/studio/training-presets.js';
import type { HandlerContext, HandlersOf } from './handler-types.js';

const UNFINISHED = ['pending', 'running', 'paused', 'failed'];

/** Seconds per step of the newest finished training on this machine (its device and resolution may differ). */
function secondsPerStep(studio: Studio): number | null {
  for (const job of studio.jobs.list({ kind: 'train', state: 'done' }).sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0))) {
    const steps = (job.result as { steps?: unknown } | null)?.steps;
    if (typeof steps === 'number' && steps > 0 && job.startedAt !== null && job.finishedAt !== null) return (job.finishedAt - job.startedAt) / 1000 / steps;
  }
  return null;
}

function estimate(studio: Studio, { projectId, preset, advanced = {} }: TrainingParams): TrainingEstimate {
  const { catalog } = studio;
  const checked = checkTrainingSettings({ preset, ...advanced });
  const project = catalog.projects.get(projectId);
  const photos = catalog.photos.listByProject(projectId);
  const sources = photos.filter((p) => p.role === 'source').length;
  const references = photos.length - sources;
  const problems: string[] = [];
  if (!catalog.consents.allows(project.clientId, 'training')) problems.push(`${catalog.clients.get(project.clientId).name} has no consent to training in force`);
  if (sources === 0) problems.push('no selfies of the client (source photos) yet');
  if (references === 0) problems.push('no style references yet');
  const unmasked = photos.filter((p) => !catalog.masks.latest(p.id)).length;
  if (unmasked > 0) problems.push(`${unmasked} ${unmasked === 1 ? 'photo has' : 'photos have'} no face mask`);
  const open = catalog.trainingRuns.listByProject(projectId).find((run) => UNFINISHED.includes(run.state));
  if (open) problems.push(`training run ${open.id} is still ${open.state}: resume or cancel it first`);
  const ti = checked.trainer.stepsTi ?? 0;
  const lora = checked.trainer.stepsLora ?? 0;
  const pace = secondsPerStep(studio);
  return {
    preset: checked.preset === 'custom' ? 'custom' : preset,
    steps: { ti, lora, total: ti + lora },
    seconds: pace === null ? null : Math.round(pace * (ti + lora)),
    sourcePhotos: sources,
    referencePhotos: references,
    problems,
  };
}

export function trainingHandlers({ studio }: HandlerContext): HandlersOf<TrainingMethods> {
  const detail = (trainingRunId: number) => studio.training.show(trainingRunId);
  return {
    'training.estimate': (p) => estimate(studio, p),
    'training.start': ({ projectId, preset, advanced = {} }) => studio.training.start(projectId, { preset, ...advanced }),
    'training.list': ({ projectId }) => {
      studio.catalog.projects.get(projectId);
      return studio.training.list(projectId).map((run) => detail(run.id));
    },
    'training.pause': ({ trainingRunId }) => (studio.training.pause(trainingRunId), detail(trainingRunId)),
    'training.resume': ({ trainingRunId }) => (studio.training.resume(trainingRunId), detail(trainingRunId)),
    'training.cancel': ({ trainingRunId }) => (studio.training.cancel(trainingRunId), detail(trainingRunId)),
  };
}
