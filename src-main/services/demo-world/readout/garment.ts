// Garment colour from the bottom band beside the centre line (never the shirt, tie or hair, by the pose limits),
// and garment type from the neckline on the body's centre line: skin just below the chin, then skin, garment,
// or a dark tie between white shirt fronts further down.
import type { ClothingType, ColorName } from '../attributes.js';
import { GARMENT_AND_BACKDROP_COLORS, PROP_RGB, luma, type Rgb } from '../palette.js';
import { distanceToShades, nearestColor } from './color-match.js';
import { samplesInDisc, type FaceFrame } from './face-frame.js';
import { medianColor, pixelsInRect, type RgbImage } from './image.js';
import { predictedShade, type LightReading } from './light.js';

/** Two rectangles (fractions of the image) beside the centre line at the bottom. */
export const GARMENT_BAND = { y0: 0.88, y1: 0.98, inner: 0.14, outer: 0.26 } as const;
const TORSO_DOME = { cx: 0, cy: 2.8, rx: 3.2, ry: 2.6 };

export interface GarmentColorReading {
  name: ColorName;
  /** The observed colour (mean of the two sides' medians). */
  color: Rgb;
}

export function readGarmentColor(image: RgbImage, light?: LightReading, frame?: FaceFrame): GarmentColorReading {
  const { y0, y1, inner, outer } = GARMENT_BAND;
  const sides = [pixelsInRect(image, 0.5 - outer, 0.5 - inner, y0, y1), pixelsInRect(image, 0.5 + inner, 0.5 + outer, y0, y1)];
  const medians = sides.map(medianColor);
  const colour: Rgb = [0, 1, 2].map((c) => ((medians[0]?.[c] ?? 0) + (medians[1]?.[c] ?? 0)) / 2) as unknown as Rgb;
  if (!light || !frame) return { name: nearestColor(colour, GARMENT_AND_BACKDROP_COLORS, 0.8, 1.15).name, color: colour };
  // Predicted shading at the two rectangles' centres, in body units.
  const k = frame.pixelsPerUnit;
  const cx = frame.body.tx, cy = frame.body.ty;
  const v = (((y0 + y1) / 2) * image.height - cy) / k;
  const gains = [-1, 1].map((side) => {
    const u = ((0.5 + side * (inner + outer) / 2) * image.width - cx) / k;
    return predictedShade(light.light, u, v, TORSO_DOME, 0);
  });
  const gain = ((gains[0] ?? 1) + (gains[1] ?? 1)) / 2;
  return { name: nearestColor(colour, GARMENT_AND_BACKDROP_COLORS, gain * 0.87, gain * 1.13).name, color: colour };
}

/**
 * The neckline, judged on the body's centre line by whether each spot looks more like the person's skin, the
 * garment, the white shirt or the navy tie. Relative judgements, so pale skin and a grey sweater, dark skin and a
 * black one, or a black suit and its navy tie still part. Spots are placed to tolerate the fitted frame's ±8 %
 * scale error (the world's faces differ in proportions).
 */
export function readGarmentType(image: RgbImage, frame: FaceFrame, skin: Rgb, garment: Rgb): ClothingType {
  const at = (x: number, y: number, r = 0.05) => medianColor(samplesInDisc(image, frame.body, x, y, r));
  const toSkin = (c: Rgb) => distanceToShades(c, skin, 0.4, 1.3).distance;
  const toGarment = (c: Rgb) => distanceToShades(c, garment, 0.6, 1.3).distance;
  const toShirt = (c: Rgb) => distanceToShades(c, PROP_RGB.shirt, 0.55, 1.2).distance;
  const toTie = (c: Rgb) => distanceToShades(c, PROP_RGB.tie, 0.6, 2.5).distance;
  const fronts = [at(-0.16, 1.75), at(0.16, 1.75)].filter((c) => toShirt(c) < 45 && toShirt(c) < toSkin(c) && toShirt(c) < toGarment(c));
  let tie: Rgb = [255, 255, 255];
  for (let x = -0.1; x <= 0.1 + 1e-9; x += 0.025) {
    const c = at(x, 1.9, 0.025);
    if (luma(c) < luma(tie)) tie = c;
  }
  // A black jacket and a navy tie look alike; there the white shirt fronts decide alone.
  const tieLike = toTie(tie) < toSkin(tie) && (toTie(tie) < toGarment(tie) || luma(garment) < 70);
  if (fronts.length > 0 && tieLike && luma(tie) < 0.6 * Math.max(...fronts.map(luma))) return 'suit';
  if (toGarment(at(0, 1.3)) < toSkin(at(0, 1.3))) return 'turtleneck';
  return toSkin(at(0, 2.05)) < toGarment(at(0, 2.05)) ? 'v-neck sweater' : 't-shirt';
}
