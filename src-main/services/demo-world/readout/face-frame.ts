// Head units from five landmarks: the least-squares similarity from an average face's landmarks onto the
// picture's gives scale, roll and position; the nose's offset from the other features gives the yaw, which moves
// the features across the face, so the skull and the body (which do not move with them) get corrected frames.
import { apply, compose, fitSimilarity, invert, scaleOf, similarity, type Similarity } from '../geometry.js';
import { NEUTRAL_LANDMARKS } from '../head-layout.js';
import type { Rgb } from '../palette.js';
import { sampleAt, type RgbImage } from './image.js';

/** How far the nose tip moves per unit of sin(yaw) relative to the eyes-and-mouth fit (head units; measured on renders). */
const NOSE_LEAD = 0.4;
/** How far the features' fit moves per unit of sin(yaw) relative to the face outline and to the skull. */
const FEATURES_LEAD_FACE = 0.742;
const FEATURES_LEAD_SKULL = 0.925;
/** The face outline moves this much per unit of sin(yaw) (head-layout.ts faceShiftX). */
const OUTLINE_SHIFT = 0.08;
/** The average face (head-layout.ts FACE_OUTLINES, FACE_DEPTH) that surface points are turned on. */
const AVERAGE_FACE = { halfWidth: 0.8, top: 1.0, bottom: 1.05, depth: 0.8 };
const NECK_PIVOT_Y = 0.95;

export interface FaceFrame {
  /** Head units → pixels (centres at integers), fitted to the features. */
  features: Similarity;
  /** Head units → pixels, centred on the face outline (yaw moves the features, not the outline). */
  face: Similarity;
  /** Head units → pixels, centred on the skull, for hair. */
  skull: Similarity;
  /** Body units → pixels: no roll, centred under the skull, for garments. */
  body: Similarity;
  sinYaw: number;
  roll: number;
  pixelsPerUnit: number;
}

export function checkLandmarks(landmarks: readonly number[]): void {
  if (landmarks.length !== 10 || !landmarks.every((v) => Number.isFinite(v))) {
    throw new RangeError(`expected 10 finite landmark numbers (5 points), received ${landmarks.length}`);
  }
}

/** Eyes, nose tip and mouth centre of the average face: the mouth's width varies by mouth type, its centre does not. */
const NEUTRAL_POINTS = [...NEUTRAL_LANDMARKS.slice(0, 6), 0, (NEUTRAL_LANDMARKS[7] as number)];

export function faceFrameOf(landmarks: readonly number[]): FaceFrame {
  checkLandmarks(landmarks);
  const l = landmarks as number[];
  const points = [...l.slice(0, 6), ((l[6] as number) + (l[8] as number)) / 2, ((l[7] as number) + (l[9] as number)) / 2];
  const features = fitSimilarity(NEUTRAL_POINTS, points);
  const [noseX] = apply(invert(features), landmarks[4] as number, landmarks[5] as number);
  const sinYaw = Math.max(-0.6, Math.min(0.6, noseX / NOSE_LEAD));
  const shifted = (dx: number) => compose(features, similarity(1, 0, dx, 0));
  const skull = shifted(-FEATURES_LEAD_SKULL * sinYaw);
  const k = scaleOf(features);
  const roll = Math.atan2(features.b, features.a);
  // The body is the head frame turned back about the neck.
  const [px, py] = apply(skull, 0, NECK_PIVOT_Y);
  const body = similarity(k, 0, px, py - k * NECK_PIVOT_Y);
  return { features, face: shifted(-FEATURES_LEAD_FACE * sinYaw), skull, body, sinYaw, roll, pixelsPerUnit: k };
}

export interface SurfacePoint {
  /** Where the point is seen, in the features frame. */
  x: number;
  y: number;
  /** Where it lies relative to the face outline's centre, which is what its shading depends on. */
  u: number;
}

/**
 * A point of the face surface given as it lies on a face that looks at the camera, carried across the face by the
 * yaw as the features are (head-layout.ts), so that skin points stay on skin when the head turns.
 */
export function surfacePoint(frame: FaceFrame, x: number, y: number): SurfacePoint {
  const s = frame.sinYaw, c = Math.sqrt(1 - s * s);
  const f = AVERAGE_FACE;
  const h = y < 0 ? f.top : f.bottom;
  const depth = f.depth * Math.sqrt(Math.max(0, 1 - (x / f.halfWidth) ** 2 - (y / h) ** 2));
  const turned = x * c + depth * s;
  const headOrigin = -(FEATURES_LEAD_FACE + OUTLINE_SHIFT) * s;
  return { x: turned + headOrigin, y, u: turned - OUTLINE_SHIFT * s };
}

/** Bilinear samples on a grid (about two per pixel) over the disc of radius r at (cx, cy) in frame units. */
export function samplesInDisc(image: RgbImage, frame: Similarity, cx: number, cy: number, r: number): Rgb[] {
  const n = Math.max(2, Math.ceil((2 * r * scaleOf(frame)) / 0.5));
  const out: Rgb[] = [];
  for (let b = 0; b <= n; b += 1) {
    const v = -r + (2 * r * b) / n;
    for (let a = 0; a <= n; a += 1) {
      const u = -r + (2 * r * a) / n;
      if (u * u + v * v > r * r * 1.0001) continue;
      const [x, y] = apply(frame, cx + u, cy + v);
      out.push(sampleAt(image, x, y));
    }
  }
  return out;
}

/** Bilinear samples on a grid (about two per pixel) over a rectangle (or a line, when flat) in frame units. */
export function samplesInRect(image: RgbImage, frame: Similarity, x0: number, x1: number, y0: number, y1: number): Rgb[] {
  const step = 0.5 / scaleOf(frame);
  const nx = Math.max(1, Math.ceil((x1 - x0) / step)), ny = Math.max(1, Math.ceil((y1 - y0) / step));
  const out: Rgb[] = [];
  for (let b = 0; b <= ny; b += 1) {
    const v = y0 + ((y1 - y0) * b) / ny;
    for (let a = 0; a <= nx; a += 1) {
      const u = x0 + ((x1 - x0) * a) / nx;
      const [x, y] = apply(frame, u, v);
      out.push(sampleAt(image, x, y));
    }
  }
  return out;
}
