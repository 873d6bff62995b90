// Batch export into the photographer's folder. Every source is checked before the first file is written, so a
// bad image in the batch changes nothing on disk; then each item is rendered, named from the template and
// written with writeNewFile (whole or not at all, never over an existing file). The result lists every step of
// every file, for the recipe.
import { createHash } from 'node:crypto';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

import { EXPORT_EXTENSIONS, type ExportedFile, type FinishingMethods } from '../../common/protocol/media.js';
import type { HostContext } from '../../services/processes/host-server.js';
import { throwIfCancelled } from '../faces/analysis.js';
import { mediaHandlers } from '../images.js';
import { MediaError } from '../media-error.js';
import { checkDestination, checkTemplate, expandTemplate, localDate } from './file-names.js';
import { checkedXmp, renderDeliverable } from './render.js';
import { writeNewFile } from './write-new-file.js';

type ExportMethod = FinishingMethods['finishing.export'];

function within(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}

/** Everything that can be known to fail is checked before the first file is written. */
async function checkItems({ items, options }: ExportMethod['params'], signal: AbortSignal, now: Date): Promise<void> {
  for (const [i, item] of items.entries()) {
    try {
      checkedXmp(options.format, { ...options.metadata, ...item.metadata }, now);
      // A full decode (a thumbnail reads every pixel): a truncated file passes a header probe.
      await mediaHandlers['media.thumbnail']({ source: item.source, size: 16, format: 'png' }, { id: 0, signal, progress: () => undefined });
    } catch (error) {
      if (error instanceof MediaError) throw new MediaError(error.code, `items[${i}]: ${error.message}`, error.hint);
      throw error;
    }
  }
}

/** The destination, created when missing; refused when something else than a folder is there. */
async function prepareDestination(destination: string): Promise<string> {
  const folder = checkDestination(destination);
  await mkdir(folder, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new MediaError('E_BAD_ARGUMENT', `expected destination to be a folder that can be created, received ${JSON.stringify(destination)} (${error.code})`, 'Choose another export folder.');
  });
  if (!(await stat(folder)).isDirectory()) throw new MediaError('E_BAD_ARGUMENT', `expected destination to be a folder, received a file at ${folder}`, 'Choose another export folder.');
  return realpath(folder);
}

export async function exportDeliverables(
  params: ExportMethod['params'],
  { signal, progress }: HostContext<ExportMethod['progress']>,
  now = new Date(),
): Promise<ExportMethod['result']> {
  const { items, destination, fileName, options } = params;
  checkTemplate(fileName);
  checkDestination(destination);
  await checkItems(params, signal, now);
  const root = await prepareDestination(destination);
  const digits = String(items.length).length;
  const files: ExportedFile[] = [];
  for (const [index, item] of items.entries()) {
    throwIfCancelled(signal);
    const metadata = { ...options.metadata, ...item.metadata };
    const rendered = await renderDeliverable(item.source, { ...options, metadata }, signal, now);
    const { folders, stem } = expandTemplate(fileName, {
      client: metadata.client ?? '',
      title: metadata.title ?? '',
      date: localDate(now),
      n: String(index + 1).padStart(digits, '0'),
    });
    const dir = join(root, ...folders);
    await mkdir(dir, { recursive: true });
    // A folder the template names may already exist as a link to somewhere else: never follow it out.
    if (!within(root, await realpath(dir))) {
      throw new MediaError('E_BAD_ARGUMENT', `expected the template's folders to stay inside ${root}, received ${folders.join('/')}, which leads elsewhere`, 'Remove the link from the export folder or change the template.');
    }
    throwIfCancelled(signal);
    const path = await writeNewFile(dir, stem, EXPORT_EXTENSIONS[rendered.format], rendered.data);
    const sha256 = createHash('sha256').update(rendered.data).digest('hex');
    const bytes = rendered.data.byteLength;
    files.push({ index, path, format: rendered.format, width: rendered.width, height: rendered.height, bytes, sha256, steps: [...rendered.steps, { step: 'write', path, bytes, sha256 }] });
    progress({ done: index + 1, total: items.length, path });
  }
  return { files };
}
