// Delivering portraits: the chosen generations (by default those the client picked) encoded as JPEG or PNG into
// a folder outside the library, recorded in the exports table. The library is the studio's to manage, so
// deliveries into it are refused.
import { stat } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';

import type { Export } from '../catalog/exports-repository.js';
import { fields, id, integer, invalid, oneOf } from '../catalog/validate.js';
import { absolutePath } from '../jobs/job-request.js';
import type { JobView } from '../jobs/job-types.js';
import { requireRunner, type StudioContext } from './studio-context.js';
import { StudioError } from './studio-error.js';

export interface ExportInput {
  /** Default: every portrait of the project the client picked. */
  generationIds?: number[];
  format?: 'jpeg' | 'png';
  /** JPEG quality, 1 to 100 (default 92). */
  quality?: number;
  destination: string;
  /** Name template ({client} {title} {date} {n}), long edge and super-resolution: see the job's ExportRequest. */
  fileName?: string;
  longEdge?: number;
  upscale?: 'auto' | 'off' | 2 | 4;
}

export class ExportService {
  constructor(private readonly studio: StudioContext) {}

  async export(projectId: number, input: ExportInput, options: { priority?: number } = {}): Promise<JobView> {
    const { catalog, library, jobs } = this.studio;
    requireRunner(jobs, 'export');
    const f = fields(input, 'export request', ['generationIds', 'format', 'quality', 'destination', 'fileName', 'longEdge', 'upscale']);
    const format = f['format'] === undefined ? 'jpeg' : oneOf(f['format'], 'format', ['jpeg', 'png'] as const);
    const quality = f['quality'] === undefined ? null : integer(f['quality'], 'quality', 1, 100);
    if (quality !== null && format !== 'jpeg') throw invalid('quality', 'given for JPEG only', quality);
    const destination = absolutePath(f['destination'], 'destination');
    const inside = relative(library.dir, destination);
    if (inside === '' || (!inside.startsWith('..') && !isAbsolute(inside))) {
      throw invalid('destination', `a folder outside the library (${library.dir})`, destination);
    }
    const existing = await stat(destination).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw invalid('destination', 'a folder', destination);
    catalog.projects.get(id(projectId, 'projectId'));
    const generationIds = f['generationIds'] === undefined
      ? catalog.generations.list({ projectId, picked: true, sort: 'oldest', limit: 500 }).map((g) => g.id)
      : (f['generationIds'] as number[]);
    if (generationIds.length === 0) {
      throw new StudioError('conflict', `expected portraits to export from project ${projectId}, received none picked`, 'Pick portraits in the gallery, or name them.');
    }
    // The job checks the finishing fields (job-request.ts) like every queued request.
    const finishing = Object.fromEntries(['fileName', 'longEdge', 'upscale'].filter((k) => f[k] !== undefined).map((k) => [k, f[k]]));
    return jobs.enqueue({ kind: 'export', projectId, generationIds, format, quality, destination, ...finishing }, { priority: options.priority ?? 10 });
  }

  list(projectId: number): Export[] {
    return this.studio.catalog.exports.listByProject(projectId);
  }
}
