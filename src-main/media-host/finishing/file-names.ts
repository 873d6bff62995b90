// Deliverable names from a template such as "{client}/{date}-{title}-{n}". The template is the photographer's
// and may make subfolders; the values are data and can never add a folder, "..", or a character some file
// system refuses. Anything that could point outside the chosen folder is refused, not cleaned up.
import { isAbsolute, normalize, win32 } from 'node:path';

import { MediaError } from '../media-error.js';

export const TEMPLATE_TOKENS = ['client', 'title', 'date', 'n'] as const;
export type TemplateValues = Record<(typeof TEMPLATE_TOKENS)[number], string>;

/** Characters Windows, macOS or Linux refuse in a name, plus control characters. */
const FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const MAX_SEGMENT_BYTES = 200;

function refuse(what: string, received: string): never {
  throw new MediaError('E_BAD_ARGUMENT', `expected ${what}, received ${JSON.stringify(received)}`, 'Choose the export folder again and use a file-name template like "{client}-{date}-{n}".');
}

/** An absolute folder written without "." or ".." segments (a path that says exactly where it goes). */
export function checkDestination(destination: string): string {
  const absolute = isAbsolute(destination) || (process.platform === 'win32' && win32.isAbsolute(destination));
  if (!absolute) refuse('destination to be an absolute folder path', destination);
  if (destination.split(/[/\\]+/).some((s) => s === '..' || s === '.')) refuse('destination without "." or ".." segments', destination);
  return normalize(destination);
}

/** Checks the template once, before any file is written. */
export function checkTemplate(template: string): void {
  if (/^[/\\]/.test(template) || /^[a-zA-Z]:/.test(template)) refuse('a file-name template relative to the export folder', template);
  if (template.includes('\\')) refuse('a file-name template using "/" for subfolders', template);
  for (const match of template.matchAll(/\{([^}]*)\}/g)) {
    if (!(TEMPLATE_TOKENS as readonly string[]).includes(match[1] ?? '')) refuse(`template tokens among ${TEMPLATE_TOKENS.map((t) => `{${t}}`).join(', ')}`, match[0]);
  }
  const literal = template.replace(/\{[^}]*\}/g, 'x');
  if (/[{}]/.test(literal)) refuse('a template with balanced braces', template);
  for (const segment of template.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') refuse('a template without empty, "." or ".." folder names', template);
    if (segment.replace(/\{[^}]*\}/g, '').replace(FORBIDDEN, '') !== segment.replace(/\{[^}]*\}/g, '')) refuse('a template without characters file systems refuse (< > : " \\ | ? * or control characters)', template);
  }
}

/** A value as part of a name: no separators or forbidden characters, no leading dots, at most 80 characters. */
export function nameValue(value: string, fallback: string): string {
  const cleaned = value.normalize('NFC').replace(FORBIDDEN, '-').replace(/\s+/g, ' ').replace(/^[\s.-]+|[\s.]+$/g, '').slice(0, 80);
  return cleaned === '' ? fallback : cleaned;
}

function fitSegment(segment: string): string {
  let s = segment.replace(/[\s.]+$/g, '');
  while (Buffer.byteLength(s) > MAX_SEGMENT_BYTES) s = s.slice(0, -1);
  if (s === '' || s === '.' || s === '..') s = 'portrait';
  return WINDOWS_RESERVED.test(s) ? `${s}_` : s;
}

/** Folder segments and the file stem (without extension) for one item. */
export function expandTemplate(template: string, values: TemplateValues): { folders: string[]; stem: string } {
  const segments = template.split('/').map((segment) =>
    fitSegment(segment.replace(/\{([^}]*)\}/g, (_, token: keyof TemplateValues) => nameValue(values[token], token === 'n' ? '1' : token))),
  );
  return { folders: segments.slice(0, -1), stem: segments[segments.length - 1] ?? 'portrait' };
}

export function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
