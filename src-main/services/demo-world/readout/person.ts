// Identity read-outs: skin tone (the skin points of the light read-out, relit), hair colour (crown), eye colour (iris beside the pupil) and glasses
// (a dark bridge between the eyes; frame corners below the eyes tell square from round). Each colour is named
// within a window around the brightness the read light predicts at that spot.
import type { EyeColor, Glasses, HairColor, SkinTone } from '../attributes.js';
import { apply, invert } from '../geometry.js';
import { EYE_RGB, HAIR_RGB, PROP_RGB, SKIN_RGB, luma, type Rgb } from '../palette.js';
import { nearestColor } from './color-match.js';
import { samplesInDisc, samplesInRect, type FaceFrame } from './face-frame.js';
import { meanColor, medianColor, sampleAt, type RgbImage } from './image.js';
import { predictedShade, type LightReading } from './light.js';

/** Crown of the skull (head units, skull frame): hair in every style, above every hairline. */
export const CROWN = { x0: -0.15, x1: 0.15, y0: -1.0, y1: -0.8 } as const;
/** The hair domes differ by style; this normal-ish dome is their average at the crown. */
const HAIR_DOME = { cy: -0.2, rx: 1.0, ry: 1.4 };
const WINDOW = 0.13;
/** Less frame cover than this means no glasses. */
const FRAME_COVER_MIN = 0.2;

export function readSkin(light: LightReading): SkinTone {
  return nearestColor(light.skin, SKIN_RGB, 1 - WINDOW / 2, 1 + WINDOW / 2).name;
}

export function readHair(image: RgbImage, frame: FaceFrame, light: LightReading): HairColor {
  const colour = medianColor(samplesInRect(image, frame.skull, CROWN.x0, CROWN.x1, CROWN.y0, CROWN.y1));
  const gain = predictedShade(light.light, 0, (CROWN.y0 + CROWN.y1) / 2, HAIR_DOME, frame.roll);
  return nearestColor(colour, HAIR_RGB, gain * (1 - 0.2), gain * (1 + 0.2)).name;
}

/** Below this chroma (0–255 units) the iris is grey: pupil, sclera, light and glare are all colourless. */
const GREY_IRIS_CHROMA = 12;

/** The colour's part off the grey axis. */
function chromaOf(c: Rgb): [number, number, number] {
  const m = (c[0] + c[1] + c[2]) / 3;
  return [c[0] - m, c[1] - m, c[2] - m];
}

/**
 * The iris beside the pupil, left and right of it only (lids and lashes cover its top and bottom), named by hue:
 * what mixes into the iris at its edges (black pupil, white sclera, light, glare, blur) is colourless, so it
 * weakens the iris's chroma but does not turn it. Grey irises have none.
 */
export function readEyes(image: RgbImage, frame: FaceFrame, landmarks: readonly number[]): EyeColor {
  const samples: Rgb[] = [];
  const k = frame.pixelsPerUnit;
  for (const eye of [0, 1]) {
    const x = landmarks[2 * eye] as number, y = landmarks[2 * eye + 1] as number;
    for (const r of [0.06, 0.075]) {
      for (const degrees of [-20, -10, 0, 10, 20, 160, 170, 180, 190, 200]) {
        const a = (degrees * Math.PI) / 180 + frame.roll;
        samples.push(sampleAt(image, x + r * k * Math.cos(a), y + r * k * Math.sin(a)));
      }
    }
  }
  const seen = chromaOf(medianColor(samples));
  const strength = Math.hypot(...seen);
  if (strength < GREY_IRIS_CHROMA) return 'grey';
  let best: EyeColor = 'grey';
  let bestCosine = -Infinity;
  for (const name of ['brown', 'blue', 'green'] as const) {
    const c = chromaOf(EYE_RGB[name]);
    const cosine = (seen[0] * c[0] + seen[1] * c[1] + seen[2] * c[2]) / (strength * Math.hypot(...c));
    if (cosine > bestCosine) {
      bestCosine = cosine;
      best = name;
    }
  }
  return best;
}

export interface GlassesReading {
  glasses: Glasses;
  /**
   * How much of a frame line the frame spots show: the mean, over the bridge and the lower rim under each eye, of
   * how far the darkest row falls from the skin's brightness toward the frame's (0: bare skin, 1: a whole line).
   * Measured toward the frame's own brightness, so dark skin, which leaves a black frame little contrast, is judged
   * like pale skin.
   */
  frameCover: number;
}

/** `skin` is the skin's own colour (the light read-out's): the frame darkens with the skin it sits on. */
export function readGlasses(image: RgbImage, frame: FaceFrame, landmarks: readonly number[], skin: Rgb): GlassesReading {
  const f = frame.features;
  const back = invert(f);
  const eyes = [0, 1].map((e) => apply(back, landmarks[2 * e] as number, landmarks[2 * e + 1] as number));
  const step = 0.4 / frame.pixelsPerUnit;
  const lum = (x0: number, x1: number, y0: number, y1: number) => luma(medianColor(samplesInRect(image, f, x0, x1, y0, y1)));
  const frameLuma = luma(PROP_RGB.glassesFrame);
  /**
   * Frame cover of the darkest row of the band [y0, y1] over x0..x1, against the brighter of two skin bands a
   * pixel and more away (a blurred frame darkens its near surroundings; brows or a fringe may darken one band).
   */
  const darkest = (x0: number, x1: number, y0: number, y1: number, skinBands: [number, number][]) => {
    let low = Infinity;
    for (let y = y0; y <= y1 + 1e-9; y += step) low = Math.min(low, luma(meanColor(samplesInRect(image, f, x0, x1, y, y))));
    const here = Math.max(...skinBands.map(([r0, r1]) => lum(x0, x1, r0, r1)));
    const frameHere = frameLuma * (here / Math.max(1, luma(skin)));
    return Math.max(0, Math.min(1, (here - low) / Math.max(4, here - frameHere)));
  };
  const eyeY = ((eyes[0]?.[1] ?? 0) + (eyes[1]?.[1] ?? 0)) / 2;
  const bridge = darkest(-0.06, 0.06, eyeY - 0.09, eyeY + 0.01, [[eyeY - 0.26, eyeY - 0.21], [eyeY + 0.1, eyeY + 0.16]]);
  // Under each eye: the lower rim (square at +0.15, round at +0.19), clear of the eye opening (at most +0.12).
  const rims = eyes.map(([x, y]) => darkest(x - 0.06, x + 0.06, y + 0.14, y + 0.24, [[y + 0.36, y + 0.42]]));
  const frameCover = (bridge + rims.reduce((sum, r) => sum + r, 0)) / (1 + rims.length);
  if (frameCover < FRAME_COVER_MIN) return { glasses: 'none', frameCover };

  // Frame spots below each eye: on a round rim at 30° below the horizontal, on a square one at its corners
  // (parts/glasses.ts FRAME_HALF_SIZE).
  const reference = Math.max(1, lum(-0.06, 0.06, eyeY + 0.1, eyeY + 0.16));
  const spot = ([ex, ey]: [number, number], dx: number, dy: number) =>
    luma(medianColor(samplesInDisc(image, f, ex + dx, ey + dy, 0.02))) / reference;
  const round = eyes.flatMap((e) => [spot(e, -0.165, 0.095), spot(e, 0.165, 0.095)]);
  const square = eyes.flatMap((e) => [spot(e, -0.237, 0.137), spot(e, 0.237, 0.137)]);
  const mean = (v: number[]) => v.reduce((sum, x) => sum + x, 0) / v.length;
  return { glasses: mean(round) < mean(square) ? 'round' : 'square', frameCover };
}
