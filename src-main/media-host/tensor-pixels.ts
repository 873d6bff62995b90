// Between the engine's planar float images ([N, 3, H, W] in [0, 1]) and interleaved 8-bit RGB.
import type { Pixels } from '../common/protocol/media.js';
import type { Tensor } from '../common/protocol/tensor.js';
import { MediaError } from './media-error.js';

/** Image index of a [N, 3, H, W] or [3, H, W] tensor, rounded like diffusers' numpy_to_pil. */
export function tensorToPixels(tensor: Tensor, index: number): Pixels {
  const shape = tensor.shape.length === 3 ? [1, ...tensor.shape] : tensor.shape;
  const [count, channels, height, width] = shape as [number, number, number, number];
  if (shape.length !== 4 || channels !== 3) {
    throw new MediaError('E_BAD_ARGUMENT', `expected a tensor of shape [N, 3, H, W] or [3, H, W], received [${tensor.shape.join(', ')}]`);
  }
  if (index >= count) throw new MediaError('E_BAD_ARGUMENT', `expected image index 0 to ${count - 1}, received ${index}`);
  const plane = height * width;
  const base = index * 3 * plane;
  const data = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = tensor.data[base + c * plane + i] as number;
      data[i * 3 + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
  }
  return { data, width, height, channels: 3 };
}

/** Interleaved 8-bit RGB as the planar [1, 3, H, W] float tensor the engine takes (img2img, training). */
export function pixelsToTensor(pixels: Pixels): Tensor {
  const { width, height, channels } = pixels;
  const plane = width * height;
  const data = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) data[c * plane + i] = (pixels.data[i * channels + c] as number) / 255;
  }
  return { data, shape: [1, 3, height, width] };
}
