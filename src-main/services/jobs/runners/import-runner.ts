// Import job: the library's photo import, one file per commit. A batch commit would be one transaction, but a
// crash or a pause in a 300-photo import would then throw away every photo already written; file by file, each
// imported photo is kept, the job saves which files are finished, and a resumed job starts at the next one.
import { basename } from 'node:path';

import type { Library } from '../../library/library.js';
import { throwIfStopped } from '../job-error.js';
import type { ImportedFile, JobRunner } from '../job-types.js';

export function importRunner(library: Library): JobRunner<'import'> {
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
      return { files };
    },
  };
}
