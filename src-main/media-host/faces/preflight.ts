// Pre-flight advice on a client's selfies before training: the checks are plain facts about each photo
// (gathered by the handler) turned into issues a photographer can act on. Thresholds say what MagiCapture
// needs: it trains on the centre 512 x 512 crop (METHOD.md §1.2) and learns identity from the face region.
import type { DetectedFace, PreflightIssue, PreflightPhoto } from '../../common/protocol/media.js';
import { hammingDistance } from './image-stats.js';
import { cosineSimilarity, median, SAME_PERSON_MIN } from './identity.js';

export const PREFLIGHT_LIMITS = {
  /** Face box width over the shorter side: below this the face spans under ~75 px of the 512 crop. */
  faceSize: 0.15,
  shortSide: 512,
  /** Laplacian variance of the face at 128 px: sharp portraits measured 160-340, a 2 px Gaussian blur 14. */
  sharpness: 60,
  /** dHash bits that may differ between two files of the same photo (re-encoding, resizing). */
  duplicateBits: 5,
  /** Share of the centre square a face may stick out of before the training crop visibly cuts it. */
  cropTolerance: 0.02,
} as const;

export interface PhotoFacts {
  index: number;
  width: number;
  height: number;
  faces: DetectedFace[];
  sharpness: number | null;
  hash: string | null;
  /** Why the photo could not be read, when it could not. */
  unreadable?: string;
}

const photo = (n: number) => `photo ${n + 1}`;

function outsideCentreSquare(face: DetectedFace, width: number, height: number): boolean {
  const side = Math.min(width, height);
  const x0 = (width - side) / 2, y0 = (height - side) / 2;
  const slack = side * PREFLIGHT_LIMITS.cropTolerance;
  const [x, y, w, h] = face.box;
  return x < x0 - slack || y < y0 - slack || x + w > x0 + side + slack || y + h > y0 + side + slack;
}

function faceIssues(facts: PhotoFacts, face: DetectedFace): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  const { width, height, faces, sharpness } = facts;
  if (faces.length > 1) {
    issues.push({ code: 'several-faces', severity: 'warning', message: `${faces.length} faces were found; training uses the largest, most central one. Crop the others out so the model learns only the client.` });
  }
  const size = face.box[2] / Math.min(width, height);
  if (size < PREFLIGHT_LIMITS.faceSize) {
    issues.push({ code: 'face-small', severity: 'warning', message: `The face spans only ${Math.round(size * 100)}% of the photo's shorter side. Crop closer so it spans at least ${PREFLIGHT_LIMITS.faceSize * 100}%: small faces train a vague likeness.` });
  }
  if (outsideCentreSquare(face, width, height)) {
    issues.push({ code: 'face-cut-off', severity: 'warning', message: 'Training uses the centre square of each photo, and that square cuts through this face. Crop the photo so the face is near the centre.' });
  }
  if (sharpness !== null && sharpness < PREFLIGHT_LIMITS.sharpness) {
    issues.push({ code: 'blurry', severity: 'warning', message: `The face looks blurred (sharpness ${Math.round(sharpness)}, sharp faces measure at least ${PREFLIGHT_LIMITS.sharpness}). Choose a sharper photo: blur teaches the model a soft face.` });
  }
  return issues;
}

function identityOf(index: number, primaries: Array<number[] | undefined>): number | null {
  const own = primaries[index];
  if (!own) return null;
  const others = primaries.filter((e, i): e is number[] => i !== index && e !== undefined && e.length === own.length);
  return others.length === 0 ? null : median(others.map((e) => cosineSimilarity(own, e)));
}

export function preflightReport(all: PhotoFacts[]): PreflightPhoto[] {
  const primaries = all.map((f) => f.faces[0]?.embedding);
  return all.map((facts, i): PreflightPhoto => {
    const { index, width, height, faces, sharpness, hash } = facts;
    const face = faces[0] ?? null;
    const issues: PreflightIssue[] = [];
    if (facts.unreadable !== undefined) {
      issues.push({ code: 'unreadable', severity: 'error', message: `This file cannot be read as a photo (${facts.unreadable}). Export it again from the camera or editor as JPEG or PNG.` });
    } else if (!face) {
      issues.push({ code: 'no-face', severity: 'error', message: "No face was found. Choose a photo where the client's face is clearly visible, facing the camera and uncovered." });
    } else {
      issues.push(...faceIssues(facts, face));
    }
    // A photo already refused needs no further advice.
    if (face && Math.min(width, height) < PREFLIGHT_LIMITS.shortSide) {
      issues.push({ code: 'low-resolution', severity: 'warning', message: `The photo is only ${width} x ${height}; training uses ${PREFLIGHT_LIMITS.shortSide} x ${PREFLIGHT_LIMITS.shortSide}. Use the original file rather than a messaging-app copy.` });
    }
    const earlier = hash === null ? -1 : all.findIndex((o, j) => j < i && o.hash !== null && hammingDistance(o.hash, hash) <= PREFLIGHT_LIMITS.duplicateBits);
    if (earlier >= 0) {
      issues.push({ code: 'duplicate', severity: 'warning', message: `This is the same photo as ${photo(earlier)}. Remove one: a repeated photo counts twice and skews the likeness.` });
    }
    const identity = identityOf(i, primaries);
    if (identity !== null && identity < SAME_PERSON_MIN) {
      issues.push({ code: 'different-person', severity: 'warning', message: `This face may be a different person from the others (similarity ${identity.toFixed(2)}; photos of one person usually score above ${SAME_PERSON_MIN}). Check that every photo shows the client.` });
    }
    return {
      index,
      ok: !issues.some((issue) => issue.severity === 'error'),
      width,
      height,
      face,
      faceCount: faces.length,
      faceSize: face ? Math.round((face.box[2] / Math.min(width, height)) * 1000) / 1000 : null,
      sharpness: sharpness === null ? null : Math.round(sharpness * 10) / 10,
      duplicateOf: earlier >= 0 ? (all[earlier]?.index ?? null) : null,
      identity: identity === null ? null : Math.round(identity * 1000) / 1000,
      issues,
    };
  });
}
