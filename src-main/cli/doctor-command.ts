// `magicapture doctor [--repair]`: checks a library's files against its catalog (see services/library/doctor.ts).
// Exits 0 when healthy, 1 when something needs attention. Repair needs the library to itself: an import in
// progress has files that look unreferenced until it commits.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { LibraryLock } from '../server/library-lock.js';
import { doctor } from '../services/library/doctor.js';
import { CATALOG_FILE } from '../services/library/library.js';
import { resolveLibraryLocation } from '../services/library/library-location.js';
import { InputError } from './input-error.js';
import { LIBRARY_OPTION, printJson } from './studio-session.js';

export const DOCTOR_USAGE = 'magicapture doctor [--repair] [--library DIR] [--json]';

export async function doctorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { ...LIBRARY_OPTION, repair: { type: 'boolean' } }, strict: true });
  const { dir } = resolveLibraryLocation(values.library === undefined ? {} : { dir: values.library });
  if (!existsSync(join(dir, CATALOG_FILE))) {
    throw new InputError(`expected a MagiCapture library at ${dir} (a folder with ${CATALOG_FILE}), received a folder without one`, 'Pass the library folder with --library DIR.');
  }
  let lock: LibraryLock | undefined;
  if (values.repair) {
    try {
      lock = await LibraryLock.acquire(dir, 'magicapture doctor --repair');
    } catch (error) {
      const e = error as { message: string; hint?: string };
      throw new InputError(`cannot repair while the library is in use: ${e.message}`, e.hint ?? '');
    }
  }
  try {
    process.stderr.write(`checking ${dir}…\n`);
    const { report, text } = await doctor(dir, { repair: values.repair ?? false });
    if (values.json) printJson(report);
    else process.stdout.write(`${text}\n`);
    return report.healthy ? 0 : 1;
  } finally {
    await lock?.release();
  }
}
