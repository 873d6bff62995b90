// 2-D similarity transforms (rotation, uniform scale, translation): they place the head and body in the
// picture, map read-out regions from head units to pixels, and align faces by their landmarks.
import { cos, sin } from './exact-math.js';

/** (x, y) ↦ (a·x − b·y + tx, b·x + a·y + ty). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export function similarity(scale: number, angle: number, tx: number, ty: number): Similarity {
  return { a: scale * cos(angle), b: scale * sin(angle), tx, ty };
}

export function apply(t: Similarity, x: number, y: number): [number, number] {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

export function scaleOf(t: Similarity): number {
  return Math.sqrt(t.a * t.a + t.b * t.b);
}

export function invert(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** first, then second. */
export function compose(second: Similarity, first: Similarity): Similarity {
  const [tx, ty] = apply(second, first.tx, first.ty);
  return { a: second.a * first.a - second.b * first.b, b: second.b * first.a + second.a * first.b, tx, ty };
}

/**
 * The least-squares similarity taking points `from` onto points `to` (flat [x0, y0, x1, y1, …]); the 2-D case of
 * Umeyama's fit that METHOD.md §1.3 uses to align faces by their five landmarks.
 */
export function fitSimilarity(from: readonly number[], to: readonly number[]): Similarity {
  const n = from.length / 2;
  if (n < 2 || from.length !== to.length) {
    throw new RangeError(`expected two equally long lists of at least 2 points, received ${from.length / 2} and ${to.length / 2}`);
  }
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i += 1) {
    fx += from[2 * i] as number; fy += from[2 * i + 1] as number;
    tx += to[2 * i] as number; ty += to[2 * i + 1] as number;
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  let norm = 0, dot = 0, cross = 0;
  for (let i = 0; i < n; i += 1) {
    const px = (from[2 * i] as number) - fx, py = (from[2 * i + 1] as number) - fy;
    const qx = (to[2 * i] as number) - tx, qy = (to[2 * i + 1] as number) - ty;
    norm += px * px + py * py;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
  }
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}
