// Maps an ONNX export of an arcface_torch IResNet or MobileFaceNet onto arcface_torch's state-dict names by walking
// the image path from the input, block by block, the way the network's forward() runs: each Conv, BatchNormalization,
// PRelu and Gemm/MatMul met is assigned to the parameter it must be, after checking its attributes and shapes against
// what that parameter needs (channel counts, kernel, stride, padding, groups, spatial size into the classifier).
// Block counts, widths and the embedding size are read off the graph as the walk goes.
//
// What the released files contain: they are TorchScript exports with constant folding (arcface_torch torch2onnx.py,
// opset 11), which fold every BatchNorm that follows a convolution into it, so the convolutions carry a bias and
// those BatchNorms are gone; the IResNet block's bn1, the final bn2 and `features` remain. Exports without constant
// folding keep every BatchNormalization and put Unsqueeze/Transpose nodes on the weights. Both are read here: the
// first becomes the network's "folded" variant, the second the plain one.
import { type ConstValue, GraphIndex } from './graph-index.js';
import type { OnnxModel, OnnxNode } from './onnx-proto.js';

export interface ArcfaceConfigJson {
  architecture: 'iresnet' | 'mobilefacenet';
  layers: number[];
  baseWidth: number;
  scale: number;
  embeddingSize: number;
  folded: boolean;
}

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface ArcfaceMapping {
  config: ArcfaceConfigJson;
  /** arcface_torch state-dict order (BatchNorm statistics included; no num_batches_tracked). */
  tensors: NamedTensor[];
  opset: number;
}

const BN_EPS = 1e-5;

interface Spatial {
  channels: number;
  height: number;
  width: number;
}

interface ConvSpec {
  kernel: number;
  stride: number;
  pad: number;
  groups: number;
  /** Output channels, when the architecture fixes them at this point of the walk. */
  out?: number;
}

export function mapArcfaceGraph(model: OnnxModel, file: string): ArcfaceMapping {
  return new ArcfaceWalk(new GraphIndex(model, file)).run();
}

class ArcfaceWalk {
  private readonly tensors: NamedTensor[] = [];
  private readonly names = new Set<string>();
  private readonly claimed = new Set<OnnxNode>();
  private readonly spatial = new Map<string, Spatial>();
  private readonly features = new Map<string, number>();
  private folded: boolean | undefined;

  constructor(private readonly g: GraphIndex) {}

  run(): ArcfaceMapping {
    const x = this.g.input;
    this.spatial.set(x, { channels: 3, height: 112, width: 112 });
    const stem = this.pick(x, 'Conv', 'the stem convolution', false);
    const stride = intsAttribute(stem, 'strides', [1, 1])[0];
    const { config, output } = stride === 2 ? this.mobileFaceNet(x) : this.iresnet(x);
    if (this.g.outputs.length !== 1 || this.g.outputs[0] !== output) {
      this.g.fail(`expected the embedding (after the final BatchNormalization) to be the graph's only output, received ${this.g.outputs.length} outputs`);
    }
    const stray = this.g.activationNodes.find((node) => !this.claimed.has(node));
    if (stray) this.g.fail(`unexpected node "${stray.name}" (${stray.opType}): it is not part of an arcface_torch ${config.architecture}`);
    return { config, tensors: this.tensors, opset: this.g.opset };
  }

  // ------------------------------------------------------------------------------------------------ IResNet

  private iresnet(x: string): { config: ArcfaceConfigJson; output: string } {
    const base = this.peekConvOut(x);
    let y = this.convBn(x, 'conv1', 'bn1', { kernel: 3, stride: 1, pad: 1, groups: 1, out: base });
    y = this.prelu(y, 'prelu');
    const layers: number[] = [];
    for (let stage = 0; stage < 4; stage++) {
      const planes = base * 2 ** stage;
      y = this.basicBlock(y, `layer${stage + 1}.0`, planes, 2, true);
      let blocks = 1;
      while (sameOps(this.g.consumers(y), ['Add', 'BatchNormalization'])) {
        y = this.basicBlock(y, `layer${stage + 1}.${blocks}`, planes, 1, false);
        blocks++;
      }
      layers.push(blocks);
    }
    if (!sameOps(this.g.consumers(y), ['BatchNormalization'])) {
      this.g.fail(`expected bn2 after layer4, found ${describeOps(this.g.consumers(y))}`);
    }
    y = this.batchNorm(y, 'bn2');
    y = this.flatten(y);
    y = this.linear(y, 'fc', true);
    const embeddingSize = this.features.get(y) as number;
    y = this.batchNorm(y, 'features');
    const folded = this.folded ?? false;
    return { config: { architecture: 'iresnet', layers, baseWidth: base, scale: 1, embeddingSize, folded }, output: y };
  }

