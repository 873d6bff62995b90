// Import job: the library's photo import, one file per commit. A batch commit would be one transaction, but a
// crash or a pause in a 300-photo import would then throw away every photo already written; file by file, each
// imported photo is kept, the job saves which files are finished, and a resumed job starts at the next one.
// With a media host, the project's selfies get their pre-flight afterwards; its failure is reported in the result
// and does not fail the import (the photos are in; pre-flight can be run again with photos.preflight).
import { basename } from 'node:path';

import type { MediaCapabilities, MediaMethods } from '../../../common/protocol/media.js';
import type { Library } from '../../library/library.js';
import { throwIfStopped } from '../job-error.js';
import type { ImportedFile, JobResults, JobRunner } from '../job-types.js';
import type { HostAccess } from './host-access.js';
import { preflightProject } from './preflight.js';

async function preflightAfter(library: Library, media: HostAccess<MediaMethods, MediaCapabilities>, projectId: number, signal: AbortSignal): Promise<NonNullable<JobResults['import']['preflight']>> {
  try {
    return await preflightProject(library, media, projectId, signal);
  } catch (error) {
    throwIfStopped(signal);
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

export function importRunner(library: Library, media?: HostAccess<MediaMethods, MediaCapabilities>): JobRunner<'import'> {
  return {
    async run({ projectId, role, paths }, context) {
      const files: ImportedFile[] = [...(context.saved?.files ?? [])];
      const finished = new Set(files.map((file) => file.path));
      context.progress({ done: finished.size, total: paths.length });
      for (const path of paths) {
        if (finished.has(path)) continue;
        throwIfStopped(context.signal);
        const [outcome] = await library.importPhotos(projectId, role, [{ path }]);
        if (!outcome) continue;
        files.push({
          path,
          name: outcome.name || basename(path),
          status: outcome.status,
          photoId: outcome.status === 'refused' ? null : outcome.photo.id,
          message: outcome.status === 'refused' ? outcome.error.message : outcome.status === 'duplicate' ? outcome.message : null,
        });
        finished.add(path);
        context.save({ files });
        context.progress({ done: files.length, total: paths.length, message: `${files.length} of ${paths.length} photos` });
      }
      const imported = files.some((file) => file.status === 'imported');
      if (!media || !imported || role !== 'source') return { files };
      context.progress({ done: files.length, total: paths.length, message: 'Pre-flight of the selfies' });
      return { files, preflight: await preflightAfter(library, media, projectId, context.signal) };
    },
  };
}
