// The ONNX messages the ArcFace converter reads (onnx/onnx.proto: ModelProto, GraphProto, NodeProto, AttributeProto,
// TensorProto, ValueInfoProto), decoded from the wire format by protobuf.ts. Unknown fields are skipped, subgraphs
// (If/Loop bodies) are not descended into, and a tensor whose data lives in an external file is refused: MagiCapture
// reads one self-contained file. Tensor payloads stay views of the file's bytes until a caller asks for values.
import { endianness } from 'node:os';

import { EngineError } from '../errors.js';
import { ProtoReader, WIRE_BYTES, WIRE_FIXED32, WIRE_VARINT } from './protobuf.js';

/** TensorProto.DataType values this reader can turn into numbers. */
export const DT_FLOAT = 1;
export const DT_INT32 = 6;
export const DT_INT64 = 7;
export const DT_FLOAT16 = 10;
export const DT_DOUBLE = 11;

const DATA_TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING',
  9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};

export function dataTypeName(type: number): string {
  return DATA_TYPE_NAMES[type] ?? `data type ${type}`;
}

// Bounds on what a hostile file can make us allocate outside the raw bytes it already occupies.
const MAX_REPEATED = 1 << 26;
const MAX_DIMS = 8;
const MAX_ELEMENTS = 2 ** 31;

export interface OnnxTensor {
  name: string;
  dims: number[];
  dataType: number;
  raw?: Uint8Array;
  floatData: number[];
  int32Data: bigint[];
  int64Data: bigint[];
  doubleData: number[];
}

export interface OnnxAttribute {
  name: string;
  type: number;
  f?: number;
  i?: bigint;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats: number[];
  ints: bigint[];
  /** A subgraph or other field this reader does not decode (If/Loop bodies, sparse tensors, type protos). */
  opaque: boolean;
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  elemType?: number;
  /** Each dimension: a number (dim_value), a string (dim_param) or undefined (unknown). */
  shape?: Array<number | string | undefined>;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  sparseInitializers: number;
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

export interface OnnxModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  /** domain ("" for the default ai.onnx) -> opset version */
  opsets: Map<string, number>;
  functions: number;
  graph: OnnxGraph;
}

const HINT_EXTERNAL =
  'Re-save the model as one self-contained file on a trusted machine, e.g. onnx.save_model(onnx.load(path), ' +
  'out_path, save_as_external_data=False), then convert that file (models above 2 GB cannot be held in one file).';

export function parseOnnxModel(bytes: Uint8Array, file: string): OnnxModel {
  if (bytes.length === 0) {
    throw new EngineError('E_UNSUPPORTED_FORMAT', `${file}: the file is empty, expected an ONNX model`, 'Download the model again.');
  }
  // A Buffer's slice() shares memory; read through a plain Uint8Array view so every copy below is a real one.
  const r = new ProtoReader(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), `${file}: ModelProto`);
  const model: OnnxModel = { irVersion: 0, producerName: '', producerVersion: '', opsets: new Map(), functions: 0, graph: emptyGraph() };
  let sawGraph = false;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_VARINT) model.irVersion = r.safeInt('ir_version');
    else if (field === 2 && wire === WIRE_BYTES) model.producerName = r.string();
    else if (field === 3 && wire === WIRE_BYTES) model.producerVersion = r.string();
    else if (field === 7 && wire === WIRE_BYTES) {
      model.graph = parseGraph(r.message(`${file}: GraphProto`), file);
      sawGraph = true;
    } else if (field === 8 && wire === WIRE_BYTES) {
      const [domain, version] = parseOpset(r.message(`${file}: OperatorSetIdProto`));
      model.opsets.set(domain === 'ai.onnx' ? '' : domain, version);
    } else if (field === 25 && wire === WIRE_BYTES) {
      r.skip(wire);
      model.functions++;
    } else r.skip(wire);
  }
  if (!sawGraph || model.irVersion <= 0) {
    throw new EngineError(
      'E_UNSUPPORTED_FORMAT',
      `${file}: not an ONNX model: expected a ModelProto with ir_version and a graph, received ${sawGraph ? 'no ir_version' : 'no graph'}`,
      'Choose the .onnx file of a face-recognition model (for example w600k_r50.onnx from insightface buffalo_l).',
    );
  }
  return model;
}

function emptyGraph(): OnnxGraph {
  return { name: '', nodes: [], initializers: [], sparseInitializers: 0, inputs: [], outputs: [] };
}

function parseOpset(r: ProtoReader): [string, number] {
  let domain = '';
  let version = 0;
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_BYTES) domain = r.string();
    else if (field === 2 && wire === WIRE_VARINT) version = r.safeInt('opset version');
    else r.skip(wire);
  }
  return [domain, version];
}

