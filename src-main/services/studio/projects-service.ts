// Projects and their photos: creating and listing projects, importing photos and adding face masks. Imports and
// masks run as jobs (they decode and write files), so the caller gets a job to follow and the work survives a
// restart.
import type { Mask } from '../catalog/masks-repository.js';
import { PHOTO_ROLES, type Photo, type PhotoRole } from '../catalog/photos-repository.js';
import type { NewProject, Project, ProjectChanges } from '../catalog/projects-repository.js';
import type { TrainingRun } from '../catalog/training-runs-repository.js';
import { id, invalid, oneOf } from '../catalog/validate.js';
import { absolutePath } from '../jobs/job-request.js';
import type { JobView } from '../jobs/job-types.js';
import type { StudioContext } from './studio-context.js';

export interface ProjectDetails {
  project: Project;
  sources: number;
  references: number;
  /** Photos without a face mask yet (training needs one for every photo). */
  withoutMask: number[];
  trainingRuns: TrainingRun[];
  generations: number;
}

/** Media jobs the photographer is waiting on come before background work. */
const PRIORITY = 20;

export class ProjectsService {
  constructor(private readonly studio: StudioContext) {}

  create(input: NewProject): Project {
    return this.studio.catalog.projects.create(input);
  }

  list(clientId: number): Project[] {
    return this.studio.catalog.projects.listByClient(clientId);
  }

  update(projectId: number, changes: ProjectChanges): Project {
    return this.studio.catalog.projects.update(projectId, changes);
  }

  show(projectId: number): ProjectDetails {
    const { catalog } = this.studio;
    const project = catalog.projects.get(projectId);
    const photos = catalog.photos.listByProject(projectId);
    return {
      project,
      sources: photos.filter((p) => p.role === 'source').length,
      references: photos.filter((p) => p.role === 'reference').length,
      withoutMask: photos.filter((p) => !catalog.masks.latest(p.id)).map((p) => p.id),
      trainingRuns: catalog.trainingRuns.listByProject(projectId),
      generations: catalog.generations.count({ projectId }),
    };
  }

  /** Queues an import of photo files (absolute paths) as selfies ("source") or style references ("reference"). */
  importPhotos(projectId: number, role: PhotoRole, paths: readonly string[], options: { priority?: number } = {}): JobView {
    id(projectId, 'projectId');
    oneOf(role, 'role', PHOTO_ROLES);
    if (!Array.isArray(paths) || paths.length === 0) throw invalid('paths', 'a list of 1 or more photo files', paths);
    const unique = [...new Set(paths.map((path, i) => absolutePath(path, `paths[${i}]`)))];
    return this.studio.jobs.enqueue({ kind: 'import', projectId, role, paths: unique }, { priority: options.priority ?? PRIORITY });
  }

  photos(projectId: number, role?: PhotoRole): Photo[] {
    return this.studio.catalog.photos.listByProject(projectId, role);
  }

  /**
   * Queues the photo's next mask version: the file the photographer drew (white face, black elsewhere, the photo's
   * size), or without one the media host's face analysis.
   */
  addMask(photoId: number, maskPath: string | null = null, options: { priority?: number } = {}): JobView {
    return this.studio.jobs.enqueue({ kind: 'masks', photoId, maskPath }, { priority: options.priority ?? PRIORITY });
  }

  /** Queues automatic masks (face analysis) for every photo of the project that has none yet. */
  detectMasks(projectId: number, options: { priority?: number } = {}): JobView[] {
    const { catalog } = this.studio;
    return catalog.photos
      .listByProject(projectId)
      .filter((photo) => !catalog.masks.latest(photo.id))
      .map((photo) => this.addMask(photo.id, null, options));
  }

  masks(photoId: number): Mask[] {
    return this.studio.catalog.masks.listByPhoto(photoId);
  }
}
