// Pixels <-> planar float tensors, the layout every supported model takes ([1, 3, H, W]). Each model's
// normalisation is a per-channel (v - mean) / std on 0..255 values, so one function serves them all.
import ort from 'onnxruntime-node';

import type { Pixels } from '../../common/protocol/media.js';

export interface Normalisation {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** BiSeNet (torchvision ImageNet statistics on [0, 1], written on the 0..255 scale). */
export const IMAGENET: Normalisation = { mean: [0.485 * 255, 0.456 * 255, 0.406 * 255], std: [0.229 * 255, 0.224 * 255, 0.225 * 255] };
/** insightface ArcFace: (x - 127.5) / 127.5. */
export const ARCFACE: Normalisation = { mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] };
/** Real-ESRGAN: [0, 1]. */
export const UNIT: Normalisation = { mean: [0, 0, 0], std: [255, 255, 255] };

export function toPlanar(pixels: Pixels, norm: Normalisation): ort.Tensor {
  const { width, height, channels, data } = pixels;
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) out[c * plane + i] = (data[i * channels + c]! - norm.mean[c]!) / norm.std[c]!;
  }
  return new ort.Tensor('float32', out, [1, 3, height, width]);
}

/** [1, 3, H, W] back to interleaved RGB, undoing `norm`, rounded and clamped to 0..255. */
export function fromPlanar(tensor: ort.Tensor, norm: Normalisation): Pixels {
  const [, c, height, width] = tensor.dims as [number, number, number, number];
  if (tensor.dims.length !== 4 || c !== 3) throw new Error(`expected an image tensor [1, 3, H, W], received [${tensor.dims.join(', ')}]`);
  const src = tensor.data as Float32Array;
  const plane = width * height;
  const data = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let k = 0; k < 3; k++) data[i * 3 + k] = Math.min(255, Math.max(0, Math.round(src[k * plane + i]! * norm.std[k]! + norm.mean[k]!)));
  }
  return { data, width, height, channels: 3 };
}