function parseGraph(r: ProtoReader, file: string): OnnxGraph {
  const graph = emptyGraph();
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire !== WIRE_BYTES) {
      r.skip(wire);
      continue;
    }
    if (field === 1) graph.nodes.push(parseNode(r.message(`${file}: NodeProto #${graph.nodes.length}`), file));
    else if (field === 2) graph.name = r.string();
    else if (field === 5) graph.initializers.push(parseTensor(r.message(`${file}: initializer #${graph.initializers.length}`), file));
    else if (field === 15) {
      r.skip(wire);
      graph.sparseInitializers++;
    } else if (field === 11) graph.inputs.push(parseValueInfo(r.message(`${file}: graph input`)));
    else if (field === 12) graph.outputs.push(parseValueInfo(r.message(`${file}: graph output`)));
    else r.skip(wire);
  }
  return graph;
}

function parseNode(r: ProtoReader, file: string): OnnxNode {
  const node: OnnxNode = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: new Map() };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (wire !== WIRE_BYTES) {
      r.skip(wire);
      continue;
    }
    if (field === 1) node.inputs.push(r.string());
    else if (field === 2) node.outputs.push(r.string());
    else if (field === 3) node.name = r.string();
    else if (field === 4) node.opType = r.string();
    else if (field === 7) node.domain = r.string();
    else if (field === 5) {
      const attribute = parseAttribute(r.message(`${file}: AttributeProto`), file);
      node.attributes.set(attribute.name, attribute);
    } else r.skip(wire);
  }
  return node;
}

function parseAttribute(r: ProtoReader, file: string): OnnxAttribute {
  const a: OnnxAttribute = { name: '', type: 0, floats: [], ints: [], opaque: false };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_BYTES) a.name = r.string();
    else if (field === 20 && wire === WIRE_VARINT) a.type = r.safeInt('attribute type');
    else if (field === 2 && wire === WIRE_FIXED32) a.f = r.float32();
    else if (field === 3 && wire === WIRE_VARINT) a.i = r.int64();
    else if (field === 4 && wire === WIRE_BYTES) a.s = r.bytesField();
    else if (field === 5 && wire === WIRE_BYTES) a.t = parseTensor(r.message(`${file}: attribute tensor`), file);
    else if (field === 7) r.repeatedFloat(wire, a.floats, MAX_REPEATED, 4);
    else if (field === 8) r.repeatedInt64(wire, a.ints, MAX_REPEATED);
    else {
      if (field === 6 || field === 11 || field === 22 || field === 23 || field === 14 || field === 15) a.opaque = true;
      r.skip(wire);
    }
  }
  return a;
}

function parseValueInfo(r: ProtoReader): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '' };
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_BYTES) info.name = r.string();
    else if (field === 2 && wire === WIRE_BYTES) parseType(r.message(`${r.context} type`), info);
    else r.skip(wire);
  }
  return info;
}

function parseType(r: ProtoReader, info: OnnxValueInfo): void {
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field !== 1 || wire !== WIRE_BYTES) {
      r.skip(wire);
      continue;
    }
    const tensor = r.message(`${r.context} tensor_type`);
    while (!tensor.done()) {
      const t = tensor.tag();
      if (t.field === 1 && t.wire === WIRE_VARINT) info.elemType = tensor.safeInt('elem_type');
      else if (t.field === 2 && t.wire === WIRE_BYTES) info.shape = parseShape(tensor.message(`${r.context} shape`));
      else tensor.skip(t.wire);
    }
  }
}

function parseShape(r: ProtoReader): Array<number | string | undefined> {
  const dims: Array<number | string | undefined> = [];
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field !== 1 || wire !== WIRE_BYTES) {
      r.skip(wire);
      continue;
    }
    if (dims.length >= MAX_DIMS) r.fail(`more than ${MAX_DIMS} dimensions`);
    const dim = r.message(r.context);
    let value: number | string | undefined;
    while (!dim.done()) {
      const d = dim.tag();
      if (d.field === 1 && d.wire === WIRE_VARINT) value = dim.safeInt('dim_value');
      else if (d.field === 2 && d.wire === WIRE_BYTES) value = dim.string();
      else dim.skip(d.wire);
    }
    dims.push(value);
  }
  return dims;
}

