// Export job: the chosen portraits encoded as PNG or JPEG by the media host, written to the photographer's folder
// (atomically: a half-written deliverable never appears under its name) and kept in the library with an exports
// row, so a re-delivery needs no re-render. A file already in the folder is never overwritten: the new one gets
// a numbered name. Each export commits with the job's list of finished ones, so a resumed job skips them.
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import type { MediaCapabilities, MediaMethods } from '../../../common/protocol/media.js';
import { writeFileAtomic } from '../../library/atomic-write.js';
import type { Library } from '../../library/library.js';
import { throwIfStopped } from '../job-error.js';
import type { JobRunner, ResultOf } from '../job-types.js';
import type { HostAccess } from './host-access.js';

const exists = (path: string) => access(path, constants.F_OK).then(() => true, () => false);

function slug(name: string): string {
  return name.normalize('NFKD').replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '').toLowerCase().slice(0, 60) || 'portrait';
}

async function freePath(dir: string, stem: string, extension: string): Promise<string> {
  for (let n = 1; ; n++) {
    const path = join(dir, `${stem}${n === 1 ? '' : `-${n}`}.${extension}`);
    if (!(await exists(path))) return path;
  }
}

export function exportRunner(library: Library, media: HostAccess<MediaMethods, MediaCapabilities>): JobRunner<'export'> {
  const { catalog } = library;
  return {
    async run({ projectId, generationIds, format, quality, destination }, context) {
      const exported: ResultOf<'export'>['exports'] = [...(context.saved?.exports ?? [])];
      const finished = new Set(exported.map((e) => e.generationId));
      const stem = slug(catalog.projects.get(projectId).name);
      await mkdir(destination, { recursive: true });
      context.progress({ done: finished.size, total: generationIds.length });
      for (const generationId of generationIds) {
        if (finished.has(generationId)) continue;
        throwIfStopped(context.signal);
        const generation = catalog.generations.get(generationId);
        const host = await media.get();
        const decoded = await host.request('media.decode', { source: { path: library.filePath(generation.imageBlob) }, as: 'rgb8' }, { signal: context.signal });
        if (decoded.layout !== 'rgb8') throw new Error('expected rgb8 pixels from media.decode');
        const pixels = { data: decoded.data, width: decoded.width, height: decoded.height, channels: decoded.channels };
        const encoded = await host.request('media.encode', { image: { pixels }, format, ...(quality === null ? {} : { quality }) }, { signal: context.signal });
        const data = Buffer.from(encoded.data.buffer, encoded.data.byteOffset, encoded.data.byteLength);
        const path = await freePath(destination, `${stem}-${generationId}`, format === 'jpeg' ? 'jpg' : 'png');
        await writeFileAtomic(path, data, 0o644);
        const row = await library.commitFiles([{ data, mediaType: `image/${format}` }], ([blob]) => {
          const created = catalog.exports.create({ projectId, generationId, format, width: encoded.width, height: encoded.height, blob: blob as string, destination: path });
          context.save({ exports: [...exported, { generationId, exportId: created.id, path }] });
          return created;
        });
        exported.push({ generationId, exportId: row.id, path });
        context.progress({ done: exported.length, total: generationIds.length, message: `${exported.length} of ${generationIds.length} portraits` });
      }
      return { exports: exported };
    },
  };
}
