// Training a project's identity + style: start (a run row fixed to the photos and mask versions of this moment,
// and its train job), pause (the job stops at a step boundary and leaves its checkpoint), resume (continues from
// the checkpoint), cancel (the checkpoint goes). One unfinished run per project at a time.
import type { TrainingOutput, TrainingRun } from '../catalog/training-runs-repository.js';
import type { JobView } from '../jobs/job-types.js';
import type { TrainingInput, TrainingRunConfig } from '../jobs/runners/training-run-config.js';
import { LibraryError } from '../library/library-error.js';
import { requireConsent, requireRunner, type StudioContext } from './studio-context.js';
import { StudioError } from './studio-error.js';
import { checkTrainingSettings, type TrainingSettings } from './training-presets.js';

export interface TrainingDetails {
  run: TrainingRun;
  outputs: TrainingOutput[];
  /** The run's latest job (null for a run made outside the studio). */
  job: JobView | null;
}

const MAX_IMAGES = 64;
const UNFINISHED = ['pending', 'running', 'paused', 'failed'];

export class TrainingService {
  constructor(private readonly studio: StudioContext) {}

  async start(projectId: number, settings: TrainingSettings = {}, options: { priority?: number } = {}): Promise<TrainingDetails> {
    const { catalog, jobs } = this.studio;
    requireRunner(jobs, 'train');
    const checked = checkTrainingSettings(settings);
    const project = catalog.projects.get(projectId);
    requireConsent(catalog, project.clientId, 'training');
    const open = catalog.trainingRuns.listByProject(projectId).find((run) => UNFINISHED.includes(run.state));
    if (open) {
      throw new StudioError('conflict', `expected no unfinished training in project ${projectId}, received training run ${open.id} (${open.state})`,
        'Resume or cancel that training first.');
    }
    const config: TrainingRunConfig = {
      preset: checked.preset,
      model: await this.studio.baseModel(),
      resolution: checked.resolution,
      identityToken: project.subjectToken,
      styleToken: project.styleToken,
      initializerToken: checked.initializerToken,
      trainer: checked.trainer,
      inputs: this.inputs(projectId),
    };
    const run = catalog.trainingRuns.create({ projectId, config: config as unknown as Record<string, unknown> });
    const job = jobs.enqueue({ kind: 'train', trainingRunId: run.id }, { priority: options.priority ?? 0 });
    return { run, outputs: [], job };
  }

  list(projectId: number): TrainingRun[] {
    return this.studio.catalog.trainingRuns.listByProject(projectId);
  }

  show(trainingRunId: number): TrainingDetails {
    const { catalog } = this.studio;
    const run = catalog.trainingRuns.get(trainingRunId);
    return { run, outputs: catalog.trainingRuns.listOutputs(run.id), job: this.jobOf(run) };
  }

  pause(trainingRunId: number): JobView {
    return this.studio.jobs.pause(this.requireJob(trainingRunId).id);
  }

  resume(trainingRunId: number): JobView {
    return this.studio.jobs.resume(this.requireJob(trainingRunId).id);
  }

  cancel(trainingRunId: number): JobView {
    return this.studio.jobs.cancel(this.requireJob(trainingRunId).id);
  }

  /** Every photo with its newest mask version, or a refusal naming the photos that still need one. */
  private inputs(projectId: number): TrainingInput[] {
    const { catalog } = this.studio;
    const photos = catalog.photos.listByProject(projectId);
    for (const role of ['source', 'reference'] as const) {
      const count = photos.filter((p) => p.role === role).length;
      if (count === 0 || count > MAX_IMAGES) {
        const what = role === 'source' ? 'selfies of the client (source photos)' : 'style references';
        throw new StudioError('conflict', `expected 1 to ${MAX_IMAGES} ${what} in project ${projectId}, received ${count}`, `Import ${what} first.`);
      }
    }
    const unmasked = photos.filter((p) => !catalog.masks.latest(p.id));
    if (unmasked.length > 0) {
      throw new LibraryError('not_found', `expected a face mask for every photo, received none for ${unmasked.map((p) => `${p.originalName} (photo ${p.id})`).join(', ')}`,
        'Add a mask to each of these photos, then start the training again.');
    }
    return photos.map((photo) => ({
      role: photo.role,
      photoId: photo.id,
      name: photo.originalName,
      imageBlob: photo.processingBlob,
      maskBlob: catalog.masks.latest(photo.id)?.blob as string,
    }));
  }

  private jobOf(run: TrainingRun): JobView | null {
    const project = this.studio.catalog.projects.get(run.projectId);
    const jobs = this.studio.jobs.list({ clientId: project.clientId, kind: 'train' });
    const mine = jobs.filter((job) => job.request.kind === 'train' && job.request.trainingRunId === run.id);
    return mine.sort((a, b) => b.id - a.id)[0] ?? null;
  }

  private requireJob(trainingRunId: number): JobView {
    const job = this.jobOf(this.studio.catalog.trainingRuns.get(trainingRunId));
    if (!job) throw new StudioError('conflict', `expected training run ${trainingRunId} to have a job, received none`);
    return job;
  }
}
