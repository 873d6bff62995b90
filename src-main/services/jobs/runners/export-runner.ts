// Export job: the chosen portraits encoded as PNG or JPEG by the media host, written to the photographer's folder
// (atomically: a half-written deliverable never appears under its name) and kept in the library with an exports
// row, so a re-delivery needs no re-render. A file already in the folder is never overwritten: the new one gets
// a numbered name. Each export commits with the job's list of finished ones, so a resumed job skips them.
// With a name template, a long edge or super-resolution, each portrait goes through finishing.render (upscale,
// resize, sRGB, metadata) and is named here from the template, so {n} counts over the whole batch even when a
// resumed job renders only the rest.
import { constants } from 'node:fs';
import { access, mkdir, realpath } from 'node:fs/promises';
import { join, relative } from 'node:path';

import { expandTemplate, itemNumber, localDate } from '../../../common/api/file-name-template.js';

import type { MediaCapabilities, MediaMethods } from '../../../common/protocol/media.js';
import { writeFileAtomic } from '../../library/atomic-write.js';
import type { Library } from '../../library/library.js';
import { throwIfStopped } from '../job-error.js';
import type { ExportRequest, JobRunner, ResultOf } from '../job-types.js';
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

interface Deliverable {
  data: Buffer;
  width: number;
  height: number;
}

const finishes = (request: ExportRequest) => request.fileName !== undefined || request.longEdge !== undefined || request.upscale !== undefined;

/** The folder the template names inside destination, refused if a link there leads out of it. */
async function templateFolder(destination: string, folders: string[]): Promise<string> {
  const dir = join(destination, ...folders);
  await mkdir(dir, { recursive: true });
  const inside = relative(await realpath(destination), await realpath(dir));
  if (inside.startsWith('..')) throw new Error(`expected the template's folders to stay inside ${destination}, received ${folders.join('/')}, which leads elsewhere`);
  return dir;
}

export function exportRunner(library: Library, media: HostAccess<MediaMethods, MediaCapabilities>): JobRunner<'export'> {
  const { catalog } = library;
  return {
    async run(request, context) {
      const { projectId, generationIds, format, quality, destination } = request;
      const exported: ResultOf<'export'>['exports'] = [...(context.saved?.exports ?? [])];
      const finished = new Set(exported.map((e) => e.generationId));
      const project = catalog.projects.get(projectId);
      const stem = slug(project.name);
      // The date is the job's first day, so a batch resumed after midnight keeps one date in its names.
      const names = { client: catalog.clients.get(project.clientId).name, title: project.name, date: localDate(new Date(context.job?.createdAt ?? Date.now())) };
      await mkdir(destination, { recursive: true });
      context.progress({ done: finished.size, total: generationIds.length });
      for (const generationId of generationIds) {
        if (finished.has(generationId)) continue;
        throwIfStopped(context.signal);
        const generation = catalog.generations.get(generationId);
        const host = await media.get();
        let encoded: Deliverable;
        if (finishes(request)) {
          // finishing.render's long edge defaults to 2048; without one the portrait keeps its size (256 at least).
          const longEdge = request.longEdge ?? Math.max(256, generation.width, generation.height);
          const rendered = await host.request('finishing.render', {
            source: { path: library.filePath(generation.imageBlob) },
            options: { format, ...(quality === null ? {} : { quality }), longEdge, upscale: request.upscale ?? 'off', metadata: { client: names.client, title: names.title, recipe: JSON.stringify(generation.recipe) } },
          }, { signal: context.signal });
          encoded = { data: Buffer.from(rendered.data.buffer, rendered.data.byteOffset, rendered.data.byteLength), width: rendered.width, height: rendered.height };
        } else {
          const decoded = await host.request('media.decode', { source: { path: library.filePath(generation.imageBlob) }, as: 'rgb8' }, { signal: context.signal });
          if (decoded.layout !== 'rgb8') throw new Error('expected rgb8 pixels from media.decode');
          const pixels = { data: decoded.data, width: decoded.width, height: decoded.height, channels: decoded.channels };
          const plain = await host.request('media.encode', { image: { pixels }, format, ...(quality === null ? {} : { quality }) }, { signal: context.signal });
          encoded = { data: Buffer.from(plain.data.buffer, plain.data.byteOffset, plain.data.byteLength), width: plain.width, height: plain.height };
        }
        const { data } = encoded;
        const extension = format === 'jpeg' ? 'jpg' : 'png';
        let path: string;
        if (request.fileName === undefined) {
          path = await freePath(destination, `${stem}-${generationId}`, extension);
        } else {
          const { folders, stem: named } = expandTemplate(request.fileName, { ...names, n: itemNumber(generationIds.indexOf(generationId), generationIds.length) });
          path = await freePath(await templateFolder(destination, folders), named, extension);
        }
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