  // arcface_torch IBasicBlock: bn1, conv1 (+bn2), prelu, conv2 (stride, +bn3), + identity or downsample.
  private basicBlock(x: string, p: string, planes: number, stride: number, downsample: boolean): string {
    const expected = downsample ? ['BatchNormalization', 'Conv'] : ['Add', 'BatchNormalization'];
    if (!sameOps(this.g.consumers(x), expected)) {
      this.g.fail(`expected block ${p} (${expected.join(' + ')} reading its input), found ${describeOps(this.g.consumers(x))}`);
    }
    let h = this.batchNorm(x, `${p}.bn1`);
    h = this.convBn(h, `${p}.conv1`, `${p}.bn2`, { kernel: 3, stride: 1, pad: 1, groups: 1, out: planes });
    h = this.prelu(h, `${p}.prelu`);
    h = this.convBn(h, `${p}.conv2`, `${p}.bn3`, { kernel: 3, stride, pad: 1, groups: 1, out: planes });
    const shortcut = downsample
      ? this.convBn(x, `${p}.downsample.0`, `${p}.downsample.1`, { kernel: 1, stride, pad: 0, groups: 1, out: planes })
      : x;
    return this.add(h, shortcut, p);
  }

  // ---------------------------------------------------------------------------------------- MobileFaceNet

  private mobileFaceNet(x: string): { config: ArcfaceConfigJson; output: string } {
    let y = this.convUnit(x, 'layers.0', { kernel: 3, stride: 2, pad: 1, groups: 1 }, true);
    const c1 = (this.spatial.get(y) as Spatial).channels;
    const layers = [0, 0, 0, 0];
    let base: number;
    if (sameOps(this.g.consumers(y), ['Conv'])) {
      // blocks[0] == 1: one grouped ConvBlock with arcface_torch's groups=64, i.e. the base width.
      base = intAttribute(this.pick(y, 'Conv', 'layers.1', false), 'group', 1);
      y = this.convUnit(y, 'layers.1', { kernel: 3, stride: 1, pad: 1, groups: base, out: c1 }, true);
      layers[0] = 1;
    } else {
      // A Residual group whose DepthWise blocks expand to arcface_torch's 128, i.e. twice the base width.
      base = this.peekConvOut(y) / 2;
      if (!Number.isInteger(base)) this.g.fail(`expected layers.1 to expand to an even width, received ${base * 2}`);
      [layers[0], y] = this.residual(y, 'layers.1', c1, 2 * base);
      if (layers[0] === 1) this.g.fail('expected layers.1 to be a ConvBlock or a Residual group of at least 2 blocks (arcface_torch builds no other)');
    }
    const scale = c1 / base;
    if (!Number.isInteger(scale) || scale < 1) this.g.fail(`expected the stem width ${c1} to be a multiple of the base width ${base}`);
    const c2 = 2 * c1;
    y = this.depthWise(y, 'layers.2', c1, 2, 2 * base, false);
    [layers[1], y] = this.residual(y, 'layers.3', c1, 2 * base);
    y = this.depthWise(y, 'layers.4', c2, 2, 4 * base, false);
    [layers[2], y] = this.residual(y, 'layers.5', c2, 4 * base);
    y = this.depthWise(y, 'layers.6', c2, 2, 8 * base, false);
    [layers[3], y] = this.residual(y, 'layers.7', c2, 4 * base);
    y = this.convUnit(y, 'conv_sep', { kernel: 1, stride: 1, pad: 0, groups: 1, out: 8 * base }, true);
    y = this.convUnit(y, 'features.layers.0', { kernel: 7, stride: 1, pad: 0, groups: 8 * base, out: 8 * base }, false);
    y = this.flatten(y);
    y = this.linear(y, 'features.layers.2', false);
    const embeddingSize = this.features.get(y) as number;
    y = this.batchNorm(y, 'features.layers.3');
    const folded = this.folded ?? false;
    return {
      config: { architecture: 'mobilefacenet', layers, baseWidth: base, scale, embeddingSize, folded },
      output: y,
    };
  }

  // arcface_torch Residual: DepthWise blocks with a skip connection, as long as the input feeds a Conv and an Add.
  // Returns the block count and the group's output.
  private residual(x: string, p: string, channels: number, groups: number): [number, string] {
    let y = x;
    let n = 0;
    while (sameOps(this.g.consumers(y), ['Add', 'Conv'])) {
      y = this.depthWise(y, `${p}.layers.${n}`, channels, 1, groups, true);
      n++;
    }
    if (n === 0) this.g.fail(`expected the residual blocks of ${p}, found ${describeOps(this.g.consumers(y))}`);
    return [n, y];
  }

