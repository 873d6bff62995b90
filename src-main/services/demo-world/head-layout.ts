// Where everything on a head sits, in head units: origin at the face centre, y down, the face about 2 units
// tall (forehead top at y ≈ −1, chin at y ≈ +1). Identity fixes the layout; the pose's yaw moves the features
// across the face the way a turned ellipsoid would, and the frames place head and body in pixels.
import type { FaceShape, Identity, Mouth, Pose } from './attributes.js';
import { cos, sin } from './exact-math.js';
import { apply, compose, similarity, type Similarity } from './geometry.js';

export interface FaceOutline {
  halfWidth: number;
  /** Half-height above and below the centre line. */
  top: number;
  bottom: number;
  /** 2 gives an elliptic jaw, 4 a square one. */
  jawExponent: 2 | 4;
  /** How much the jaw narrows toward the chin (0: not at all). */
  taper: number;
}

export const FACE_OUTLINES: Readonly<Record<FaceShape, FaceOutline>> = {
  oval: { halfWidth: 0.77, top: 1.0, bottom: 1.07, jawExponent: 2, taper: 0.04 },
  round: { halfWidth: 0.88, top: 0.97, bottom: 0.93, jawExponent: 2, taper: 0 },
  square: { halfWidth: 0.84, top: 0.98, bottom: 0.96, jawExponent: 4, taper: 0.06 },
  heart: { halfWidth: 0.87, top: 0.98, bottom: 1.05, jawExponent: 2, taper: 0.34 },
  long: { halfWidth: 0.7, top: 1.08, bottom: 1.13, jawExponent: 2, taper: 0.06 },
};

export const MOUTH_HALF_WIDTH: Readonly<Record<Mouth, number>> = { small: 0.19, wide: 0.31, full: 0.25 };

/** How far in front of the face centre plane the features sit, for the yaw shift (head units). */
const FACE_DEPTH = 0.8;
const NOSE_EXTRA_DEPTH = 0.45;
/** The head rolls about the top of the neck. */
const NECK_PIVOT_Y = 0.95;

export interface Point {
  x: number;
  y: number;
}

export interface HeadLayout {
  outline: FaceOutline;
  /** Horizontal shift of the face outline and the skull under yaw. */
  faceShiftX: number;
  skullShiftX: number;
  earShiftX: number;
  yaw: number;
  /** Image-left eye first (the person's right eye), as RetinaFace orders them. */
  eyes: [Point, Point];
  eyeWidthScale: number;
  noseTip: Point;
  mouthLeft: Point;
  mouthRight: Point;
  mouthCenter: Point;
}

export interface Frames {
  /** Head units → pixel space (pixel (i, j) spans [i, i+1) × [j, j+1)). */
  head: Similarity;
  /** Body units → pixel space: like head, without the roll. */
  body: Similarity;
  pixelsPerUnit: number;
}

export function outlineOf(identity: Identity): FaceOutline {
  const base = FACE_OUTLINES[identity.traits.faceShape];
  return { ...base, halfWidth: base.halfWidth * identity.geometry.faceWidthScale };
}

/** Depth of the face surface at (x, y), modelled as an ellipsoid. */
function depthAt(outline: FaceOutline, x: number, y: number): number {
  const h = y < 0 ? outline.top : outline.bottom;
  const u = x / outline.halfWidth, v = y / h;
  // Products, not **: the exponent operator is Math.pow, whose last bit engines need not agree on.
  return FACE_DEPTH * Math.sqrt(Math.max(0, 1 - u * u - v * v));
}

export function layoutOf(identity: Identity, pose: Pose): HeadLayout {
  const g = identity.geometry;
  const outline = outlineOf(identity);
  const s = sin(pose.yaw), c = cos(pose.yaw);
  const turned = (x: number, y: number, extra = 0): Point => ({ x: x * c + (depthAt(outline, x, y) + extra) * s, y });
  const mouthHalf = MOUTH_HALF_WIDTH[identity.traits.mouth];
  const mouthLeft = turned(-mouthHalf, g.mouthY);
  const mouthRight = turned(mouthHalf, g.mouthY);
  return {
    outline,
    faceShiftX: 0.08 * s,
    skullShiftX: -0.1 * s,
    earShiftX: -0.22 * s,
    yaw: pose.yaw,
    eyes: [turned(-g.eyeHalfSpacing, g.eyeY), turned(g.eyeHalfSpacing, g.eyeY)],
    eyeWidthScale: c,
    noseTip: turned(0, g.noseY, NOSE_EXTRA_DEPTH),
    mouthLeft,
    mouthRight,
    mouthCenter: turned(0, g.mouthY + 0.01),
  };
}

export function framesOf(pose: Pose, width: number, height: number): Frames {
  const k = pose.scale * height;
  const body = similarity(k, 0, pose.centerX * width, pose.centerY * height);
  const aboutNeck = compose(similarity(1, 0, 0, NECK_PIVOT_Y), compose(similarity(1, pose.roll, 0, 0), similarity(1, 0, 0, -NECK_PIVOT_Y)));
  return { head: compose(body, aboutNeck), body, pixelsPerUnit: k };
}

/**
 * The five landmarks in pixels, RetinaFace order (image-left eye, image-right eye, nose tip, image-left and
 * image-right mouth corner), with pixel centres at integer coordinates as the rest of the studio uses them.
 */
export function landmarksOf(layout: HeadLayout, frames: Frames): number[] {
  const points = [layout.eyes[0], layout.eyes[1], layout.noseTip, layout.mouthLeft, layout.mouthRight];
  return points.flatMap((p) => apply(frames.head, p.x, p.y).map((v) => v - 0.5));
}

/** Landmarks of an average head facing the camera, in head units: what read-outs fit a picture's landmarks to. */
export const NEUTRAL_LANDMARKS: readonly number[] = [-0.325, -0.125, 0.325, -0.125, 0, 0.295, -0.25, 0.585, 0.25, 0.585];