function parseTensor(r: ProtoReader, file: string): OnnxTensor {
  const t: OnnxTensor = { name: '', dims: [], dataType: 0, floatData: [], int32Data: [], int64Data: [], doubleData: [] };
  let external = false;
  let location = '';
  while (!r.done()) {
    const { field, wire } = r.tag();
    if (field === 1) {
      const dims: bigint[] = [];
      r.repeatedInt64(wire, dims, MAX_DIMS);
      for (const d of dims) {
        if (d < 0n || d > BigInt(MAX_ELEMENTS)) r.fail(`tensor dimension ${d}`);
        if (t.dims.length >= MAX_DIMS) r.fail(`more than ${MAX_DIMS} tensor dimensions`);
        t.dims.push(Number(d));
      }
    } else if (field === 2 && wire === WIRE_VARINT) t.dataType = r.safeInt('data_type');
    else if (field === 4) r.repeatedFloat(wire, t.floatData, MAX_REPEATED, 4);
    else if (field === 5) r.repeatedInt64(wire, t.int32Data, MAX_REPEATED);
    else if (field === 7) r.repeatedInt64(wire, t.int64Data, MAX_REPEATED);
    else if (field === 10) r.repeatedFloat(wire, t.doubleData, MAX_REPEATED, 8);
    else if (field === 8 && wire === WIRE_BYTES) t.name = r.string();
    else if (field === 9 && wire === WIRE_BYTES) t.raw = r.bytesField();
    else if (field === 13 && wire === WIRE_BYTES) {
      external = true;
      const entry = r.message(`${file}: external_data`);
      let key = '';
      let value = '';
      while (!entry.done()) {
        const e = entry.tag();
        if (e.field === 1 && e.wire === WIRE_BYTES) key = entry.string();
        else if (e.field === 2 && e.wire === WIRE_BYTES) value = entry.string();
        else entry.skip(e.wire);
      }
      if (key === 'location') location = value;
    } else if (field === 14 && wire === WIRE_VARINT) {
      if (r.int64() === 1n) external = true; // data_location EXTERNAL
    }
    else r.skip(wire);
  }
  if (external) {
    throw new EngineError(
      'E_UNSUPPORTED_FORMAT',
      `${file}: tensor "${t.name}" stores its data in an external file${location ? ` ("${location}")` : ''}; ` +
        'expected every weight inside the .onnx file',
      HINT_EXTERNAL,
    );
  }
  return t;
}

/** Number of elements of a tensor, from its dims (a scalar has none and one element). */
export function elementCount(t: OnnxTensor): number {
  return t.dims.reduce((a, b) => a * b, 1);
}

const littleEndian = endianness() === 'LE';

/** The values of a FLOAT, FLOAT16 or DOUBLE tensor as float32, checked against its dims. */
export function tensorFloats(t: OnnxTensor, file: string): Float32Array {
  const n = elementCount(t);
  const bad = (what: string): never => {
    throw new EngineError(
      'E_UNSUPPORTED_FORMAT',
      `${file}: tensor "${t.name}" (${dataTypeName(t.dataType)} [${t.dims.join(', ')}]) ${what}`,
      'The file is damaged or was written by an exporter this converter does not know; download it again.',
    );
  };
  if (n > MAX_ELEMENTS) bad('is too large');
  if (t.dataType === DT_FLOAT) {
    if (t.raw) {
      if (t.raw.length !== n * 4) bad(`holds ${t.raw.length} bytes, expected ${n * 4}`);
      if (littleEndian) {
        const copy = new Uint8Array(t.raw.length);
        copy.set(t.raw);
        return new Float32Array(copy.buffer);
      }
      const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.length);
      return Float32Array.from({ length: n }, (_, i) => view.getFloat32(4 * i, true));
    }
    if (t.floatData.length !== n) bad(`holds ${t.floatData.length} values, expected ${n}`);
    return Float32Array.from(t.floatData);
  }
  if (t.dataType === DT_FLOAT16) {
    const halves: number[] = [];
    if (t.raw) {
      if (t.raw.length !== n * 2) bad(`holds ${t.raw.length} bytes, expected ${n * 2}`);
      const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.length);
      for (let i = 0; i < n; i++) halves.push(view.getUint16(2 * i, true));
    } else {
      if (t.int32Data.length !== n) bad(`holds ${t.int32Data.length} values, expected ${n}`);
      for (const v of t.int32Data) halves.push(Number(v) & 0xffff);
    }
    return Float32Array.from(halves, halfToFloat);
  }
  if (t.dataType === DT_DOUBLE) {
    if (t.raw) {
      if (t.raw.length !== n * 8) bad(`holds ${t.raw.length} bytes, expected ${n * 8}`);
      const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.length);
      return Float32Array.from({ length: n }, (_, i) => view.getFloat64(8 * i, true));
    }
    if (t.doubleData.length !== n) bad(`holds ${t.doubleData.length} values, expected ${n}`);
    return Float32Array.from(t.doubleData);
  }
  return bad('is not a floating-point tensor');
}

/** The values of an INT64 or INT32 tensor (shapes, axes). */
export function tensorInts(t: OnnxTensor, file: string): bigint[] {
  const n = elementCount(t);
  const bad = (what: string): never => {
    throw new EngineError('E_UNSUPPORTED_FORMAT', `${file}: tensor "${t.name}" (${dataTypeName(t.dataType)}) ${what}`);
  };
  if (n > 1 << 20) bad('is too large for a shape');
  if (t.dataType === DT_INT64 || t.dataType === DT_INT32) {
    const width = t.dataType === DT_INT64 ? 8 : 4;
    if (t.raw) {
      if (t.raw.length !== n * width) bad(`holds ${t.raw.length} bytes, expected ${n * width}`);
      const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.length);
      return Array.from({ length: n }, (_, i) => (width === 8 ? view.getBigInt64(8 * i, true) : BigInt(view.getInt32(4 * i, true))));
    }
    const values = t.dataType === DT_INT64 ? t.int64Data : t.int32Data;
    if (values.length !== n) bad(`holds ${values.length} values, expected ${n}`);
    return values.map((v) => (t.dataType === DT_INT32 ? BigInt.asIntN(32, v) : v));
  }
  return bad('is not an integer tensor');
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
