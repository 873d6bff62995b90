// The studio: one library (catalog + files), the engine and media host processes, the job queue that drives
// them, and the operations the API and the CLI call (clients, projects, training, generation, reviews, export).
// Opening it recovers whatever a crash interrupted; closing it stops the running jobs at a safe point (they
// continue at the next open), then the hosts, then the catalog.
import type { Catalog } from '../catalog/catalog.js';
import { JobQueue } from '../jobs/job-queue.js';
import type { BaseModel } from '../jobs/job-types.js';
import { createJobRunners, HostAccess, preflightProject, type PreflightOutcome } from '../jobs/runners/index.js';
import { Library } from '../library/library.js';
import { createEngineHost, createMediaHost, type EngineHost, type HostOptions, type MediaHost } from '../processes/hosts.js';
import { type BaseModelChoice, checkBaseModelChoice, chooseBaseModel, resolveBaseModel } from './base-model.js';
import { ClientsService } from './clients-service.js';
import { ExportService } from './export-service.js';
import { GenerationService } from './generation-service.js';
import { ProjectsService } from './projects-service.js';
import type { StudioContext } from './studio-context.js';
import { StudioError } from './studio-error.js';
import { TrainingService } from './training-service.js';

export interface StudioOptions {
  /** The library folder; else $MAGICAPTURE_LIBRARY, the saved location, or <user data>/Library. */
  libraryDir?: string;
  env?: Record<string, string | undefined>;
  /** Electron's app.getPath('userData'); the platform default elsewhere. */
  userDataDir?: string;
  /** 'none': no host processes (imports and masks only; engine and export jobs wait for a studio with hosts). */
  hosts?: 'spawn' | 'none';
  /** Overrides the base model chosen in Settings for this session. */
  baseModel?: BaseModelChoice;
  concurrency?: { media?: number };
  /** Passed to both host supervisors (output, restart policy, …). */
  hostOptions?: HostOptions;
  /** Crashes in a row after which a job fails instead of running again (default 3). */
  maxInterruptions?: number;
}

export interface StudioHosts {
  engine: EngineHost;
  media: MediaHost;
}

export class Studio {
  readonly clients: ClientsService;
  readonly projects: ProjectsService;
  readonly training: TrainingService;
  readonly generations: GenerationService;
  readonly exports: ExportService;
  private closed = false;

  private constructor(
    readonly library: Library,
    readonly hosts: StudioHosts | null,
    readonly jobs: JobQueue,
    private readonly baseModelOverride: BaseModelChoice | undefined,
  ) {
    const context: StudioContext = { catalog: library.catalog, library, jobs, baseModel: () => this.baseModel() };
    this.clients = new ClientsService(context);
    this.projects = new ProjectsService(context);
    this.training = new TrainingService(context);
    this.generations = new GenerationService(context);
    this.exports = new ExportService(context);
  }

  static async open(options: StudioOptions = {}): Promise<Studio> {
    const baseModel = options.baseModel === undefined ? undefined : checkBaseModelChoice(options.baseModel);
    const library = Library.open({
      ...(options.libraryDir === undefined ? {} : { dir: options.libraryDir }),
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.userDataDir === undefined ? {} : { userDataDir: options.userDataDir }),
    });
    const hosts = options.hosts === 'none' ? null : { engine: createEngineHost(options.hostOptions), media: createMediaHost(options.hostOptions) };
    const jobs = new JobQueue({
      catalog: library.catalog,
      library,
      runners: createJobRunners(library, hosts ?? undefined),
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.maxInterruptions === undefined ? {} : { maxInterruptions: options.maxInterruptions }),
    });
    const studio = new Studio(library, hosts, jobs, baseModel);
    jobs.start();
    return studio;
  }

  get catalog(): Catalog {
    return this.library.catalog;
  }

  /** The base model jobs run on (the session's override, else the one chosen in Settings), with its hash. */
  baseModel(): Promise<BaseModel> {
    return resolveBaseModel(this.catalog, this.baseModelOverride);
  }

  /** Pre-flight of the project's selfies now (an import runs it after the files are in). */
  async preflight(projectId: number): Promise<PreflightOutcome> {
    this.catalog.projects.get(projectId);
    if (!this.hosts) {
      throw new StudioError('unavailable', `expected a studio with its media host to run pre-flight, received one opened without hosts`,
        'Open the studio with its hosts (the desktop app or magicapture serve) and run pre-flight again.');
    }
    return preflightProject(this.library, new HostAccess(this.hosts.media), projectId);
  }

  /** Saves the photographer's choice of base model for later sessions. */
  chooseBaseModel(choice: BaseModelChoice): Promise<BaseModel> {
    return chooseBaseModel(this.catalog, choice);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.jobs.stop();
    if (this.hosts) {
      await Promise.all([this.hosts.engine, this.hosts.media].map((host) => (host.state === 'idle' ? undefined : host.stop())));
    }
    this.library.close();
  }
}
