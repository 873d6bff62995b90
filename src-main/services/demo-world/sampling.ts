// Drawing people, styles and poses from a seeded stream. Each attribute draws from its own forked stream, so a
// change to how one attribute is drawn leaves every other attribute of every seed as it was.
import {
  BACKGROUND_PATTERNS, CLOTHING_TYPES, COLOR_NAMES, EYE_COLORS, EYE_SHAPES, FACE_SHAPES, FRAMINGS, GENDERS, GLASSES,
  HAIR_COLORS, HAIR_STYLES, HEAD_TURNS, LIGHT_DIRECTIONS, LIGHT_STRENGTHS, MOUTHS, NOSES, SKIN_TONES,
  type HairStyle, type HeadTurn, type Identity, type Pose, type Style,
} from './attributes.js';
import type { Rng } from './rng.js';

// Hair styles lean by gender the way portrait photos do, but every style stays possible for everybody, so
// any (gender, hair style) pair can be asked for and held out.
const HAIR_STYLE_WEIGHTS: Record<'woman' | 'man', Record<HairStyle, number>> = {
  woman: { short: 2, long: 4, bob: 3, curly: 2, bun: 2, buzz: 0.5 },
  man: { short: 5, long: 1, bob: 0.5, curly: 2, bun: 0.7, buzz: 3 },
};

const idOf = (prefix: string, rng: Rng) => `${prefix}-${rng.uint32().toString(16).padStart(8, '0')}`;

export function sampleIdentity(rng: Rng): Identity {
  const gender = rng.fork('gender').pick(GENDERS);
  const weights = HAIR_STYLE_WEIGHTS[gender];
  const g = rng.fork('geometry');
  return {
    id: idOf('person', rng.fork('id')),
    traits: {
      gender,
      faceShape: rng.fork('faceShape').pick(FACE_SHAPES),
      skinTone: rng.fork('skinTone').pick(SKIN_TONES),
      eyeShape: rng.fork('eyeShape').pick(EYE_SHAPES),
      eyeColor: rng.fork('eyeColor').pick(EYE_COLORS),
      nose: rng.fork('nose').pick(NOSES),
      mouth: rng.fork('mouth').pick(MOUTHS),
      hairStyle: rng.fork('hairStyle').weighted(HAIR_STYLES, HAIR_STYLES.map((s) => weights[s])),
      hairColor: rng.fork('hairColor').pick(HAIR_COLORS),
      glasses: rng.fork('glasses').weighted(GLASSES, [2, 1, 1]),
    },
    geometry: {
      faceWidthScale: g.range(0.96, 1.04),
      eyeHalfSpacing: g.range(0.3, 0.35),
      eyeY: g.range(-0.16, -0.09),
      noseY: g.range(0.26, 0.33),
      mouthY: g.range(0.55, 0.62),
      browLift: g.range(0.17, 0.22),
      hairline: g.range(-0.66, -0.54),
      parting: g.range(-0.3, 0.3),
      hairVolume: g.range(0.08, 0.14),
    },
  };
}

export function sampleStyle(rng: Rng): Style {
  const phase = rng.fork('patternPhase');
  return {
    id: idOf('style', rng.fork('id')),
    traits: {
      backgroundColor: rng.fork('backgroundColor').pick(COLOR_NAMES),
      backgroundPattern: rng.fork('backgroundPattern').pick(BACKGROUND_PATTERNS),
      clothingType: rng.fork('clothingType').pick(CLOTHING_TYPES),
      clothingColor: rng.fork('clothingColor').pick(COLOR_NAMES),
      lightDirection: rng.fork('lightDirection').pick(LIGHT_DIRECTIONS),
      lightStrength: rng.fork('lightStrength').pick(LIGHT_STRENGTHS),
      framing: rng.fork('framing').pick(FRAMINGS),
      headTurn: rng.fork('headTurn').pick(HEAD_TURNS),
    },
    details: { patternPhase: [phase.float(), phase.float()] },
  };
}

/** Yaw ranges in radians: a turn is unmistakable but small enough that both eyes stay in view. */
const YAW: Record<HeadTurn, [number, number]> = { left: [-0.36, -0.24], front: [-0.05, 0.05], right: [0.24, 0.36] };

/**
 * The pose limits of the world. Read-outs rely on them: the image border beside the head is always backdrop,
 * the bottom band beside the centre is always garment.
 */
export const POSE_LIMITS = {
  roll: 0.1,
  centerX: [0.45, 0.55] as const,
  centerY: { 'close-up': [0.41, 0.45] as const, portrait: [0.4, 0.44] as const },
  scale: { 'close-up': [0.22, 0.24] as const, portrait: [0.165, 0.18] as const },
};

export function samplePose(style: Style, rng: Rng): Pose {
  const framing = style.traits.framing;
  const [yawLow, yawHigh] = YAW[style.traits.headTurn];
  const [cyLow, cyHigh] = POSE_LIMITS.centerY[framing];
  const [sLow, sHigh] = POSE_LIMITS.scale[framing];
  return {
    yaw: rng.range(yawLow, yawHigh),
    roll: rng.range(-POSE_LIMITS.roll, POSE_LIMITS.roll),
    centerX: rng.range(POSE_LIMITS.centerX[0], POSE_LIMITS.centerX[1]),
    centerY: rng.range(cyLow, cyHigh),
    scale: rng.range(sLow, sHigh),
  };
}