  // arcface_torch DepthWise: 1x1 ConvBlock to `groups`, depthwise 3x3 ConvBlock (stride), 1x1 LinearBlock.
  private depthWise(x: string, p: string, out: number, stride: number, groups: number, residual: boolean): string {
    let h = this.convUnit(x, `${p}.layers.0`, { kernel: 1, stride: 1, pad: 0, groups: 1, out: groups }, true);
    h = this.convUnit(h, `${p}.layers.1`, { kernel: 3, stride, pad: 1, groups, out: groups }, true);
    h = this.convUnit(h, `${p}.layers.2`, { kernel: 1, stride: 1, pad: 0, groups: 1, out }, false);
    return residual ? this.add(x, h, p) : h;
  }

  // arcface_torch ConvBlock (conv, bn, prelu) / LinearBlock (conv, bn): `layers.0`, `layers.1`, `layers.2`.
  private convUnit(x: string, p: string, spec: ConvSpec, withPrelu: boolean): string {
    const y = this.convBn(x, `${p}.layers.0`, `${p}.layers.1`, spec);
    return withPrelu ? this.prelu(y, `${p}.layers.2`) : y;
  }

  // ------------------------------------------------------------------------------------------------ layers

  private convBn(x: string, convName: string, bnName: string, spec: ConvSpec): string {
    const y = this.conv(x, convName, spec);
    return this.folded ? y : this.batchNorm(y, bnName);
  }

  private peekConvOut(x: string): number {
    const node = this.pick(x, 'Conv', 'a convolution', false);
    const weight = this.g.constant(node.inputs[1] ?? '', `the weight of node "${node.name}"`);
    return weight.dims[0] ?? 0;
  }

  private conv(x: string, name: string, spec: ConvSpec): string {
    const node = this.pick(x, 'Conv', name);
    const where = `${name} (node "${node.name}")`;
    const input = this.spatial.get(x) as Spatial;
    const weight = this.g.floats(node.inputs[1] ?? '', `the weight of ${where}`);
    const hasBias = !!node.inputs[2];
    if (this.folded === undefined) this.folded = hasBias;
    if (hasBias !== this.folded) {
      this.g.fail(`${where} ${hasBias ? 'has' : 'lacks'} a bias while the stem convolution ${this.folded ? 'has' : 'lacks'} one (a partly folded export)`);
    }
    const [out, perGroup, kh, kw] = weight.dims as [number, number, number, number];
    const group = intAttribute(node, 'group', 1);
    const strides = intsAttribute(node, 'strides', [1, 1]);
    const pads = intsAttribute(node, 'pads', [0, 0, 0, 0]);
    const dilations = intsAttribute(node, 'dilations', [1, 1]);
    const autoPad = node.attributes.get('auto_pad')?.s;
    const kernel = intsAttribute(node, 'kernel_shape', [kh, kw]);
    const expected = `kernel ${spec.kernel}, stride ${spec.stride}, padding ${spec.pad}, groups ${spec.groups}` +
      (spec.out === undefined ? '' : `, ${spec.out} outputs`) + ` from ${input.channels} channels`;
    const ok =
      weight.dims.length === 4 && kh === spec.kernel && kw === spec.kernel && sameInts(kernel, [kh, kw]) &&
      sameInts(strides, [spec.stride, spec.stride]) && sameInts(pads, [spec.pad, spec.pad, spec.pad, spec.pad]) &&
      sameInts(dilations, [1, 1]) && (autoPad === undefined || text(autoPad) === 'NOTSET') && group === spec.groups &&
      perGroup * group === input.channels && out % group === 0 && (spec.out === undefined || out === spec.out);
    if (!ok) {
      this.g.fail(`expected ${where} to have ${expected}, received weight [${weight.dims.join(', ')}], ` +
        `strides [${strides.join(', ')}], pads [${pads.join(', ')}], dilations [${dilations.join(', ')}], group ${group}`);
    }
    this.emit(`${name}.weight`, weight.dims, weight.data);
    if (hasBias) this.emit(`${name}.bias`, [out], this.vector(node.inputs[2] ?? '', out, `the bias of ${where}`));
    const y = this.g.canonical(node.outputs[0] ?? '');
    const size = (n: number) => Math.floor((n + 2 * spec.pad - spec.kernel) / spec.stride) + 1;
    this.spatial.set(y, { channels: out, height: size(input.height), width: size(input.width) });
    return y;
  }

