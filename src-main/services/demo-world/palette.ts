// The colours of the world, in sRGB 0–255. They are spaced so that a colour stays recognisable under the
// world's lighting (brightness ×0.65 … ×1.2, see lighting.ts) and the read-outs' perturbations: no two of a
// family lie near the same line through black, because shading moves a colour along that line.
import type { ColorName, EyeColor, HairColor, SkinTone } from './attributes.js';

export type Rgb = readonly [number, number, number];

export const GARMENT_AND_BACKDROP_COLORS: Readonly<Record<ColorName, Rgb>> = {
  red: [200, 38, 38],
  orange: [238, 128, 24],
  yellow: [236, 208, 48],
  green: [52, 150, 62],
  blue: [42, 82, 196],
  purple: [118, 56, 164],
  pink: [236, 128, 178],
  white: [236, 236, 230],
  grey: [126, 128, 130],
  black: [34, 34, 38],
};

export const HAIR_RGB: Readonly<Record<HairColor, Rgb>> = {
  black: [28, 24, 24],
  brown: [100, 62, 34],
  blonde: [222, 186, 112],
  red: [178, 58, 26],
  grey: [170, 170, 172],
  blue: [48, 92, 206],
  pink: [228, 116, 170],
};

export const SKIN_RGB: Readonly<Record<SkinTone, Rgb>> = {
  pale: [250, 226, 212],
  fair: [228, 182, 150],
  tan: [192, 136, 96],
  brown: [142, 92, 60],
  dark: [86, 56, 40],
};

export const EYE_RGB: Readonly<Record<EyeColor, Rgb>> = {
  brown: [104, 58, 26],
  blue: [64, 132, 220],
  green: [62, 152, 72],
  // Colourless, so that the read-out can tell it from a coloured iris washed out by blur or glare.
  grey: [152, 152, 152],
};

/** Fixed colours of the world's props. */
export const PROP_RGB = {
  sclera: [244, 242, 236] as Rgb,
  pupil: [16, 14, 16] as Rgb,
  lashLine: [40, 30, 30] as Rgb,
  glassesFrame: [26, 24, 28] as Rgb,
  shirt: [246, 246, 244] as Rgb,
  tie: [30, 30, 44] as Rgb,
  lipstick: [188, 44, 72] as Rgb,
};

/** sRGB 0–255 to the 0–1 floats the canvas holds. */
export function unit(rgb: Rgb): [number, number, number] {
  return [rgb[0] / 255, rgb[1] / 255, rgb[2] / 255];
}

export function mixRgb(a: Rgb, b: Rgb, t: number): Rgb {
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
}

export function scaleRgb(a: Rgb, k: number): Rgb {
  return [a[0] * k, a[1] * k, a[2] * k];
}

/** Rec. 601 luma, 0–255: enough to tell light from dark. */
export function luma(c: Rgb): number {
  return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
}
