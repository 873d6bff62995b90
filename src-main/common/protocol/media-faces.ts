// Face methods of the media host: detection with 5 landmarks and an identity embedding, the soft face mask
// MagiCapture trains with (METHOD.md §1.5), ArcFace alignment, pre-flight checks of a client's selfies and
// ranking of generated portraits. Every result names the models that made it, so a stored mask or score can say
// where it came from when stronger models are installed later.
import type { MethodSpec, ParamValidators } from './messages.js';
import { type ImageSource, imageSource, type Pixels, SIDE_LIMITS } from './media-source.js';
import { fail, finite, integer, list, optional, record } from './validate.js';

export interface FaceModels {
  detector: string;
  embedding: string;
  mask: string;
}

export interface DetectedFace {
  /** [x, y, width, height] in pixels of the upright image (EXIF orientation applied). */
  box: [number, number, number, number];
  score: number;
  /**
   * x, y pairs in the ArcFace/insightface order, as seen in the image: left eye, right eye, nose tip, left mouth
   * corner, right mouth corner. Pixels of the upright image.
   */
  landmarks5: number[];
  /** Identity descriptor; compare two with cosine similarity (same person scores well above other people). */
  embedding?: number[];
  model: string;
}

/** 8-bit grey, one byte per pixel, row-major: 255 on the face, 0 off it, a feathered edge between. */
export interface FaceMask {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface FaceAnalysis {
  /** The upright image's size, the frame of every coordinate here. */
  width: number;
  height: number;
  /** The face MagiCapture would use first (METHOD.md §1.3: largest, nearest the centre), then the others. */
  faces: DetectedFace[];
  /** The soft mask of faces[0], framed like the upright image; null when no face was found. */
  mask: FaceMask | null;
  models: FaceModels;
}

export interface AlignedFace {
  /** size x size RGB, the face warped onto the ArcFace template (scaled by size / 112). */
  image: Pixels;
  /** Row-major 2 x 3 similarity [a, -b, tx, b, a, ty] from upright-image pixels to aligned pixels. */
  matrix: number[];
  landmarks5: number[];
  /** Root-mean-square distance, in aligned pixels, between the mapped landmarks and the template. */
  residual: number;
  model: string;
}

export type PreflightIssueCode =
  | 'unreadable'
  | 'no-face'
  | 'several-faces'
  | 'face-small'
  | 'face-cut-off'
  | 'low-resolution'
  | 'blurry'
  | 'duplicate'
  | 'different-person';

export interface PreflightIssue {
  code: PreflightIssueCode;
  /** error: the photo cannot train; warning: it can, but probably hurts the result. */
  severity: 'error' | 'warning';
  /** What is wrong and what to do, in the photographer's words. */
  message: string;
}

export interface PreflightPhoto {
  index: number;
  /** No error-severity issue. */
  ok: boolean;
  width: number;
  height: number;
  face: DetectedFace | null;
  faceCount: number;
  /** Face box width over the image's shorter side. */
  faceSize: number | null;
  /** Variance of the Laplacian over the face, resampled to a fixed width; low means blurred. */
  sharpness: number | null;
  /** Index of an earlier photo this one repeats (perceptual hash), or null. */
  duplicateOf: number | null;
  /** Median cosine similarity to the other photos' faces, or null without enough faces to compare. */
  identity: number | null;
  issues: PreflightIssue[];
}

export interface PreflightReport {
  photos: PreflightPhoto[];
  models: FaceModels;
}

export interface RankedPortrait {
  index: number;
  /** Mean cosine similarity to the reference faces; null when the portrait has no face. */
  score: number | null;
  face: DetectedFace | null;
}

export interface PortraitRanking {
  /** Best first; portraits without a face last. */
  ranked: RankedPortrait[];
  /** How many reference faces the scores compare against. */
  referenceFaces: number;
  models: FaceModels;
}

export type RankReference = { embeddings: number[][] } | { sources: ImageSource[] };

export type FaceMethods = {
  /** Faces of one photo, with the soft mask of the main face; maskSize is the mask's longer side (default: the photo's). */
  'faces.analyze': MethodSpec<{ source: ImageSource; maskSize?: number }, FaceAnalysis>;
  /** The main face (or the one at landmarks5) aligned to the ArcFace template; size defaults to 112. */
  'faces.align': MethodSpec<{ source: ImageSource; landmarks5?: number[]; size?: number }, AlignedFace>;
  /** Advice per photo before training: face found and large enough, sharp, not repeated, the same person throughout. */
  'faces.preflight': MethodSpec<{ sources: ImageSource[] }, PreflightReport, { done: number; total: number }>;
  /** Generated portraits ordered by likeness to the client's selfies (or their stored embeddings). */
  'faces.rank': MethodSpec<{ reference: RankReference; candidates: ImageSource[] }, PortraitRanking, { done: number; total: number }>;
};

export const FACE_LIMITS = {
  /** A training set is 4 to 6 selfies (METHOD.md §1.1); a session's proofs stay well under this. */
  sources: [1, 200],
  alignSize: [64, 1024],
  /** faceres descriptors are 1024 long; ONNX recognisers (ArcFace) give 512. */
  embedding: [64, 4096],
} as const;

// ---- validators ----

function landmarks(value: unknown, path: string): number[] {
  return list(value, path, 10, 10, (v, p) => finite(v, p));
}

function sources(value: unknown, path: string): ImageSource[] {
  return list(value, path, ...FACE_LIMITS.sources, (v, p) => imageSource(v, p));
}

function reference(value: unknown): RankReference {
  const r = record(value, 'reference');
  if (r['embeddings'] !== undefined) {
    const embeddings = list(r['embeddings'], 'reference.embeddings', ...FACE_LIMITS.sources, (e, p) =>
      list(e, p, ...FACE_LIMITS.embedding, (v, q) => finite(v, q)),
    );
    const length = embeddings[0]?.length;
    embeddings.forEach((e, i) => e.length !== length && fail(`reference.embeddings[${i}]`, `${length} values like the first`, e));
    return { embeddings };
  }
  if (r['sources'] !== undefined) return { sources: sources(r['sources'], 'reference.sources') };
  return fail('reference', '{embeddings} or {sources}', value);
}

export const faceParams: ParamValidators<FaceMethods> = {
  'faces.analyze': (p) => {
    const r = record(p, 'params');
    const maskSize = optional(r['maskSize'], (v) => integer(v, 'maskSize', 16, SIDE_LIMITS[1]));
    return { source: imageSource(r['source']), ...(maskSize === undefined ? {} : { maskSize }) };
  },
  'faces.align': (p) => {
    const r = record(p, 'params');
    const points = optional(r['landmarks5'], (v) => landmarks(v, 'landmarks5'));
    const size = optional(r['size'], (v) => integer(v, 'size', ...FACE_LIMITS.alignSize));
    return { source: imageSource(r['source']), ...(points === undefined ? {} : { landmarks5: points }), ...(size === undefined ? {} : { size }) };
  },
  'faces.preflight': (p) => ({ sources: sources(record(p, 'params')['sources'], 'sources') }),
  'faces.rank': (p) => {
    const r = record(p, 'params');
    return { reference: reference(r['reference']), candidates: sources(r['candidates'], 'candidates') };
  },
};