  private batchNorm(x: string, name: string): string {
    const node = this.pick(x, 'BatchNormalization', name);
    const where = `${name} (node "${node.name}")`;
    const channels = this.spatial.get(x)?.channels ?? this.features.get(x) ?? 0;
    const epsilon = node.attributes.get('epsilon')?.f ?? BN_EPS;
    if (Math.abs(epsilon - BN_EPS) > 1e-9) this.g.fail(`expected ${where} to have epsilon 1e-05, received ${epsilon}`);
    if ((node.attributes.get('training_mode')?.i ?? 0n) !== 0n) this.g.fail(`expected ${where} in inference mode`);
    if ((node.attributes.get('spatial')?.i ?? 1n) !== 1n) this.g.fail(`expected ${where} to normalise per channel`);
    if (node.inputs.length !== 5) this.g.fail(`expected ${where} to have 5 inputs, received ${node.inputs.length}`);
    const parts = ['weight', 'bias', 'running_mean', 'running_var'];
    parts.forEach((part, i) => {
      this.emit(`${name}.${part}`, [channels], this.vector(node.inputs[i + 1] ?? '', channels, `the ${part} of ${where}`));
    });
    return this.same(x, node);
  }

  private prelu(x: string, name: string): string {
    const node = this.pick(x, 'PRelu', name);
    const where = `${name} (node "${node.name}")`;
    const channels = (this.spatial.get(x) as Spatial).channels;
    const slope = this.g.floats(node.inputs[1] ?? '', `the slope of ${where}`);
    // Broadcast from the right against [N, C, H, W]: per channel means [C, 1, 1] (or [1, C, 1, 1]).
    const dims = [...slope.dims];
    while (dims.length > 3 && dims[0] === 1) dims.shift();
    if (!sameInts(dims, [channels, 1, 1])) {
      this.g.fail(`expected ${where} to have one slope per channel ([${channels}, 1, 1]), received [${slope.dims.join(', ')}]`);
    }
    this.emit(`${name}.weight`, [channels], slope.data);
    return this.same(x, node);
  }

  private add(a: string, b: string, block: string): string {
    const node = this.g.consumers(a).find((n) => n.opType === 'Add' && sameSet(n.inputs.map((i) => this.g.canonical(i)), [a, b]));
    if (!node) this.g.fail(`expected the residual Add of block ${block}, found ${describeOps(this.g.consumers(a))}`);
    const sa = this.spatial.get(a) as Spatial;
    const sb = this.spatial.get(b) as Spatial;
    if (sa.channels !== sb.channels || sa.height !== sb.height || sa.width !== sb.width) {
      this.g.fail(`block ${block} adds [${sa.channels}, ${sa.height}, ${sa.width}] to [${sb.channels}, ${sb.height}, ${sb.width}]`);
    }
    this.claimed.add(node);
    const y = this.g.canonical(node.outputs[0] ?? '');
    this.spatial.set(y, sa);
    return y;
  }

  private flatten(x: string): string {
    const consumers = this.g.consumers(x);
    const node = consumers.length === 1 ? consumers[0] : undefined;
    const s = this.spatial.get(x) as Spatial;
    const size = s.channels * s.height * s.width;
    if (!node || (node.opType !== 'Flatten' && node.opType !== 'Reshape')) {
      this.g.fail(`expected a Flatten or Reshape before the classifier, found ${describeOps(consumers)}`);
    }
    if (node.opType === 'Flatten' && intAttribute(node, 'axis', 1) !== 1) this.g.fail(`expected Flatten "${node.name}" on axis 1`);
    if (node.opType === 'Reshape') {
      const shape = node.inputs[1] ?? '';
      if (!this.g.isShape(shape)) {
        const dims = this.ints(this.g.constant(shape, `the shape of Reshape "${node.name}"`));
        if (dims.length !== 2 || (dims[1] !== -1 && dims[1] !== size)) {
          this.g.fail(`expected Reshape "${node.name}" to flatten to [N, ${size}], received [${dims.join(', ')}]`);
        }
      }
    }
    this.claimed.add(node);
    const y = this.g.canonical(node.outputs[0] ?? '');
    this.features.set(y, size);
    return y;
  }

