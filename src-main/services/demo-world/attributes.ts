// The vocabulary of the portrait world: every categorical attribute, its values (also its caption words), and
// the records that carry them. Identity traits belong to a person and never change with the photo; style traits
// belong to the photo (backdrop, clothes, light, framing, head turn) and never change the person. That split is
// what lets the demo measure identity kept, style transferred and nothing leaking between them.

export const GENDERS = ['woman', 'man'] as const;
export const FACE_SHAPES = ['oval', 'round', 'square', 'heart', 'long'] as const;
export const SKIN_TONES = ['pale', 'fair', 'tan', 'brown', 'dark'] as const;
export const EYE_SHAPES = ['round', 'almond', 'narrow'] as const;
export const EYE_COLORS = ['brown', 'blue', 'green', 'grey'] as const;
export const NOSES = ['small', 'long', 'wide'] as const;
export const MOUTHS = ['small', 'wide', 'full'] as const;
export const HAIR_STYLES = ['short', 'long', 'bob', 'curly', 'bun', 'buzz'] as const;
export const HAIR_COLORS = ['black', 'brown', 'blonde', 'red', 'grey', 'blue', 'pink'] as const;
export const GLASSES = ['none', 'round', 'square'] as const;

export const COLOR_NAMES = ['red', 'orange', 'yellow', 'green', 'blue', 'purple', 'pink', 'white', 'grey', 'black'] as const;
export const BACKGROUND_PATTERNS = ['plain', 'striped', 'dotted', 'plaid'] as const;
export const CLOTHING_TYPES = ['t-shirt', 'v-neck sweater', 'turtleneck', 'suit'] as const;
/** Where the key light comes from, as the viewer sees the picture ("left" lights the image's left side). */
export const LIGHT_DIRECTIONS = ['left', 'right', 'front', 'above'] as const;
export const LIGHT_STRENGTHS = ['soft', 'harsh'] as const;
export const FRAMINGS = ['close-up', 'portrait'] as const;
/** Which way the face turns, as the viewer sees it ("left": the nose points to the image's left). */
export const HEAD_TURNS = ['left', 'front', 'right'] as const;

export type Gender = (typeof GENDERS)[number];
export type FaceShape = (typeof FACE_SHAPES)[number];
export type SkinTone = (typeof SKIN_TONES)[number];
export type EyeShape = (typeof EYE_SHAPES)[number];
export type EyeColor = (typeof EYE_COLORS)[number];
export type Nose = (typeof NOSES)[number];
export type Mouth = (typeof MOUTHS)[number];
export type HairStyle = (typeof HAIR_STYLES)[number];
export type HairColor = (typeof HAIR_COLORS)[number];
export type Glasses = (typeof GLASSES)[number];
export type ColorName = (typeof COLOR_NAMES)[number];
export type BackgroundPattern = (typeof BACKGROUND_PATTERNS)[number];
export type ClothingType = (typeof CLOTHING_TYPES)[number];
export type LightDirection = (typeof LIGHT_DIRECTIONS)[number];
export type LightStrength = (typeof LIGHT_STRENGTHS)[number];
export type Framing = (typeof FRAMINGS)[number];
export type HeadTurn = (typeof HEAD_TURNS)[number];

export interface IdentityTraits {
  gender: Gender;
  faceShape: FaceShape;
  skinTone: SkinTone;
  eyeShape: EyeShape;
  eyeColor: EyeColor;
  nose: Nose;
  mouth: Mouth;
  hairStyle: HairStyle;
  hairColor: HairColor;
  glasses: Glasses;
}

export interface StyleTraits {
  backgroundColor: ColorName;
  backgroundPattern: BackgroundPattern;
  clothingType: ClothingType;
  clothingColor: ColorName;
  lightDirection: LightDirection;
  lightStrength: LightStrength;
  framing: Framing;
  headTurn: HeadTurn;
}

/** The flat categorical record of one picture: what captions say, read-outs recover and held-out sets name. */
export type Attributes = IdentityTraits & StyleTraits;
export type AttributeName = keyof Attributes;

/**
 * Small continuous differences (head units, see head-layout.ts) that make two people with the same traits two
 * different people. They are not named in captions.
 */
export interface IdentityGeometry {
  faceWidthScale: number;
  eyeHalfSpacing: number;
  eyeY: number;
  noseY: number;
  mouthY: number;
  browLift: number;
  hairline: number;
  parting: number;
  hairVolume: number;
}

export interface Identity {
  id: string;
  traits: IdentityTraits;
  geometry: IdentityGeometry;
}

/** Continuous details of a style that stay fixed with it, so a style looks the same on everybody. */
export interface StyleDetails {
  /** Pattern offset as a fraction of its period, x then y. */
  patternPhase: [number, number];
}

export interface Style {
  id: string;
  traits: StyleTraits;
  details: StyleDetails;
}

/** Where and how the head sits in one render; drawn from the render seed inside the limits of the style. */
export interface Pose {
  /** Radians about the vertical axis; negative turns the face to the image's left. */
  yaw: number;
  /** Radians in the image plane about the neck, positive clockwise on screen. */
  roll: number;
  /** Face centre in fractions of the width and height. */
  centerX: number;
  centerY: number;
  /** Face half-height as a fraction of the image height. */
  scale: number;
}

export const IDENTITY_ATTRIBUTES: readonly (keyof IdentityTraits)[] = [
  'gender', 'faceShape', 'skinTone', 'eyeShape', 'eyeColor', 'nose', 'mouth', 'hairStyle', 'hairColor', 'glasses',
];
export const STYLE_ATTRIBUTES: readonly (keyof StyleTraits)[] = [
  'backgroundColor', 'backgroundPattern', 'clothingType', 'clothingColor', 'lightDirection', 'lightStrength',
  'framing', 'headTurn',
];

export const ATTRIBUTE_VALUES: { readonly [K in AttributeName]: readonly Attributes[K][] } = {
  gender: GENDERS,
  faceShape: FACE_SHAPES,
  skinTone: SKIN_TONES,
  eyeShape: EYE_SHAPES,
  eyeColor: EYE_COLORS,
  nose: NOSES,
  mouth: MOUTHS,
  hairStyle: HAIR_STYLES,
  hairColor: HAIR_COLORS,
  glasses: GLASSES,
  backgroundColor: COLOR_NAMES,
  backgroundPattern: BACKGROUND_PATTERNS,
  clothingType: CLOTHING_TYPES,
  clothingColor: COLOR_NAMES,
  lightDirection: LIGHT_DIRECTIONS,
  lightStrength: LIGHT_STRENGTHS,
  framing: FRAMINGS,
  headTurn: HEAD_TURNS,
};

export function attributesOf(identity: Identity, style: Style): Attributes {
  return { ...identity.traits, ...style.traits };
}

/** Checks a partial record from outside (a CLI flag, a JSON file): known names, known values. */
export function checkPartialAttributes(value: unknown, what: string): Partial<Attributes> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`expected ${what} to be an object of attribute → value, received ${JSON.stringify(value)}`);
  }
  for (const [name, v] of Object.entries(value)) {
    const allowed = (ATTRIBUTE_VALUES as Record<string, readonly string[]>)[name];
    if (!allowed) {
      throw new TypeError(`expected ${what} to name attributes among ${Object.keys(ATTRIBUTE_VALUES).join(', ')}, received ${name}`);
    }
    if (typeof v !== 'string' || !allowed.includes(v)) {
      throw new TypeError(`expected ${what}.${name} to be one of ${allowed.join(', ')}, received ${JSON.stringify(v)}`);
    }
  }
  return value as Partial<Attributes>;
}
