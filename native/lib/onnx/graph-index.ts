// Classifies every value of an ONNX graph before the ArcFace walk: the image path ("activation"), weights
// ("constant": initializers, Constant nodes and the Unsqueeze/Transpose/Reshape/... exporters put on weights, which
// are evaluated here on demand), shape arithmetic ("shape": Shape -> Gather -> Concat chains that only feed a Reshape)
// and outputs nothing may read (BatchNormalization's training outputs, Dropout's mask). Identity and Dropout on the
// image path are looked through. Any other op is refused, by name.
import { EngineError } from '../errors.js';
import {
  dataTypeName,
  DT_DOUBLE,
  DT_FLOAT,
  DT_FLOAT16,
  DT_INT32,
  DT_INT64,
  type OnnxAttribute,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  tensorFloats,
  tensorInts,
} from './onnx-proto.js';

export const UNSUPPORTED_HINT =
  'MagiCapture converts ONNX exports of arcface_torch IResNet (r18 to r200) and MobileFaceNet backbones, such as ' +
  "insightface's w600k_r50.onnx (buffalo_l), glintr100.onnx (antelopev2) and w600k_mbf.onnx (buffalo_s); other " +
  'face-recognition networks, including the older MXNet exports that normalise the image inside the graph, are not supported.';

type Kind = 'activation' | 'constant' | 'shape' | 'dead';

/** The op types that may carry the image; everything else on the image path is refused. */
const ACTIVATION_OPS = new Set(['Conv', 'BatchNormalization', 'PRelu', 'Add', 'Flatten', 'Reshape', 'Gemm', 'MatMul']);
const TRANSPARENT_OPS = new Set(['Identity', 'Dropout']);
const SHAPE_OPS = new Set(['Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Slice', 'Cast', 'Constant', 'Identity']);
const CONSTANT_OPS = new Set(['Constant', 'Identity', 'Unsqueeze', 'Squeeze', 'Reshape', 'Transpose', 'Cast']);

export interface ConstValue {
  dims: number[];
  floats?: Float32Array;
  ints?: bigint[];
}

export class GraphIndex {
  readonly input: string;
  readonly outputs: string[];
  readonly opset: number;
  private readonly kinds = new Map<string, Kind>();
  private readonly alias = new Map<string, string>();
  private readonly producers = new Map<string, OnnxNode>();
  private readonly consumerLists = new Map<string, OnnxNode[]>();
  private readonly initializers = new Map<string, OnnxTensor>();
  private readonly constProducers = new Map<string, OnnxNode>();
  private readonly evaluated = new Map<string, ConstValue>();
  /** Image-path nodes; the walk must claim every one. */
  readonly activationNodes: OnnxNode[] = [];

  constructor(
    model: OnnxModel,
    readonly file: string,
  ) {
    const opset = model.opsets.get('');
    if (opset === undefined || opset < 7 || opset > 23) {
      this.fail(`expected an ai.onnx opset from 7 to 23, received ${opset === undefined ? 'none' : opset}`);
    }
    this.opset = opset;
    const graph = model.graph;
    if (graph.sparseInitializers > 0) this.fail('the graph has sparse initializers, which exporters of these networks never write');
    for (const t of graph.initializers) {
      if (!t.name) this.fail('an initializer has no name');
      this.initializers.set(t.name, t);
      this.kinds.set(t.name, 'constant');
    }
    const inputs = graph.inputs.filter((v) => !this.initializers.has(v.name));
    if (inputs.length !== 1 || !inputs[0]) {
      this.fail(`expected one image input, received ${inputs.length} (${inputs.map((v) => v.name).join(', ')})`);
    }
    const image = inputs[0];
    if (image.elemType !== undefined && image.elemType !== DT_FLOAT) {
      this.fail(`expected the input "${image.name}" to be FLOAT, received ${dataTypeName(image.elemType)}`);
    }
    const shape = image.shape;
    if (shape && (shape.length !== 4 || [3, 112, 112].some((d, i) => typeof shape[i + 1] === 'number' && shape[i + 1] !== d))) {
      this.fail(`expected the input "${image.name}" to be [N, 3, 112, 112], received [${shape.map((d) => d ?? '?').join(', ')}]`);
    }
    this.input = image.name;
    this.kinds.set(image.name, 'activation');
    for (const node of graph.nodes) this.classify(node);
    this.outputs = graph.outputs.map((v) => this.canonical(v.name));
  }

  fail(what: string, hint = UNSUPPORTED_HINT): never {
    throw new EngineError('E_UNSUPPORTED_FORMAT', `${this.file}: ${what}`, hint);
  }

  /** The name a value goes by after looking through Identity/Dropout. */
  canonical(name: string): string {
    let current = name;
    for (let i = 0; i < 10000 && this.alias.has(current); i++) current = this.alias.get(current) as string;
    return current;
  }