  private linear(x: string, name: string, bias: boolean): string {
    const consumers = this.g.consumers(x);
    const node = consumers.length === 1 ? consumers[0] : undefined;
    if (!node || (node.opType !== 'Gemm' && node.opType !== 'MatMul')) {
      this.g.fail(`expected ${name} (Gemm or MatMul) after the flatten, found ${describeOps(consumers)}`);
    }
    const where = `${name} (node "${node.name}")`;
    const inFeatures = this.features.get(x) as number;
    const w = this.g.floats(node.inputs[1] ?? '', `the weight of ${where}`);
    let transposed: boolean;
    if (node.opType === 'Gemm') {
      const alpha = node.attributes.get('alpha')?.f ?? 1;
      const beta = node.attributes.get('beta')?.f ?? 1;
      if (alpha !== 1 || beta !== 1 || intAttribute(node, 'transA', 0) !== 0) this.g.fail(`expected ${where} to be a plain x W^T + b`);
      transposed = intAttribute(node, 'transB', 0) === 0;
    } else {
      transposed = true;
    }
    const [rows, cols] = w.dims as [number, number];
    const out = transposed ? cols : rows;
    if (w.dims.length !== 2 || (transposed ? rows : cols) !== inFeatures) {
      this.g.fail(`expected ${where} to read ${inFeatures} features, received a weight [${w.dims.join(', ')}]`);
    }
    this.emit(`${name}.weight`, [out, inFeatures], transposed ? transpose(w.data, rows, cols) : w.data);
    this.claimed.add(node);
    let y = this.g.canonical(node.outputs[0] ?? '');
    const gemmBias = node.opType === 'Gemm' ? node.inputs[2] : undefined;
    if (gemmBias) {
      if (!bias) this.g.fail(`expected ${where} without a bias`);
      this.emit(`${name}.bias`, [out], this.vector(gemmBias, out, `the bias of ${where}`));
    } else if (bias) {
      const adds = this.g.consumers(y);
      const add = adds.length === 1 && adds[0]?.opType === 'Add' ? adds[0] : undefined;
      const constant = add?.inputs.find((i) => this.g.isConstant(i));
      if (!add || !constant) this.g.fail(`expected the bias of ${where}, found ${describeOps(adds)}`);
      this.emit(`${name}.bias`, [out], this.vector(constant, out, `the bias of ${where}`));
      this.claimed.add(add);
      y = this.g.canonical(add.outputs[0] ?? '');
    }
    this.features.set(y, out);
    return y;
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** The one image-path consumer of `x` with this op type (claimed unless peeking). */
  private pick(x: string, op: string, what: string, claim = true): OnnxNode {
    const matches = this.g.consumers(x).filter((n) => n.opType === op);
    if (matches.length !== 1 || !matches[0]) {
      const after = this.g.producer(x);
      this.g.fail(`expected ${what} (${op}) after ${after ? `node "${after.name}" (${after.opType})` : 'the input'}, ` +
        `found ${describeOps(this.g.consumers(x))}`);
    }
    if (claim) {
      if (this.claimed.has(matches[0])) this.g.fail(`node "${matches[0].name}" would be used twice`);
      this.claimed.add(matches[0]);
    }
    return matches[0];
  }

  private same(x: string, node: OnnxNode): string {
    const y = this.g.canonical(node.outputs[0] ?? '');
    const s = this.spatial.get(x);
    if (s) this.spatial.set(y, s);
    const f = this.features.get(x);
    if (f !== undefined) this.features.set(y, f);
    return y;
  }

  private vector(name: string, length: number, what: string): Float32Array {
    const v = this.g.floats(name, what);
    if (v.data.length !== length || v.dims.filter((d) => d !== 1).length > 1) {
      this.g.fail(`expected ${what} to hold ${length} values, received [${v.dims.join(', ')}]`);
    }
    return v.data;
  }

  private ints(v: ConstValue): number[] {
    if (!v.ints) this.g.fail('expected an integer shape');
    return v.ints.map(Number);
  }

  private emit(name: string, shape: number[], data: Float32Array): void {
    if (this.names.has(name)) this.g.fail(`the walk assigned ${name} twice`);
    this.names.add(name);
    this.tensors.push({ name, shape, data });
  }
}

function intAttribute(node: OnnxNode, name: string, fallback: number): number {
  const v = node.attributes.get(name)?.i;
  return v === undefined ? fallback : Number(v);
}

function intsAttribute(node: OnnxNode, name: string, fallback: number[]): number[] {
  const a = node.attributes.get(name);
  return a ? a.ints.map(Number) : fallback;
}

function sameInts(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join('\0') === [...b].sort().join('\0');
}

function sameOps(nodes: OnnxNode[], ops: string[]): boolean {
  return nodes.map((n) => n.opType).sort().join(',') === [...ops].sort().join(',');
}

function describeOps(nodes: OnnxNode[]): string {
  if (nodes.length === 0) return 'nothing';
  return nodes.map((n) => `${n.opType} "${n.name}"`).join(', ');
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  return out;
}
