// The key light, read by fitting the world's own shading model to the face: the brightness of a few skin points
// (forehead, cheeks, jaw, chin) relative to each other is predicted for every (direction, strength), and the one
// whose prediction fits best in log brightness wins. Ratios make it independent of the skin tone.
import { LIGHT_DIRECTIONS, LIGHT_STRENGTHS, type LightDirection, type LightStrength } from '../attributes.js';
import { lightOf, shade, type Light } from '../lighting.js';
import { luma, type Rgb } from '../palette.js';
import { samplesInDisc, surfacePoint, type FaceFrame } from './face-frame.js';
import { medianColor, type RgbImage } from './image.js';

/** Skin points (head units, face looking at the camera) away from eyes, brows, nose, mouth, glasses and hair. */
const SKIN_POINTS: readonly (readonly [number, number])[] = [
  [0, -0.33], [-0.42, 0.2], [0.42, 0.2], [-0.36, 0.42], [0.36, 0.42], [-0.25, 0.78], [0.25, 0.78], [0, 0.84],
];
/** Points whose hue strays this far from the median skin hue are not skin (hair over a cheek, the jaw's edge). */
const HUE_TOLERANCE = 0.12;
const POINT_RADIUS = 0.045;
/** The average face dome (see scene.ts faceDome) the normals come from. */
const FACE_DOME = { cy: 0.02, rx: 0.84, ry: 1.07 };

export interface LightReading {
  direction: LightDirection;
  strength: LightStrength;
  light: Light;
  /** Root-mean-square misfit of the winner in log brightness. */
  misfit: number;
  /** The skin's own colour: the skin points' colours with the read light's shading divided out. */
  skin: Rgb;
}

/** Brightness factor the light gives a dome point (u, v) of a frame rolled by `roll`. */
export function predictedShade(light: Light, u: number, v: number, dome: { cx?: number; cy: number; rx: number; ry: number }, roll: number): number {
  let nx = (u - (dome.cx ?? 0)) / dome.rx, ny = (v - dome.cy) / dome.ry;
  const r2 = nx * nx + ny * ny;
  if (r2 > 1) {
    nx /= Math.sqrt(r2); ny /= Math.sqrt(r2);
  }
  const nz = Math.sqrt(Math.max(0, 1 - nx * nx - ny * ny));
  const c = Math.cos(roll), s = Math.sin(roll);
  return shade(light, c * nx - s * ny, s * nx + c * ny, nz);
}

/** Chromaticity (r, b over the sum): unchanged by shading, so it tells skin from non-skin at any brightness. */
function hue(c: Rgb): [number, number] {
  const sum = Math.max(1, c[0] + c[1] + c[2]);
  return [c[0] / sum, c[2] / sum];
}

/** Mean squared log misfit after removing the best constant (the skin's own brightness). */
function misfit(diffs: number[]): number {
  const mean = diffs.reduce((s, d) => s + d, 0) / diffs.length;
  return diffs.reduce((s, d) => s + (d - mean) ** 2, 0) / diffs.length;
}

/** Reads the light and, with it, the skin's own colour (the skin-tone read-out). */
export function readLight(image: RgbImage, frame: FaceFrame): LightReading {
  const points = SKIN_POINTS.map(([x, y]) => {
    const p = surfacePoint(frame, x, y);
    const colour = medianColor(samplesInDisc(image, frame.features, p.x, p.y, POINT_RADIUS));
    return { u: p.u, v: y, colour, lum: Math.max(1, luma(colour)), clipped: Math.max(...colour) >= 250 };
  });
  const hues = points.map((p) => hue(p.colour));
  const typical = [medianOf(hues.map((h) => h[0])), medianOf(hues.map((h) => h[1]))];
  const skin = points.filter((p, i) => {
    const h = hues[i] as [number, number];
    return !p.clipped && Math.abs(h[0] - (typical[0] as number)) + Math.abs(h[1] - (typical[1] as number)) < HUE_TOLERANCE;
  });
  const usable = skin.length >= 5 ? skin : points;
  let best: LightReading | undefined;
  for (const direction of LIGHT_DIRECTIONS) {
    for (const strength of LIGHT_STRENGTHS) {
      const light = lightOf(direction, strength);
      const diffs = usable.map((p) => Math.log(p.lum) - Math.log(predictedShade(light, p.u, p.v, FACE_DOME, frame.roll)));
      // Trimmed: the worst point is left out, so one bad spot (a stray lock of hair) cannot swing the verdict.
      const trimmed = Math.min(...diffs.map((_, skip) => misfit(diffs.filter((_d, i) => i !== skip))));
      const score = Math.sqrt(trimmed);
      if (!best || score < best.misfit) best = { direction, strength, light, misfit: score, skin: [0, 0, 0] };
    }
  }
  const winner = best as LightReading;
  const relit = usable.map((p) => {
    const f = predictedShade(winner.light, p.u, p.v, FACE_DOME, frame.roll);
    return [p.colour[0] / f, p.colour[1] / f, p.colour[2] / f] as const;
  });
  return { ...winner, skin: medianColor(relit) };
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}