  /** Image-path nodes reading `value` (canonical). */
  consumers(value: string): OnnxNode[] {
    return this.consumerLists.get(value) ?? [];
  }

  producer(value: string): OnnxNode | undefined {
    return this.producers.get(value);
  }

  isConstant(name: string): boolean {
    return this.kinds.get(this.canonical(name)) === 'constant';
  }

  isShape(name: string): boolean {
    return this.kinds.get(this.canonical(name)) === 'shape';
  }

  /** A weight's value, evaluating the constant nodes in front of it. */
  constant(name: string, what: string): ConstValue {
    const key = this.canonical(name);
    if (this.kinds.get(key) !== 'constant') this.fail(`expected ${what} ("${name}") to be a constant weight`);
    return this.evaluate(key, 0);
  }

  floats(name: string, what: string): { dims: number[]; data: Float32Array } {
    const v = this.constant(name, what);
    if (!v.floats) this.fail(`expected ${what} ("${name}") to hold floating-point values`);
    return { dims: v.dims, data: v.floats };
  }

  private classify(node: OnnxNode): void {
    const where = `node "${node.name || '(unnamed)'}" (${node.opType})`;
    if (node.domain !== '' && node.domain !== 'ai.onnx') this.fail(`unexpected op ${node.domain}::${node.opType} in ${where}`);
    for (const [name, attribute] of node.attributes) {
      if (attribute.opaque) this.fail(`unexpected subgraph or sparse attribute "${name}" in ${where}`);
    }
    const inputs = node.inputs.map((name) => (name === '' ? '' : this.canonical(name)));
    const kinds = inputs.map((name, i) => {
      if (name === '') return undefined;
      const kind = this.kinds.get(name);
      if (kind === undefined) {
        this.fail(`${where} reads "${node.inputs[i]}" before anything produces it (the graph is incomplete or not topologically sorted)`);
      }
      if (kind === 'dead') this.fail(`${where} reads "${node.inputs[i]}", a training-only output`);
      return kind;
    });
    for (const output of node.outputs) {
      if (output !== '' && this.kinds.has(output)) this.fail(`${where} writes "${output}", which is already defined`);
    }
    const set = (kind: Kind) => {
      for (const output of node.outputs) if (output !== '') this.kinds.set(output, kind);
    };

    if (node.opType === 'Shape') {
      set('shape');
    } else if (kinds.includes('activation')) {
      if (TRANSPARENT_OPS.has(node.opType)) {
        const out = node.outputs[0];
        if (!out || kinds[0] !== 'activation') this.fail(`unexpected ${where} on the image path`);
        set('dead');
        this.alias.set(out, inputs[0] as string);
        this.kinds.set(out, 'activation');
        return;
      }
      if (!ACTIVATION_OPS.has(node.opType)) {
        this.fail(`unexpected op ${node.opType} (${where}) on the image path of an arcface_torch IResNet or MobileFaceNet`);
      }
      kinds.forEach((kind, i) => {
        if (kind === 'shape' && !(node.opType === 'Reshape' && i === 1)) this.fail(`${where} uses shape arithmetic as data`);
      });
      set('dead');
      const out = node.outputs[0];
      if (!out) this.fail(`${where} has no output`);
      this.kinds.set(out, 'activation');
      this.producers.set(out, node);
      for (const name of new Set(inputs.filter((n, i) => n !== '' && kinds[i] === 'activation'))) {
        const list = this.consumerLists.get(name) ?? [];
        list.push(node);
        this.consumerLists.set(name, list);
      }
      this.activationNodes.push(node);
    } else if (kinds.includes('shape')) {
      if (!SHAPE_OPS.has(node.opType)) this.fail(`unexpected op ${node.opType} (${where}) in shape arithmetic`);
      set('shape');
    } else {
      if (!CONSTANT_OPS.has(node.opType)) this.fail(`unexpected op ${node.opType} (${where}) on weights`);
      set('constant');
      for (const output of node.outputs) if (output !== '') this.constProducers.set(output, node);
    }
  }

  private evaluate(name: string, depth: number): ConstValue {
    const cached = this.evaluated.get(name);
    if (cached) return cached;
    if (depth > 64) this.fail(`the weight "${name}" is computed by more than 64 nested constant nodes`);
    const tensor = this.initializers.get(name);
    let value: ConstValue;
    if (tensor) {
      value = fromTensor(tensor, this.file);
    } else {
      const node = this.constProducers.get(name);
      if (!node) this.fail(`no producer for the weight "${name}"`);
      value = this.evaluateNode(node, depth);
    }
    this.evaluated.set(name, value);
    return value;
  }

