// The backdrop: a named colour, optionally patterned with a lighter or darker tone of itself. Patterns are
// fixed to the camera (not the person), sized in fractions of the image, and cover well under half the area,
// so the backdrop's own colour is always the most common one (the read-out takes the median).
import type { BackgroundPattern, ColorName } from '../attributes.js';
import { backdropShade } from '../lighting.js';
import { GARMENT_AND_BACKDROP_COLORS, luma, mixRgb, unit, type Rgb } from '../palette.js';
import type { Scene } from '../scene.js';

/** Periods and half-widths of the patterns, in fractions of the image height. */
export const PATTERN_GEOMETRY = {
  striped: { period: 0.12, halfWidth: 0.021 },
  dotted: { period: 0.11, radius: 0.026 },
  plaid: { period: 0.18, halfWidth: 0.016 },
} as const;

export function accentOf(color: ColorName): Rgb {
  const base = GARMENT_AND_BACKDROP_COLORS[color];
  return luma(base) > 140 ? mixRgb(base, [0, 0, 0], 0.4) : mixRgb(base, [255, 255, 255], 0.45);
}

function wrap(t: number, period: number): number {
  return ((t % period) + period) % period;
}

/** Signed distance to the pattern's accent areas, in fractions of the image height (negative inside). */
function patternDistance(pattern: BackgroundPattern, u: number, v: number, phase: [number, number]): number {
  switch (pattern) {
    case 'plain':
      return 1;
    case 'striped': {
      const { period, halfWidth } = PATTERN_GEOMETRY.striped;
      return Math.abs(wrap(u + phase[0] * period, period) - period / 2) - halfWidth;
    }
    case 'dotted': {
      const { period, radius } = PATTERN_GEOMETRY.dotted;
      const row = Math.floor((v + phase[1] * period) / period);
      const du = wrap(u + phase[0] * period + (row % 2 === 0 ? 0 : period / 2), period) - period / 2;
      const dv = wrap(v + phase[1] * period, period) - period / 2;
      return Math.sqrt(du * du + dv * dv) - radius;
    }
    case 'plaid': {
      const { period, halfWidth } = PATTERN_GEOMETRY.plaid;
      const across = Math.abs(wrap(u + phase[0] * period, period) - period / 2);
      const down = Math.abs(wrap(v + phase[1] * period, period) - period / 2);
      return Math.min(across, down) - halfWidth;
    }
  }
}

export function paintBackground(scene: Scene): void {
  const { canvas, style, light } = scene;
  const { backgroundColor, backgroundPattern } = style.traits;
  const base = unit(GARMENT_AND_BACKDROP_COLORS[backgroundColor]);
  const accent = unit(accentOf(backgroundColor));
  const h = canvas.height;
  canvas.fill((x, y, out) => {
    // Patterns are measured in image heights so that a 64 and a 128 render show the same picture.
    const u = x / h, v = y / h;
    const d = patternDistance(backgroundPattern, u, v, style.details.patternPhase) * h;
    const a = d >= 0.5 ? 0 : d <= -0.5 ? 1 : 0.5 - d;
    const f = backdropShade(light, x / canvas.width, v);
    for (let c = 0; c < 3; c += 1) out[c] = ((base[c] as number) + ((accent[c] as number) - (base[c] as number)) * a) * f;
  });
}
