// BiSeNet face parsing (CelebAMask-HQ, 19 classes) and the soft face mask made from its labels. The face
// region is the same one the mesh oval approximates (METHOD.md §1.5): skin, brows, eyes, glasses, nose, mouth
// and lips; ears, neck, hair, hat, clothes and background are off. The mask's inverse is what the style
// references train with (the style is everything but the reference model's face).
import sharp from 'sharp';
import ort from 'onnxruntime-node';

import type { FaceMask, Pixels } from '../../common/protocol/media.js';
import { MediaError } from '../media-error.js';
import { type CachedSession, runSingle } from './sessions.js';
import { IMAGENET, toPlanar } from './tensors.js';

export const PARSING_SIDE = 512;
export const PARSING_CLASSES = 19;
export const PARSING_LABELS = [
  'background', 'skin', 'l_brow', 'r_brow', 'l_eye', 'r_eye', 'eye_g', 'l_ear', 'r_ear', 'ear_r',
  'nose', 'mouth', 'u_lip', 'l_lip', 'neck', 'neck_l', 'cloth', 'hair', 'hat',
] as const;
export const FACE_LABELS: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 10, 11, 12, 13]);

/** Feather sigma as a fraction of the mask's shorter side, like the oval mask's few pixels at 512. */
// Float precision: libvips' integer kernel sums to slightly under 1 for some sigmas, leaving the inside at 251.
const FEATHER = 0.006;

export interface ParsingLabels {
  width: number;
  height: number;
  /** One class index (0..18) per pixel, row-major. */
  labels: Uint8Array;
}

/** Argmax over the class axis of [1, 19, H, W] logits. */
export function argmaxLabels(logits: ort.Tensor): ParsingLabels {
  const [n, classes, height, width] = logits.dims as [number, number, number, number];
  if (logits.dims.length !== 4 || n !== 1 || classes !== PARSING_CLASSES) {
    throw new MediaError('E_BAD_ARGUMENT', `expected parsing logits [1, ${PARSING_CLASSES}, H, W], received [${logits.dims.join(', ')}]`, 'Install a BiSeNet model with the CelebAMask-HQ 19 classes.');
  }
  const data = logits.data as Float32Array;
  const plane = width * height;
  const labels = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) {
    let best = 0;
    let bestValue = data[i]!;
    for (let c = 1; c < classes; c++) {
      const v = data[c * plane + i]!;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    labels[i] = best;
  }
  return { width, height, labels };
}

/** Labels of a face crop (any size; resized to 512 x 512 as BiSeNet was trained). */
export async function parseFace(cached: CachedSession, crop: Pixels): Promise<ParsingLabels> {
  const resized = await sharp(crop.data, { raw: { width: crop.width, height: crop.height, channels: crop.channels } })
    .removeAlpha()
    .resize(PARSING_SIDE, PARSING_SIDE, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  const input = toPlanar({ data: resized, width: PARSING_SIDE, height: PARSING_SIDE, channels: 3 }, IMAGENET);
  return argmaxLabels(await runSingle(cached, input, 'the parsing model'));
}

/** The hard face mask of the labels (255 on FACE_LABELS), resized to width x height and feathered. */
export async function labelsToMask(parsed: ParsingLabels, width: number, height: number): Promise<FaceMask> {
  const hard = new Uint8Array(parsed.labels.length);
  parsed.labels.forEach((label, i) => (hard[i] = FACE_LABELS.has(label) ? 255 : 0));
  const sigma = Math.max(0.5, FEATHER * Math.min(width, height));
  const data = await sharp(hard, { raw: { width: parsed.width, height: parsed.height, channels: 1 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .blur({ sigma, precision: 'float' })
    .extractChannel(0)
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** 255 - mask: the style references' loss weights everything but the face. */
export function inverseMask(mask: FaceMask): FaceMask {
  const data = new Uint8Array(mask.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - mask.data[i]!;
  return { width: mask.width, height: mask.height, data };
}

/** Where a face crop sits in a frame, in that frame's pixels. */
export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The crop's face labels placed in a width x height frame (black elsewhere), resized to the output and feathered. */
export async function maskInFrame(parsed: ParsingLabels, rect: CropRect, frame: { width: number; height: number }, out: { width: number; height: number }): Promise<FaceMask> {
  const hard = new Uint8Array(parsed.labels.length);
  parsed.labels.forEach((label, i) => (hard[i] = FACE_LABELS.has(label) ? 255 : 0));
  // Nearest keeps the labels' edge where the model put it; the blur below makes it soft.
  const placed = await sharp(hard, { raw: { width: parsed.width, height: parsed.height, channels: 1 } }).resize(rect.width, rect.height, { fit: 'fill', kernel: 'nearest' }).png().toBuffer();
  const canvas = await sharp({ create: { width: frame.width, height: frame.height, channels: 3, background: '#000' } })
    .composite([{ input: placed, left: rect.x, top: rect.y }])
    .png()
    .toBuffer();
  const sigma = Math.max(0.5, FEATHER * Math.min(out.width, out.height));
  const data = await sharp(canvas).resize(out.width, out.height, { fit: 'fill', kernel: 'linear' }).blur({ sigma, precision: 'float' }).extractChannel(0).raw().toBuffer();
  return { width: out.width, height: out.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