  private evaluateNode(node: OnnxNode, depth: number): ConstValue {
    const where = `node "${node.name || '(unnamed)'}" (${node.opType})`;
    const arg = (i: number) => {
      const name = node.inputs[i];
      if (!name) this.fail(`${where} lacks input ${i}`);
      return this.evaluate(this.canonical(name), depth + 1);
    };
    const ints = (v: ConstValue, what: string) => {
      if (!v.ints) this.fail(`expected ${what} of ${where} to be integers`);
      return v.ints.map(Number);
    };
    const axesOf = (): number[] => {
      const attribute = node.attributes.get('axes');
      if (attribute) return attribute.ints.map(Number);
      return node.inputs[1] ? ints(arg(1), 'the axes') : [];
    };
    switch (node.opType) {
      case 'Constant':
        return constantAttribute(node, this);
      case 'Identity':
        return arg(0);
      case 'Cast': {
        const v = arg(0);
        const to = Number(attributeInt(node.attributes.get('to')) ?? -1);
        if (to === DT_FLOAT || to === DT_DOUBLE || to === DT_FLOAT16) {
          return { dims: v.dims, floats: v.floats ?? Float32Array.from(v.ints ?? [], Number) };
        }
        if (to === DT_INT64 || to === DT_INT32) {
          return { dims: v.dims, ints: v.ints ?? Array.from(v.floats ?? [], (x) => BigInt(Math.trunc(x))) };
        }
        return this.fail(`${where} casts to ${dataTypeName(to)}`);
      }
      case 'Unsqueeze': {
        const v = arg(0);
        const rank = v.dims.length + axesOf().length;
        const axes = axesOf().map((a) => (a < 0 ? a + rank : a));
        if (axes.some((a) => a < 0 || a >= rank) || new Set(axes).size !== axes.length) this.fail(`${where} has invalid axes`);
        const dims: number[] = [];
        let k = 0;
        for (let i = 0; i < rank; i++) dims.push(axes.includes(i) ? 1 : (v.dims[k++] as number));
        return { ...v, dims };
      }
      case 'Squeeze': {
        const v = arg(0);
        const axes = axesOf().map((a) => (a < 0 ? a + v.dims.length : a));
        const dims = v.dims.filter((d, i) => (axes.length ? !axes.includes(i) : d !== 1));
        if (axes.some((a) => v.dims[a] !== 1)) this.fail(`${where} squeezes a dimension that is not 1`);
        return { ...v, dims };
      }
      case 'Reshape': {
        const v = arg(0);
        const requested = ints(arg(1), 'the shape');
        const count = v.dims.reduce((a, b) => a * b, 1);
        const dims = requested.map((d, i) => (d === 0 ? (v.dims[i] ?? -2) : d));
        const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
        const inferred = dims.map((d) => (d === -1 ? count / known : d));
        if (dims.filter((d) => d === -1).length > 1 || inferred.some((d) => !Number.isInteger(d) || d < 0) ||
            inferred.reduce((a, b) => a * b, 1) !== count) {
          this.fail(`${where} reshapes [${v.dims.join(', ')}] to [${requested.join(', ')}]`);
        }
        return { ...v, dims: inferred };
      }
      case 'Transpose': {
        const v = arg(0);
        const perm = node.attributes.get('perm')?.ints.map(Number) ?? v.dims.map((_, i) => v.dims.length - 1 - i);
        if (!v.floats || v.dims.length !== 2 || perm.length !== 2) this.fail(`${where}: only 2-D weight transposes are supported`);
        if (perm[0] === 0) return v;
        const [rows, cols] = v.dims as [number, number];
        const out = new Float32Array(rows * cols);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = v.floats[r * cols + c] as number;
        return { dims: [cols, rows], floats: out };
      }
      default:
        return this.fail(`unexpected op ${node.opType} (${where}) on weights`);
    }
  }
}

function attributeInt(a: OnnxAttribute | undefined): bigint | undefined {
  return a?.i;
}

function constantAttribute(node: OnnxNode, index: GraphIndex): ConstValue {
  const a = node.attributes;
  const tensor = a.get('value')?.t;
  if (tensor) return fromTensor(tensor, index.file);
  const f = a.get('value_float')?.f;
  if (f !== undefined) return { dims: [], floats: Float32Array.of(f) };
  const fs = a.get('value_floats');
  if (fs) return { dims: [fs.floats.length], floats: Float32Array.from(fs.floats) };
  const i = a.get('value_int')?.i;
  if (i !== undefined) return { dims: [], ints: [i] };
  const is = a.get('value_ints');
  if (is) return { dims: [is.ints.length], ints: [...is.ints] };
  return index.fail(`Constant node "${node.name}" has no value this converter reads`);
}

function fromTensor(t: OnnxTensor, file: string): ConstValue {
  if (t.dataType === DT_INT64 || t.dataType === DT_INT32) return { dims: t.dims, ints: tensorInts(t, file) };
  return { dims: t.dims, floats: tensorFloats(t, file) };
}
