// The face pipeline's steps that an installed ONNX model can take over: the identity embedding (ArcFace on the
// 112 x 112 aligned face instead of faceres) and the soft mask (BiSeNet labels instead of the mesh oval). Each
// result carries the name of the model that made it (FaceModels).
import type { FaceMask, FaceModels, Pixels } from '../../common/protocol/media.js';
import { estimateSimilarity, type Similarity, templateFor, warpSimilarity } from '../faces/alignment.js';
import { type AnalysedFace, analyseUpright, type UprightPixels } from '../faces/analysis.js';
import { maskSizeFor, ovalMask } from '../faces/face-mask.js';
import { EMBEDDED_FACE_MODELS } from '../faces/human-models.js';
import { bestModel, modelLabel } from './model-choice.js';
import { maskInFrame, parseFace } from './parsing.js';
import { ARCFACE_SIDE, arcfaceEmbedding } from './recognition.js';
import { sessionFor } from './sessions.js';

/** BiSeNet was trained on CelebAMask-HQ crops, where the face box is roughly the middle half of the frame. */
const PARSING_CONTEXT = 2;

/** The models faces.* results come from right now. */
export function faceModels(): FaceModels {
  const parsing = bestModel('parsing');
  const recognition = bestModel('recognition');
  return {
    detector: EMBEDDED_FACE_MODELS.detector,
    embedding: recognition ? modelLabel(recognition) : EMBEDDED_FACE_MODELS.embedding,
    mask: parsing ? `${modelLabel(parsing)}, feathered` : EMBEDDED_FACE_MODELS.mask,
  };
}

/** The face warped onto the 112 px ArcFace template from the decoded copy (landmarks are upright-image pixels). */
export function alignedFace(image: UprightPixels, landmarks5: number[], size = ARCFACE_SIDE): Pixels {
  const m = estimateSimilarity(landmarks5, templateFor(size));
  const s = image.pixels.width / image.width;
  const onCopy: Similarity = [m[0] / s, m[1] / s, m[2], m[3] / s, m[4] / s, m[5]];
  return warpSimilarity(image.pixels, onCopy, size);
}

/** analyseUpright, with embeddings from the installed ArcFace when there is one. */
export async function analyseWithModels(image: UprightPixels): Promise<AnalysedFace[]> {
  const analysed = await analyseUpright(image);
  const recognition = bestModel('recognition');
  if (!recognition) return analysed;
  const session = await sessionFor(recognition.path, recognition.sha256);
  for (const a of analysed) a.face.embedding = await arcfaceEmbedding(session, alignedFace(image, a.face.landmarks5));
  return analysed;
}

/** The soft mask of one face, framed like the upright image (longer side maskSize): parsing when installed, else the oval. */
export async function faceMask(image: UprightPixels, face: AnalysedFace, maskSize?: number): Promise<FaceMask> {
  const parsing = bestModel('parsing');
  if (!parsing) return ovalMask(face.oval, image.width, image.height, maskSize);
  const { pixels } = image;
  const s = pixels.width / image.width;
  const [bx, by, bw, bh] = face.face.box.map((v) => v * s) as [number, number, number, number];
  const side = Math.max(bw, bh) * PARSING_CONTEXT;
  const x = Math.max(0, Math.round(bx + bw / 2 - side / 2)), y = Math.max(0, Math.round(by + bh / 2 - side / 2));
  const rect = { x, y, width: Math.max(1, Math.min(pixels.width, Math.round(x + side)) - x), height: Math.max(1, Math.min(pixels.height, Math.round(y + side)) - y) };
  const crop = cropPixels(pixels, rect);
  const parsed = await parseFace(await sessionFor(parsing.path, parsing.sha256), crop);
  return maskInFrame(parsed, rect, pixels, maskSizeFor(image.width, image.height, maskSize));
}

function cropPixels(p: Pixels, r: { x: number; y: number; width: number; height: number }): Pixels {
  const data = new Uint8Array(r.width * r.height * p.channels);
  for (let row = 0; row < r.height; row++) {
    const from = ((r.y + row) * p.width + r.x) * p.channels;
    data.set(p.data.subarray(from, from + r.width * p.channels), row * r.width * p.channels);
  }
  return { data, width: r.width, height: r.height, channels: p.channels };
}
