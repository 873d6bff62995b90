// Hair colour without landmarks: the first rows below the top of the image, in its central columns, that are
// neither backdrop nor pattern are the top of the head, which in every hair style of the world is hair. Where
// no such row comes before the head must have begun (hair the colour of the backdrop), the backdrop's colour is
// the hair's.
import type { HairColor } from '../attributes.js';
import { HAIR_RGB, type Rgb } from '../palette.js';
import { nearestColor } from './color-match.js';
import { distance, dominantColor, pixelAt, type RgbImage } from './image.js';

/** A pixel this far from both backdrop tones is foreground. */
const FOREGROUND_DISTANCE = 40;
/** The central columns searched, and the row by which every head of the world has begun (pose limits). */
const COLUMNS = [0.3, 0.7] as const;
const LATEST_HEAD_TOP = 0.3;
/** The hair band read below the head's top, in image heights. */
const BAND = [0.015, 0.06] as const;

function distanceToSegment(c: Rgb, a: Rgb, b: Rgb): number {
  const d: Rgb = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const norm = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  const t = norm === 0 ? 0 : Math.max(0, Math.min(1, ((c[0] - a[0]) * d[0] + (c[1] - a[1]) * d[1] + (c[2] - a[2]) * d[2]) / norm));
  return distance(c, [a[0] + d[0] * t, a[1] + d[1] * t, a[2] + d[2] * t]);
}

export function readHairWithoutLandmarks(image: RgbImage, backdrop: Rgb, accent: Rgb | undefined): HairColor {
  const { width, height } = image;
  // Pattern edges blend the two backdrop tones, so the backdrop is the whole segment between them.
  const isForeground = (c: Rgb) => distanceToSegment(c, backdrop, accent ?? backdrop) > FOREGROUND_DISTANCE;
  const i0 = Math.round(COLUMNS[0] * width), i1 = Math.round(COLUMNS[1] * width);
  const needed = Math.max(2, Math.round(0.03 * width));
  let top = -1;
  for (let j = 0; j < Math.round(LATEST_HEAD_TOP * height) && top < 0; j += 1) {
    let n = 0;
    for (let i = i0; i < i1; i += 1) if (isForeground(pixelAt(image, i, j))) n += 1;
    if (n >= needed) top = j;
  }
  if (top < 0) return nearestColor(backdrop, HAIR_RGB, 0.8, 1.2).name;
  const hair: Rgb[] = [];
  for (let j = top + Math.round(BAND[0] * height); j <= Math.min(height - 1, top + Math.round(BAND[1] * height)); j += 1) {
    for (let i = i0; i < i1; i += 1) {
      const c = pixelAt(image, i, j);
      if (isForeground(c)) hair.push(c);
    }
  }
  return nearestColor(hair.length > 0 ? dominantColor(hair) : backdrop, HAIR_RGB, 0.75, 1.25).name;
}
