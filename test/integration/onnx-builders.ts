// Small ONNX models with the real models' input and output names and shapes, built with onnx-proto (the
// protobuf classes of onnx.proto), so the onnxruntime plumbing and every pre/post-processing step run for real
// without downloading weights. Each model computes something simple the test can predict exactly.
import { writeFileSync } from 'node:fs';

import { onnx } from 'onnx-proto';

type Dim = number | string;

function valueInfo(name: string, dims: Dim[], elemType = onnx.TensorProto.DataType.FLOAT): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function floats(name: string, dims: number[], values: Float32Array | number[]): onnx.ITensorProto {
  const data = Float32Array.from(values);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: new Uint8Array(data.buffer) };
}

function model(graph: onnx.IGraphProto, path: string): string {
  const bytes = onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'magicapture-tests', graph }).finish();
  writeFileSync(path, bytes);
  return path;
}

/**
 * BiSeNet-shaped: "input" [1, 3, 512, 512] -> "output" [1, 19, 512, 512]. A 1 x 1 convolution makes class 1 (skin)
 * the normalised red, class 17 (hair) the green and class 0 (background) the blue; every other class sits at
 * -10. So a red pixel parses as skin, a green one as hair and a blue one as background.
 */
export function bisenetLike(path: string): string {
  const w = new Float32Array(19 * 3);
  w[1 * 3 + 0] = 1;
  w[17 * 3 + 1] = 1;
  w[0 * 3 + 2] = 1;
  const b = Array.from({ length: 19 }, (_, c) => ([0, 1, 17].includes(c) ? 0 : -10));
  return model(
    {
      name: 'bisenet_like',
      node: [{ opType: 'Conv', input: ['input', 'w', 'b'], output: ['output'], attribute: [{ name: 'kernel_shape', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1] }] }],
      initializer: [floats('w', [19, 3, 1, 1], w), floats('b', [19], b)],
      input: [valueInfo('input', [1, 3, 512, 512])],
      output: [valueInfo('output', [1, 19, 512, 512])],
    },
    path,
  );
}

/** ArcFace-shaped: "input.1" [1, 3, 112, 112] -> "683" [1, 512]: the per-channel mean times a fixed 3 x 512 matrix. */
export function arcfaceLike(path: string, weights: Float32Array): string {
  return model(
    {
      name: 'arcface_like',
      node: [
        { opType: 'GlobalAveragePool', input: ['input.1'], output: ['pooled'] },
        { opType: 'Flatten', input: ['pooled'], output: ['flat'] },
        { opType: 'MatMul', input: ['flat', 'w'], output: ['683'] },
      ],
      initializer: [floats('w', [3, 512], weights)],
      input: [valueInfo('input.1', [1, 3, 112, 112])],
      output: [valueInfo('683', [1, 512])],
    },
    path,
  );
}

/** Real-ESRGAN-shaped: "input" [1, 3, H, W] -> "output" [1, 3, 4H, 4W] by nearest-neighbour repetition. */
export function esrganLike(path: string): string {
  const str = (name: string, s: string): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(s) });
  return model(
    {
      name: 'esrgan_like',
      node: [{ opType: 'Resize', input: ['input', '', 'scales'], output: ['output'], attribute: [str('mode', 'nearest'), str('coordinate_transformation_mode', 'asymmetric'), str('nearest_mode', 'floor')] }],
      initializer: [floats('scales', [4], [1, 1, 4, 4])],
      input: [valueInfo('input', [1, 3, 'H', 'W'])],
      output: [valueInfo('output', [1, 3, 'H4', 'W4'])],
    },
    path,
  );
}

/** CodeFormer-shaped: "x" [1, 3, 512, 512] and "w" (double scalar) -> "y" = -x (a colour negative in [-1, 1]). */
export function codeformerLike(path: string): string {
  return model(
    {
      name: 'codeformer_like',
      node: [{ opType: 'Neg', input: ['x'], output: ['y'] }],
      input: [valueInfo('x', [1, 3, 512, 512]), valueInfo('w', [], onnx.TensorProto.DataType.DOUBLE)],
      output: [valueInfo('y', [1, 3, 512, 512])],
    },
    path,
  );
}
