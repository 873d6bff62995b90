// The optional --landmarks file of `magicapture train`: {"photo.jpg": [x0, y0, ... x4, y4]} with the five points
// RetinaFace gives (left eye, right eye, nose tip, left and right mouth corner) in pixels of the photo as shown.
// The identity loss aligns faces with them (METHOD.md §1.3, §4.3); the trainer wants them in crop pixels.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

import { InputError } from './input-error.js';
import type { CoverCrop } from './training-inputs.js';

export interface LandmarksFile {
  byName: Map<string, number[]>;
  sha256: string;
}

const HINT = 'The file maps image file names to 10 numbers: x and y of the eyes, the nose tip and the mouth corners.';

export async function readLandmarks(path: string): Promise<LandmarksFile> {
  const bytes = await readFile(path).catch((e: Error) => {
    throw new InputError(`cannot read --landmarks ${path}: ${e.message}`);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InputError(`expected --landmarks ${path} to be JSON, received ${(error as Error).message}`, HINT);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InputError(`expected --landmarks ${path} to hold an object of file names, received ${Array.isArray(parsed) ? 'an array' : typeof parsed}`, HINT);
  }
  const byName = new Map<string, number[]>();
  for (const [name, value] of Object.entries(parsed)) {
    if (!Array.isArray(value) || value.length !== 10 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new InputError(`expected the landmarks of ${name} to be 10 numbers (5 points), received ${JSON.stringify(value).slice(0, 80)}`, HINT);
    }
    byName.set(name, value as number[]);
  }
  return { byName, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Points of the photo as shown, mapped through the resize (pixel centres kept) and the centre crop. */
export function landmarksInCrop(points: number[], crop: CoverCrop, name: string): number[] {
  return points.map((v, i) => {
    const x = i % 2 === 0;
    const extent = x ? crop.width : crop.height;
    if (v < 0 || v > extent) {
      throw new InputError(
        `expected the landmarks of ${name} inside its ${crop.width}x${crop.height} pixels, received ${x ? 'x' : 'y'} = ${v}`,
        HINT,
      );
    }
    const scale = (x ? crop.resizedWidth : crop.resizedHeight) / extent;
    return (v + 0.5) * scale - 0.5 - (x ? crop.left : crop.top);
  });
}
