// Names and relative paths that come from a user (an imported file's name, a path in a request) must never
// reach outside the library folder. Both checks refuse rather than "clean up" a suspicious name, so that
// what is stored is exactly what the user gave or nothing.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep, win32 } from 'node:path';

import { LibraryError } from './library-error.js';

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value) : typeof value;
}

function unsafe(expected: string, value: unknown): LibraryError {
  return new LibraryError('unsafe_path', `expected ${expected}, received ${show(value)}`, 'Rename the file or choose it again from its folder.');
}

/** A plain file name: no folders, no "." or "..", no control characters, at most 255 bytes. Returned NFC-normalised. */
export function safeFileName(name: unknown): string {
  if (typeof name !== 'string') throw unsafe('a file name', name);
  const normalised = name.normalize('NFC');
  if (
    normalised.trim() === '' ||
    normalised === '.' ||
    normalised === '..' ||
    /[/\\]/.test(normalised) ||
    hasControlCharacter(normalised) ||
    Buffer.byteLength(normalised) > 255
  ) {
    throw unsafe('a file name without folders (at most 255 bytes, no "/", "\\", ".." or control characters)', name);
  }
  return normalised;
}

/** The nearest existing ancestor's real path plus the rest, so a symlink inside the library cannot lead outside it. */
function realPathOf(path: string): string {
  let existing = path;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  return resolve(realpathSync(existing), relative(existing, path));
}

/** `relativePath` inside `root` as an absolute path; refuses absolute paths, ".." segments and symlink escapes. */
export function resolveInside(root: string, relativePath: unknown): string {
  const expected = 'a path inside the library folder';
  if (typeof relativePath !== 'string' || relativePath === '' || hasControlCharacter(relativePath)) throw unsafe(expected, relativePath);
  if (isAbsolute(relativePath) || win32.isAbsolute(relativePath) || /^[a-zA-Z]:/.test(relativePath)) throw unsafe(expected, relativePath);
  if (relativePath.split(/[/\\]/).includes('..')) throw unsafe(expected, relativePath);
  const base = resolve(root);
  const target = resolve(base, relativePath);
  const inside = (from: string, to: string) => {
    const rel = relative(from, to);
    return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
  };
  if (!inside(base, target)) throw unsafe(expected, relativePath);
  if (existsSync(base) && !inside(realpathSync(base), realPathOf(target))) throw unsafe(expected, relativePath);
  return target;
}
