// Image inputs and raw pixels shared by every media method (images, faces, finishing), in their own file so the
// method tables can import them without an import cycle through media.ts.
import { bytes, fail, integer, record, text } from './validate.js';

/** A file on disk, or the encoded bytes of one (an upload). */
export type ImageSource = { path: string } | { bytes: Uint8Array };

/** Interleaved 8-bit pixels, row-major. */
export interface Pixels {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Output sides in pixels: at least 8, at most 8192 (a 2 x 2 ft print at 300 dpi is 7200). */
export const SIDE_LIMITS = [8, 8192] as const;

export function imageSource(value: unknown, path = 'source'): ImageSource {
  const s = record(value, path);
  if (s['path'] !== undefined) return { path: text(s['path'], `${path}.path`) };
  if (s['bytes'] !== undefined) return { bytes: bytes(s['bytes'], `${path}.bytes`) };
  return fail(path, '{path} or {bytes}', value);
}

export function pixels(value: unknown, path: string): Pixels {
  const p = record(value, path);
  const width = integer(p['width'], `${path}.width`, ...SIDE_LIMITS);
  const height = integer(p['height'], `${path}.height`, ...SIDE_LIMITS);
  const channels = integer(p['channels'], `${path}.channels`, 3, 4) as 3 | 4;
  const data = bytes(p['data'], `${path}.data`);
  if (data.length !== width * height * channels) fail(`${path}.data`, `${width * height * channels} bytes`, data);
  return { data, width, height, channels };
}
