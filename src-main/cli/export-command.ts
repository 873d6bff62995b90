// `magicapture export`: deliver a project's portraits (those the client picked, or --generations 3,5,8) as JPEG or
// PNG files into a folder outside the library; prints each written file.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import type { ExportParams } from '../common/api/methods/generations.js';
import { optionalInt, UsageError } from './args.js';
import { idArg, LIBRARY_OPTION, printJson, withStudio } from './studio-session.js';

export const EXPORT_USAGE = 'magicapture export --project ID --out DIR [--format jpeg|png] [--quality 92] [--generations 3,5,8] [--library DIR] [--json]';

const OPTIONS = { ...LIBRARY_OPTION, project: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' }, quality: { type: 'string' }, generations: { type: 'string' } } as const;

export async function exportCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  if (values.out === undefined) throw new UsageError('expected --out DIR (the delivery folder), received nothing');
  const params: ExportParams = { projectId: idArg(values.project, '--project'), destination: resolve(values.out) };
  if (values.generations !== undefined) params.generationIds = values.generations.split(',').map((id) => idArg(id.trim(), '--generations'));
  if (values.format !== undefined) {
    if (values.format !== 'jpeg' && values.format !== 'png') throw new UsageError(`expected --format jpeg or png, received ${JSON.stringify(values.format)}`);
    params.format = values.format;
  }
  const quality = optionalInt(values, 'quality');
  if (quality !== undefined) params.quality = quality;
  await withStudio({ library: values.library, hosts: 'spawn' }, async ({ call, follow }) => {
    const job = await follow(await call('exports.create', params), 'exporting');
    const { exports } = job.result as { exports: Array<{ generationId: number; exportId: number; path: string }> };
    if (values.json) return printJson(exports);
    for (const e of exports) process.stdout.write(`${e.path}\n`);
    process.stderr.write(`exported ${exports.length} ${exports.length === 1 ? 'portrait' : 'portraits'} to ${params.destination}\n`);
  });
}
