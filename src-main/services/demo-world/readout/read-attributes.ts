// Attributes recovered from pixels through regions the world's geometry makes known: the backdrop from the side
// strips, the garment from the bottom band, and, given the five landmarks (the sample's own, or a detector's),
// light, skin, hair, eyes, glasses, neckline, head turn and framing through head and body units.
// These measure later whether a generated picture shows what its caption asked for.
import type {
  BackgroundPattern, ClothingType, ColorName, EyeColor, Framing, Glasses, HairColor, HeadTurn, LightDirection,
  LightStrength, SkinTone,
} from '../attributes.js';
import { readBackdrop } from './backdrop.js';
import { faceFrameOf } from './face-frame.js';
import { readHairWithoutLandmarks } from './head-top.js';
import { readGarmentColor, readGarmentType } from './garment.js';
import { checkImage, type RgbImage } from './image.js';
import { readLight } from './light.js';
import { IRIS_RADIUS } from '../parts/eyes.js';
import { readEyes, readGlasses, readHair, readSkin } from './person.js';

export interface ReadoutHints {
  /**
   * The five landmarks (RetinaFace order, pixel centres at integers); without them only backdrop, garment and
   * hair colour are read. Eye colour is read only where the iris is big enough (128-pixel renders, not 64).
   */
  landmarks?: readonly number[];
}

export interface ReadAttributes {
  backgroundColor: ColorName;
  backgroundPattern: BackgroundPattern;
  clothingColor: ColorName;
  clothingType?: ClothingType;
  hairColor?: HairColor;
  skinTone?: SkinTone;
  eyeColor?: EyeColor;
  glasses?: Glasses;
  lightDirection?: LightDirection;
  lightStrength?: LightStrength;
  headTurn?: HeadTurn;
  framing?: Framing;
}

/** sin(yaw) beyond which the head counts as turned (the world turns heads by at least 0.24 rad, 0.05 at most when facing). */
const TURNED = 0.12;
/** Face half-height over image height between the world's portrait (≤ 0.18) and close-up (≥ 0.22) framings. */
const CLOSE_UP_SCALE = 0.2;
/** Below this iris radius in pixels (64-pixel renders) the iris is a blend of its neighbours: no eye colour is read. */
const MIN_IRIS_PIXELS = 1.6;

export function readAttributes(image: RgbImage, hints: ReadoutHints = {}): ReadAttributes {
  checkImage(image);
  const backdrop = readBackdrop(image);
  const base = { backgroundColor: backdrop.color, backgroundPattern: backdrop.pattern };
  if (!hints.landmarks) {
    return { ...base, clothingColor: readGarmentColor(image).name, hairColor: readHairWithoutLandmarks(image, backdrop.base, backdrop.accent) };
  }

  const frame = faceFrameOf(hints.landmarks);
  const light = readLight(image, frame);

  const garment = readGarmentColor(image, light, frame);
  return {
    ...base,
    clothingColor: garment.name,
    clothingType: readGarmentType(image, frame, light.skin, garment.color),
    hairColor: readHair(image, frame, light),
    skinTone: readSkin(light),
    ...(frame.pixelsPerUnit * IRIS_RADIUS >= MIN_IRIS_PIXELS ? { eyeColor: readEyes(image, frame, hints.landmarks) } : {}),
    glasses: readGlasses(image, frame, hints.landmarks, light.skin).glasses,
    lightDirection: light.direction,
    lightStrength: light.strength,
    headTurn: frame.sinYaw < -TURNED ? 'left' : frame.sinYaw > TURNED ? 'right' : 'front',
    framing: frame.pixelsPerUnit / image.height >= CLOSE_UP_SCALE ? 'close-up' : 'portrait',
  };
}
