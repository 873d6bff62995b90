// Tensors and images cross the process boundary as typed arrays (structured clone), never as JSON numbers.
import { fail, integer, list, record } from './validate.js';

/** Float32 data with its shape; images are planar [N, 3, H, W] or [3, H, W] in [0, 1]. */
export interface Tensor {
  data: Float32Array;
  shape: number[];
}

export function tensor(value: unknown, path: string): Tensor {
  const t = record(value, path);
  if (!(t['data'] instanceof Float32Array)) fail(`${path}.data`, 'a Float32Array', t['data']);
  const shape = list(t['shape'], `${path}.shape`, 1, 8, (d, p) => integer(d, p, 1, 1 << 24));
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== t['data'].length) fail(`${path}.data`, `${count} values for shape [${shape.join(', ')}]`, t['data'].length);
  return { data: t['data'], shape };
}
