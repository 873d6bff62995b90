// Deliverable names from the photographer's template ("{client}-{date}-{n}", "/" makes subfolders), shared by the
// export job (which writes them) and the export dialog (which previews the first ones), so the preview is exactly
// what lands on disk. The same rules as the media host's finishing.export: values are data and never add a
// folder, "..", or a character a file system refuses; the template itself is checked once and refused if unsafe.
// No Node imports: the renderer uses this file.

export const TEMPLATE_TOKENS = ['client', 'title', 'date', 'n'] as const;
export type TemplateValues = Record<(typeof TEMPLATE_TOKENS)[number], string>;
export const DEFAULT_FILE_NAME = '{client}-{title}-{n}';

const FORBIDDEN = /[<>:"/\\|?*\u0000-\u001f\u007f]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** Why the template cannot be used ("expected …, received …"), or null when it can. */
export function templateProblem(template: string): string | null {
  const received = JSON.stringify(template);
  if (template.length === 0 || template.length > 200) return `expected a file-name template of 1 to 200 characters, received ${received}`;
  if (/^[/\\]/.test(template) || /^[a-zA-Z]:/.test(template)) return `expected a file-name template relative to the export folder, received ${received}`;
  if (template.includes('\\')) return `expected a file-name template using "/" for subfolders, received ${received}`;
  for (const match of template.matchAll(/\{([^}]*)\}/g)) {
    if (!(TEMPLATE_TOKENS as readonly string[]).includes(match[1] ?? '')) return `expected template tokens among ${TEMPLATE_TOKENS.map((t) => `{${t}}`).join(', ')}, received ${JSON.stringify(match[0])}`;
  }
  if (/[{}]/.test(template.replace(/\{[^}]*\}/g, 'x'))) return `expected a template with balanced braces, received ${received}`;
  for (const segment of template.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return `expected a template without empty, "." or ".." folder names, received ${received}`;
    const literal = segment.replace(/\{[^}]*\}/g, '');
    if (literal.replace(FORBIDDEN, '') !== literal) return `expected a template without characters file systems refuse (< > : " | ? * or control characters), received ${received}`;
  }
  return null;
}

/** A value as part of a name: no separators or forbidden characters, no leading dots, at most 80 characters. */
function nameValue(value: string, fallback: string): string {
  const cleaned = value.normalize('NFC').replace(FORBIDDEN, '-').replace(/\s+/g, ' ').replace(/^[\s.-]+|[\s.]+$/g, '').slice(0, 80);
  return cleaned === '' ? fallback : cleaned;
}

function fitSegment(segment: string): string {
  let s = segment.replace(/[\s.]+$/g, '').slice(0, 200);
  if (s === '' || s === '.' || s === '..') s = 'portrait';
  return WINDOWS_RESERVED.test(s) ? `${s}_` : s;
}

/** Folder segments and the file stem (no extension) of one item; call templateProblem first. */
export function expandTemplate(template: string, values: TemplateValues): { folders: string[]; stem: string } {
  const segments = template.split('/').map((segment) =>
    fitSegment(segment.replace(/\{([^}]*)\}/g, (_, token: keyof TemplateValues) => nameValue(values[token] ?? '', token === 'n' ? '1' : token))),
  );
  return { folders: segments.slice(0, -1), stem: segments[segments.length - 1] ?? 'portrait' };
}

/** {n} of item index out of total, zero-padded so names sort in order. */
export function itemNumber(index: number, total: number): string {
  return String(index + 1).padStart(String(total).length, '0');
}

export function localDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The first names an export will write (before any "-2" for a name already taken in the folder). */
export function previewNames(template: string, values: Omit<TemplateValues, 'n'>, total: number, extension: string, count = 3): string[] {
  return Array.from({ length: Math.min(count, total) }, (_, i) => {
    const { folders, stem } = expandTemplate(template, { ...values, n: itemNumber(i, total) });
    return `${[...folders, stem].join('/')}.${extension}`;
  });
}
