// Shapes as signed distance functions (negative inside), so the rasteriser can anti-alias any of them the same
// way: a pixel's coverage is how far its centre lies inside the edge. Distances only need to be right within a
// pixel or so of the edge; farther away only their sign matters.
import { apply, invert, scaleOf, type Similarity } from './geometry.js';

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface Shape {
  /** Everything inside lies in here (the rasteriser visits nothing else). */
  readonly bounds: Box;
  distance(x: number, y: number): number;
}

const FAR = 1e9;

export function circle(cx: number, cy: number, r: number): Shape {
  return {
    bounds: { x0: cx - r, y0: cy - r, x1: cx + r, y1: cy + r },
    distance: (x, y) => Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy)) - r,
  };
}

/** Axis-aligned ellipse; Quilez's first-order distance (exact on the edge, good within a pixel of it). */
export function ellipse(cx: number, cy: number, rx: number, ry: number): Shape {
  return {
    bounds: { x0: cx - rx, y0: cy - ry, x1: cx + rx, y1: cy + ry },
    distance(x, y) {
      const px = x - cx, py = y - cy;
      const k0 = Math.sqrt((px * px) / (rx * rx) + (py * py) / (ry * ry));
      const k1 = Math.sqrt((px * px) / (rx * rx * rx * rx) + (py * py) / (ry * ry * ry * ry));
      return k1 === 0 ? -Math.min(rx, ry) : (k0 * (k0 - 1)) / k1;
    },
  };
}

/** A segment from a to b thickened to radius r (strokes, brows, the tie). */
export function capsule(ax: number, ay: number, bx: number, by: number, r: number): Shape {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  return {
    bounds: { x0: Math.min(ax, bx) - r, y0: Math.min(ay, by) - r, x1: Math.max(ax, bx) + r, y1: Math.max(ay, by) + r },
    distance(x, y) {
      const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
      const ex = x - ax - dx * t, ey = y - ay - dy * t;
      return Math.sqrt(ex * ex + ey * ey) - r;
    },
  };
}

/** Axis-aligned box of half-sizes hx, hy with corners rounded to radius r. */
export function box(cx: number, cy: number, hx: number, hy: number, r = 0): Shape {
  return {
    bounds: { x0: cx - hx, y0: cy - hy, x1: cx + hx, y1: cy + hy },
    distance(x, y) {
      const qx = Math.abs(x - cx) - hx + r, qy = Math.abs(y - cy) - hy + r;
      const ox = Math.max(qx, 0), oy = Math.max(qy, 0);
      return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0) - r;
    },
  };
}

/** Any simple polygon, flat [x0, y0, x1, y1, …]; exact distance (Quilez's sdPolygon). */
export function polygon(points: readonly number[]): Shape {
  const n = points.length / 2;
  const px = (i: number) => points[2 * (i % n)] as number;
  const py = (i: number) => points[2 * (i % n) + 1] as number;
  let x0 = FAR, y0 = FAR, x1 = -FAR, y1 = -FAR;
  for (let i = 0; i < n; i += 1) {
    x0 = Math.min(x0, px(i)); x1 = Math.max(x1, px(i)); y0 = Math.min(y0, py(i)); y1 = Math.max(y1, py(i));
  }
  return {
    bounds: { x0, y0, x1, y1 },
    distance(x, y) {
      let d = (x - px(0)) * (x - px(0)) + (y - py(0)) * (y - py(0));
      let sign = 1;
      for (let i = 0, j = n - 1; i < n; j = i, i += 1) {
        const ex = px(j) - px(i), ey = py(j) - py(i);
        const wx = x - px(i), wy = y - py(i);
        const t = Math.max(0, Math.min(1, (wx * ex + wy * ey) / (ex * ex + ey * ey)));
        const bx = wx - ex * t, by = wy - ey * t;
        d = Math.min(d, bx * bx + by * by);
        const c1 = y >= py(i), c2 = y < py(j), c3 = ex * wy > ey * wx;
        if ((c1 && c2 && c3) || (!c1 && !c2 && !c3)) sign = -sign;
      }
      return sign * Math.sqrt(d);
    },
  };
}

/**
 * The zero set of a smooth function g (negative inside) as a distance: g/|∇g| with a central-difference
 * gradient. Used for outlines with no closed-form distance, such as the face with its jaw.
 */
export function implicit(g: (x: number, y: number) => number, bounds: Box, step = 1e-3): Shape {
  return {
    bounds,
    distance(x, y) {
      const v = g(x, y);
      const gx = (g(x + step, y) - g(x - step, y)) / (2 * step);
      const gy = (g(x, y + step) - g(x, y - step)) / (2 * step);
      const norm = Math.sqrt(gx * gx + gy * gy);
      return norm < 1e-12 ? (v < 0 ? -FAR : FAR) : v / norm;
    },
  };
}

export function union(...shapes: Shape[]): Shape {
  return {
    bounds: {
      x0: Math.min(...shapes.map((s) => s.bounds.x0)), y0: Math.min(...shapes.map((s) => s.bounds.y0)),
      x1: Math.max(...shapes.map((s) => s.bounds.x1)), y1: Math.max(...shapes.map((s) => s.bounds.y1)),
    },
    distance(x, y) {
      let d = FAR;
      for (const s of shapes) d = Math.min(d, s.distance(x, y));
      return d;
    },
  };
}

export function intersect(a: Shape, b: Shape): Shape {
  return {
    bounds: {
      x0: Math.max(a.bounds.x0, b.bounds.x0), y0: Math.max(a.bounds.y0, b.bounds.y0),
      x1: Math.min(a.bounds.x1, b.bounds.x1), y1: Math.min(a.bounds.y1, b.bounds.y1),
    },
    distance: (x, y) => Math.max(a.distance(x, y), b.distance(x, y)),
  };
}

export function subtract(a: Shape, b: Shape): Shape {
  return { bounds: a.bounds, distance: (x, y) => Math.max(a.distance(x, y), -b.distance(x, y)) };
}

/** The outline of a shape as a band of the given half-width centred on its edge. */
export function stroke(shape: Shape, halfWidth: number): Shape {
  const { x0, y0, x1, y1 } = shape.bounds;
  return {
    bounds: { x0: x0 - halfWidth, y0: y0 - halfWidth, x1: x1 + halfWidth, y1: y1 + halfWidth },
    distance: (x, y) => Math.abs(shape.distance(x, y)) - halfWidth,
  };
}

/** A shape drawn in its own frame (head or body units), placed in pixels by the frame's similarity. */
export function placed(shape: Shape, frame: Similarity): Shape {
  const back = invert(frame);
  const k = scaleOf(frame);
  const { x0, y0, x1, y1 } = shape.bounds;
  const corners = [apply(frame, x0, y0), apply(frame, x1, y0), apply(frame, x0, y1), apply(frame, x1, y1)];
  return {
    bounds: {
      x0: Math.min(...corners.map((c) => c[0])), y0: Math.min(...corners.map((c) => c[1])),
      x1: Math.max(...corners.map((c) => c[0])), y1: Math.max(...corners.map((c) => c[1])),
    },
    // Inlined apply(back, x, y): this runs per pixel per shape, and a tuple per call is most of its cost.
    distance: (x, y) => k * shape.distance(back.a * x - back.b * y + back.tx, back.b * x + back.a * y + back.ty),
  };
}
