// Typed facade over the addon's safetensors / checkpoint functions (native/binding/io_binding.cpp).
// Arguments are validated here, before the one native crossing; the native side checks them again and treats every
// file as hostile. Every failure is an EngineError {code, message, hint}.
import { addon } from './addon.js';
import { badArgument, describe, fromNative } from './errors.js';

export type SafetensorsDType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export const SAFETENSORS_DTYPES: readonly SafetensorsDType[] = [
  'F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL',
];

export interface SafetensorsTensorInfo {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  /** Byte offsets relative to the data region (after the 8-byte length and the header). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  metadata: Record<string, string>;
  tensors: SafetensorsTensorInfo[];
}

export interface LoadedTensor {
  /** The stored dtype; `data` is always converted to float32. */
  dtype: SafetensorsDType;
  shape: number[];
  data: Float32Array;
}

export interface TensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array;
  /** Stored dtype (converted from float32 natively); default F32. */
  dtype?: SafetensorsDType;
}

export type CheckpointComponent = 'unet' | 'vae' | 'textEncoder';

export interface ComponentSummary {
  tensorCount: number;
  hasConfig: boolean;
}

export interface CheckpointInfo {
  layout: 'diffusers' | 'ldm';
  path: string;
  components: Record<CheckpointComponent, ComponentSummary>;
  /** Sorted; a diffusers folder's are prefixed with their component folder ("text_encoder/..."). */
  unusedKeys: string[];
  tokenizerDir: string | null;
  metadata: Record<string, string>;
}

export interface ComponentTensor extends LoadedTensor {
  /** The diffusers parameter name. */
  name: string;
  /** Where it came from: the file and the key in that file. */
  file: string;
  key: string;
}

/** The raw functions the addon exports (io_binding.cpp); only this module calls them. */
interface IoNative {
  readSafetensorsHeader(path: string): SafetensorsHeader;
  inspectCheckpoint(path: string): CheckpointInfo;
  loadSafetensorsTensor(path: string, name: string): LoadedTensor;
  loadCheckpointComponent(path: string, component: CheckpointComponent): ComponentTensor[];
  writeSafetensors(path: string, tensors: TensorToWrite[], metadata: Record<string, string>): void;
}

function native<T>(call: (io: IoNative) => T): T {
  try {
    return call(addon() as unknown as IoNative);
  } catch (error) {
    throw fromNative(error);
  }
}

function checkPath(path: unknown, what = 'path'): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw badArgument(`expected ${what} to be a non-empty string, received ${describe(path)}`);
  }
  if (path.includes('\0')) throw badArgument(`expected ${what} without NUL characters`);
  return path;
}

function checkTensor(t: unknown, index: number, seen: Set<string>): TensorToWrite {
  const where = `tensors[${index}]`;
  if (typeof t !== 'object' || t === null) throw badArgument(`expected ${where} to be {name, shape, data}, received ${describe(t)}`);
  const { name, shape, data, dtype } = t as Partial<TensorToWrite>;
  if (typeof name !== 'string' || name.length === 0 || name === '__metadata__') {
    throw badArgument(`expected ${where}.name to be a non-empty string other than __metadata__, received ${describe(name)}`);
  }
  if (seen.has(name)) throw badArgument(`expected unique tensor names, received ${JSON.stringify(name)} twice`);
  seen.add(name);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw badArgument(`expected ${where}.shape to be an array of non-negative integers, received ${JSON.stringify(shape)}`);
  }
  if (!(data instanceof Float32Array)) throw badArgument(`expected ${where}.data to be a Float32Array, received ${describe(data)}`);
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel !== data.length) {
    throw badArgument(`expected ${where}.data to hold ${numel} values for shape [${shape.join(', ')}], received ${data.length}`);
  }
  if (dtype !== undefined && !SAFETENSORS_DTYPES.includes(dtype)) {
    throw badArgument(`expected ${where}.dtype to be one of ${SAFETENSORS_DTYPES.join(', ')}, received ${describe(dtype)}`);
  }
  return dtype === undefined ? { name, shape, data } : { name, shape, data, dtype };
}

function checkMetadata(metadata: unknown): Record<string, string> {
  if (metadata === undefined) return {};
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw badArgument(`expected metadata to be an object of strings, received ${describe(metadata)}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw badArgument(`expected metadata ${JSON.stringify(k)} to be a string, received ${describe(v)}`);
  }
  return metadata as Record<string, string>;
}

const COMPONENTS: readonly CheckpointComponent[] = ['unet', 'vae', 'textEncoder'];

/** The header of a .safetensors file: metadata and tensor table (no tensor data is read). */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  checkPath(path);
  return native((io) => io.readSafetensorsHeader(path));
}

/** Plans a diffusers folder or an SD1.x .safetensors file, reading headers and configs only. */
export function inspectCheckpoint(path: string): CheckpointInfo {
  checkPath(path);
  return native((io) => io.inspectCheckpoint(path));
}

/** One tensor of a .safetensors file, converted to float32. */
export function loadSafetensorsTensor(path: string, name: string): LoadedTensor {
  checkPath(path);
  checkPath(name, 'the tensor name');
  return native((io) => io.loadSafetensorsTensor(path, name));
}

/** Every tensor of one component, under its diffusers name, converted to float32 (debugging and tests). */
export function loadCheckpointComponent(path: string, component: CheckpointComponent): ComponentTensor[] {
  checkPath(path);
  if (!COMPONENTS.includes(component)) {
    throw badArgument(`expected component to be one of ${COMPONENTS.join(', ')}, received ${describe(component)}`);
  }
  return native((io) => io.loadCheckpointComponent(path, component));
}

/** Writes a .safetensors file atomically (temporary file, fsync, rename). */
export function writeSafetensors(path: string, tensors: TensorToWrite[], metadata: Record<string, string> = {}): void {
  checkPath(path);
  if (!Array.isArray(tensors)) throw badArgument(`expected tensors to be an array, received ${describe(tensors)}`);
  const seen = new Set<string>();
  const checked = tensors.map((t, i) => checkTensor(t, i, seen));
  const meta = checkMetadata(metadata);
  native((io) => io.writeSafetensors(path, checked, meta));
}
