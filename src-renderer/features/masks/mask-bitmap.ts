// A face mask as one byte per pixel (255 = face, 0 = not), at the size of the upright photo, and the pixel
// operations the tools need. Pure functions over typed arrays: no DOM, so they are tested in Node. Each edit
// returns the rectangle it touched, which is what undo stores.

export interface Bitmap {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function createBitmap(width: number, height: number, fill = 0): Bitmap {
  return { width, height, data: new Uint8Array(width * height).fill(fill) };
}

export function fullRect(b: Bitmap): Rect {
  return { x: 0, y: 0, w: b.width, h: b.height };
}

export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a || a.w <= 0 || a.h <= 0) return b;
  if (!b || b.w <= 0 || b.h <= 0) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** The rectangle clipped to the bitmap, in whole pixels; null when nothing is left. */
export function clipRect(b: Bitmap, x0: number, y0: number, x1: number, y1: number): Rect | null {
  const x = Math.max(0, Math.floor(x0));
  const y = Math.max(0, Math.floor(y0));
  const w = Math.min(b.width, Math.ceil(x1)) - x;
  const h = Math.min(b.height, Math.ceil(y1)) - y;
  return w > 0 && h > 0 ? { x, y, w, h } : null;
}

export function readRect(b: Bitmap, r: Rect): Uint8Array {
  const out = new Uint8Array(r.w * r.h);
  for (let row = 0; row < r.h; row++) out.set(b.data.subarray((r.y + row) * b.width + r.x, (r.y + row) * b.width + r.x + r.w), row * r.w);
  return out;
}

export function writeRect(b: Bitmap, r: Rect, pixels: Uint8Array): void {
  for (let row = 0; row < r.h; row++) b.data.set(pixels.subarray(row * r.w, (row + 1) * r.w), (r.y + row) * b.width + r.x);
}

/**
 * A round brush dragged from `from` to `to`: full strength within radius × hardness of the segment, fading to
 * nothing at the radius. Painting keeps the stronger of old and new (overlapping dabs do not build up); erasing
 * keeps the weaker.
 */
export function paintSegment(b: Bitmap, from: Point, to: Point, radius: number, hardness: number, value: 0 | 255): Rect | null {
  const r = Math.max(0.5, radius);
  const inner = r * Math.min(1, Math.max(0, hardness));
  const rect = clipRect(b, Math.min(from.x, to.x) - r, Math.min(from.y, to.y) - r, Math.max(from.x, to.x) + r + 1, Math.max(from.y, to.y) + r + 1);
  if (!rect) return null;
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const length2 = dx * dx + dy * dy;
  for (let y = rect.y; y < rect.y + rect.h; y++) {
    for (let x = rect.x; x < rect.x + rect.w; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - from.x) * dx + (py - from.y) * dy) / length2));
      const d = Math.hypot(px - (from.x + t * dx), py - (from.y + t * dy));
      if (d >= r) continue;
      const coverage = d <= inner ? 1 : (r - d) / (r - inner);
      const i = y * b.width + x;
      const old = b.data[i] as number;
      b.data[i] = value === 255 ? Math.max(old, Math.round(255 * coverage)) : Math.min(old, Math.round(255 * (1 - coverage)));
    }
  }
  return rect;
}

/** Fills the inside of a closed polygon (even-odd, pixel centres) with `value`. */
export function fillPolygon(b: Bitmap, points: readonly Point[], value: number): Rect | null {
  if (points.length < 3) return null;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const rect = clipRect(b, Math.min(...xs), Math.min(...ys), Math.max(...xs) + 1, Math.max(...ys) + 1);
  if (!rect) return null;
  const crossings: number[] = [];
  for (let y = rect.y; y < rect.y + rect.h; y++) {
    const cy = y + 0.5;
    crossings.length = 0;
    for (let i = 0; i < points.length; i++) {
      const a = points[i] as Point;
      const c = points[(i + 1) % points.length] as Point;
      if ((a.y <= cy) !== (c.y <= cy)) crossings.push(a.x + ((cy - a.y) / (c.y - a.y)) * (c.x - a.x));
    }
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const start = Math.max(rect.x, Math.ceil((crossings[k] as number) - 0.5));
      const end = Math.min(rect.x + rect.w - 1, Math.floor((crossings[k + 1] as number) - 0.5));
      if (end >= start) b.data.fill(value, y * b.width + start, y * b.width + end + 1);
    }
  }
  return rect;
}

/** Paint-bucket: the 4-connected region around `at` on the same side of 50% becomes `value`. */
export function floodFill(b: Bitmap, at: Point, value: number): Rect | null {
  const x0 = Math.floor(at.x);
  const y0 = Math.floor(at.y);
  if (x0 < 0 || y0 < 0 || x0 >= b.width || y0 >= b.height) return null;
  const inside = (b.data[y0 * b.width + x0] as number) >= 128;
  const seen = new Uint8Array(b.width * b.height);
  const stack = [y0 * b.width + x0];
  let minX = x0, maxX = x0, minY = y0, maxY = y0;
  while (stack.length > 0) {
    const i = stack.pop() as number;
    if (seen[i] || ((b.data[i] as number) >= 128) !== inside) continue;
    seen[i] = 1;
    b.data[i] = value;
    const x = i % b.width;
    const y = (i - x) / b.width;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
    if (x > 0) stack.push(i - 1);
    if (x < b.width - 1) stack.push(i + 1);
    if (y > 0) stack.push(i - b.width);
    if (y < b.height - 1) stack.push(i + b.width);
  }
  return { x: minX, y: minY, w: maxX - minX + 1, h: maxY - minY + 1 };
}

function boxBlurLine(src: Uint8Array | Float32Array, dst: Float32Array, start: number, stride: number, n: number, r: number): void {
  let sum = 0;
  const at = (k: number) => src[start + Math.min(n - 1, Math.max(0, k)) * stride] as number;
  for (let k = -r; k <= r; k++) sum += at(k);
  for (let k = 0; k < n; k++) {
    dst[start + k * stride] = sum / (2 * r + 1);
    sum += at(k + r + 1) - at(k - r);
  }
}

/** Softens the mask's edge: three box blurs of radius/3 in each direction, close to a Gaussian. */
export function feather(b: Bitmap, radius: number): Rect | null {
  const r = Math.max(1, Math.round(radius / 3));
  const a = Float32Array.from(b.data);
  const c = new Float32Array(a.length);
  for (let pass = 0; pass < 3; pass++) {
    for (let y = 0; y < b.height; y++) boxBlurLine(a, c, y * b.width, 1, b.width, r);
    for (let x = 0; x < b.width; x++) boxBlurLine(c, a, x, b.width, b.height, r);
  }
  for (let i = 0; i < a.length; i++) b.data[i] = Math.round(a[i] as number);
  return fullRect(b);
}

export function invert(b: Bitmap): Rect {
  for (let i = 0; i < b.data.length; i++) b.data[i] = 255 - (b.data[i] as number);
  return fullRect(b);
}
