// The doctor's report as a person reads it in a terminal: one line per finding, what it means, what to do.
import type { DoctorEntry, DoctorReport } from './doctor.js';

const SHOWN = 10;

function section(lines: string[], entries: readonly DoctorEntry[], title: string, advice: string): void {
  if (entries.length === 0) return;
  lines.push(`  ${title} (${entries.length}): ${advice}`);
  for (const entry of entries.slice(0, SHOWN)) {
    lines.push(`    ${entry.path}${entry.usedBy === undefined ? '' : `  (used by ${entry.usedBy} catalog ${entry.usedBy === 1 ? 'entry' : 'entries'})`}`);
  }
  if (entries.length > SHOWN) lines.push(`    … and ${entries.length - SHOWN} more`);
}

export function formatDoctorReport(report: DoctorReport, repaired: boolean): string {
  const lines = [`MagiCapture library ${report.libraryDir}`, `  ${report.blobFiles} files checked against ${report.blobRows} catalog entries`];
  section(lines, report.missing, 'MISSING files', 'the catalog uses them but they are gone; restore them from a backup');
  section(lines, report.corrupt, 'CORRUPTED files', 'their content no longer matches; restore them from a backup');
  const fix = repaired ? 'removed' : 'safe to remove with `magicapture doctor --repair`';
  section(lines, report.tempFiles, 'Leftover temporary files of interrupted writes', fix);
  section(lines, report.orphanFiles, 'Files the catalog does not know', fix);
  section(lines, report.unreferenced, 'Files nothing uses any more', fix);
  section(lines, report.orphanRunDirs, 'Checkpoint folders of deleted training runs', fix);
  section(lines, report.unknownFiles, 'Unexpected files in blobs/', 'not made by MagiCapture; left alone');
  if (repaired) lines.push(`  Repaired: removed ${report.repaired.length} ${report.repaired.length === 1 ? 'item' : 'items'}`);
  lines.push(report.healthy ? '  The library is healthy.' : '  The library needs attention (see above).');
  return lines.join('\n');
}
