// The safetensors reader/writer of the native engine on real files: round trips in every stored float dtype,
// files written by hand (an independent writer), the Python-written fixtures, and a corpus of hostile files that
// must each fail with E_BAD_CHECKPOINT and a message naming the file (never a crash).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, describe, expect, it } from 'vitest';

import { addon } from '../../native/lib/addon.js';
import { EngineError } from '../../native/lib/errors.js';
import * as io from '../../native/lib/io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// The raw addon functions, to prove that the native side validates arguments too (MAGICAPTURE_ADDON selects a build).
type RawCall = (...args: unknown[]) => unknown;
const native = addon() as unknown as Record<'writeSafetensors' | 'readSafetensorsHeader' | 'loadCheckpointComponent', RawCall>;

const dir = mkdtempSync(join(tmpdir(), 'mc-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function file(bytes: Buffer | Uint8Array, name = `f${counter++}.safetensors`): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** An independent safetensors writer: u64 LE header length, the header text verbatim, then the data. */
function rawFile(header: string | object | Buffer, data: Uint8Array = new Uint8Array(0), length?: bigint): Buffer {
  const text = Buffer.isBuffer(header)
    ? header
    : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(length ?? BigInt(text.length));
  return Buffer.concat([len, text, data]);
}

function errorOf(fn: () => unknown): { code?: string; message: string; hint?: string } {
  try {
    fn();
  } catch (e) {
    return e as { code?: string; message: string; hint?: string };
  }
  throw new Error('expected the call to throw');
}

function expectBadCheckpoint(bytes: Buffer, messagePart: string | RegExp): void {
  const p = file(bytes);
  const e = errorOf(() => io.readSafetensorsHeader(p));
  expect(e.code).toBe('E_BAD_CHECKPOINT');
  expect(e.message).toContain(p);
  if (typeof messagePart === 'string') expect(e.message).toContain(messagePart);
  else expect(e.message).toMatch(messagePart);
  expect(e.hint).toBe('the file is damaged or not a safetensors file; re-download it');
}

const f32 = (values: number[]) => Float32Array.from(values);
const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** float32 -> nearest-even bfloat16 -> float32, bit-exact like torch's cast. */
function toBf16(values: Float32Array): Float32Array {
  const out = Float32Array.from(values);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const lsb = (bits[i]! >>> 16) & 1;
    bits[i] = ((bits[i]! + 0x7fff + lsb) >>> 16) << 16;
  }
  return out;
}

/** float32 -> nearest-even float16 -> float32 (finite inputs). */
function toF16(values: Float32Array): Float32Array {
  const roundEven = (q: number) => (Math.abs(q % 1) === 0.5 ? 2 * Math.round(q / 2) : Math.round(q));
  return values.map((x) => {
    const a = Math.abs(x);
    if (a === 0) return x;
    let e = Math.max(Math.floor(Math.log2(a)), -14);
    if (2 ** e > a && e > -14) e -= 1;
    if (2 ** (e + 1) <= a) e += 1;
    const ulp = 2 ** (e - 10);
    const r = roundEven(a / ulp) * ulp;
    return Math.sign(x) * (r > 65504 ? Infinity : r);
  });
}

describe('safetensors round trip', () => {
  const values = f32([0, 1, -2, 0.5, 1.1, -3.3, 1e-3, 123.456, 65000, -7e-6, 2.5, 3.75]);

  it.each(['F32', 'F16', 'BF16'] as const)('writes and reads back %s', (dtype) => {
    const p = join(dir, `round-${dtype}.safetensors`);
    io.writeSafetensors(
      p,
      [
        { name: 'w', shape: [3, 4], data: values, dtype },
        { name: 'empty', shape: [0, 5], data: new Float32Array(0), dtype },
        { name: 'scalar', shape: [], data: f32([4.5]), dtype },
      ],
      { format: 'pt', note: 'grüße ✓ "quoted"\n' },
    );
    const header = io.readSafetensorsHeader(p);
    expect(header.metadata).toEqual({ format: 'pt', note: 'grüße ✓ "quoted"\n' });
    const size = dtype === 'F32' ? 4 : 2;
    expect(header.tensors).toEqual([
      { name: 'w', dtype, shape: [3, 4], begin: 0, end: 12 * size },
      { name: 'empty', dtype, shape: [0, 5], begin: 12 * size, end: 12 * size },
      { name: 'scalar', dtype, shape: [], begin: 12 * size, end: 13 * size },
    ]);

    const expected = dtype === 'F32' ? values : dtype === 'F16' ? toF16(values) : toBf16(values);
    const w = io.loadSafetensorsTensor(p, 'w');
    expect(w.dtype).toBe(dtype);
    expect(w.shape).toEqual([3, 4]);
    expect(Array.from(w.data)).toEqual(Array.from(expected));
    expect(io.loadSafetensorsTensor(p, 'empty').data.length).toBe(0);
    expect(Array.from(io.loadSafetensorsTensor(p, 'scalar').data)).toEqual([4.5]);

    // The bytes follow the format exactly: an independent reader agrees.
    const bytes = readFileSync(p);
    const n = Number(bytes.readBigUInt64LE(0));
    expect((8 + n) % 8).toBe(0);
    const text = bytes.subarray(8, 8 + n).toString('utf8');
    expect(text).toMatch(/^\{.*\} *$/s);
    const parsed = JSON.parse(text) as Record<string, { data_offsets: number[] }>;
    expect(parsed.w!.data_offsets).toEqual([0, 12 * size]);
    expect(bytes.length).toBe(8 + n + 13 * size);
    if (dtype === 'F32') expect(new Uint8Array(bytes.subarray(8 + n, 8 + n + 48))).toEqual(bytesOf(values));
  });

  it('stores integer and bool dtypes (values converted from float32)', () => {
    const p = join(dir, 'ints.safetensors');
    const tensors = (['F64', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'] as const).map((dtype) => ({
      name: dtype.toLowerCase(),
      shape: [4],
      data: f32(dtype === 'BOOL' ? [0, 1, 1, 0] : [0, 1, 7, 100]),
      dtype,
    }));
    io.writeSafetensors(p, tensors);
    const header = io.readSafetensorsHeader(p);
    expect(header.metadata).toEqual({});
    expect(header.tensors.map((t) => [t.dtype, t.end - t.begin])).toEqual([
      ['F64', 32], ['I64', 32], ['I32', 16], ['I16', 8], ['I8', 4], ['U8', 4], ['BOOL', 4],
    ]);
    for (const t of tensors) expect(Array.from(io.loadSafetensorsTensor(p, t.name).data)).toEqual(Array.from(t.data));
  });

  it('replaces the destination atomically and leaves no temporary file', () => {
    const sub = join(dir, 'atomic');
    mkdirSync(sub);
    const p = join(sub, 'model.safetensors');
    io.writeSafetensors(p, [{ name: 'a', shape: [2], data: f32([1, 2]) }]);
    io.writeSafetensors(p, [{ name: 'b', shape: [1], data: f32([3]) }], { v: '2' });
    expect(readdirSync(sub)).toEqual(['model.safetensors']);
    expect(io.readSafetensorsHeader(p).tensors.map((t) => t.name)).toEqual(['b']);

    // A failed write leaves the previous file untouched.
    const e = errorOf(() => native.writeSafetensors(p, [{ name: 'c', shape: [2], data: f32([1]) }], {}));
    expect(e.code).toBe('E_BAD_ARGUMENT');
    expect(io.readSafetensorsHeader(p).metadata).toEqual({ v: '2' });
    expect(readdirSync(sub)).toEqual(['model.safetensors']);
  });

  it('refuses a destination folder that does not exist', () => {
    const e = errorOf(() => io.writeSafetensors(join(dir, 'no-such-folder', 'x.safetensors'), []));
    expect(e.code).toBe('E_FILE_NOT_FOUND');
  });

  it('validates writer arguments in the facade and again natively', () => {
    const bad: [unknown[], unknown, RegExp][] = [
      [[{ name: 'a', shape: [2], data: f32([1]) }], {}, /hold 2 values/],
      [[{ name: 'a', shape: [1], data: f32([1]) }, { name: 'a', shape: [1], data: f32([1]) }], {}, /unique|twice/],
      [[{ name: '__metadata__', shape: [1], data: f32([1]) }], {}, /__metadata__/],
      [[{ name: 'a', shape: [-1], data: f32([]) }], {}, /non-negative integers/],
      [[{ name: 'a', shape: [1.5], data: f32([1]) }], {}, /non-negative integers/],
      [[{ name: 'a', shape: [1], data: [1] }], {}, /Float32Array/],
      [[{ name: 'a', shape: [1], data: f32([1]), dtype: 'F8_E4M3' }], {}, /dtype/],
      [[], { a: 1 }, /metadata/],
    ];
    for (const [tensors, metadata, message] of bad) {
      for (const call of [
        () => io.writeSafetensors(join(dir, 'bad.safetensors'), tensors as never, metadata as never),
        () => native.writeSafetensors(join(dir, 'bad.safetensors'), tensors as never, metadata as never),
      ]) {
        const e = errorOf(call);
        expect(e.code).toBe('E_BAD_ARGUMENT');
        expect(e.message).toMatch(message);
      }
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('bad.'))).toEqual([]);
  });
});

describe('safetensors files from other writers', () => {
  it('reads a hand-written file with padding, any key order, gaps and escapes', () => {
    const a = f32([1, 2, 3]);
    const b = f32([-1]);
    const data = new Uint8Array(4 + 12 + 4);
    data.set(bytesOf(a), 4); // 4 bytes of gap first
    data.set(bytesOf(b), 16);
    const header =
      '{"b\\u00e9\\ud83d\\ude00":{"shape":[1],"data_offsets":[16,20],"dtype":"F32"},' +
      ' "a" : { "dtype" : "F32", "shape" : [ 3 ], "data_offsets" : [ 4, 16 ] },' +
      '"__metadata__":{"k\\n":"v\\"\\/"}}     ';
    const p = file(rawFile(header, data));
    const h = io.readSafetensorsHeader(p);
    expect(h.metadata).toEqual({ 'k\n': 'v"/' });
    expect(h.tensors.map((t) => t.name)).toEqual(['bé😀', 'a']);
    expect(Array.from(io.loadSafetensorsTensor(p, 'a').data)).toEqual([1, 2, 3]);
    expect(Array.from(io.loadSafetensorsTensor(p, 'bé😀').data)).toEqual([-1]);
  });

  it('normalises hostile BOOL bytes to true/false', () => {
    const p = file(rawFile({ m: { dtype: 'BOOL', shape: [3], data_offsets: [0, 3] } }, Uint8Array.from([0, 2, 255])));
    expect(Array.from(io.loadSafetensorsTensor(p, 'm').data)).toEqual([0, 1, 1]);
  });

  it('reads the files written by Python safetensors (tiny-sd fixtures)', () => {
    const unet = join(root, 'test/fixtures/tiny-sd/diffusers/unet/diffusion_pytorch_model.safetensors');
    const h = io.readSafetensorsHeader(unet);
    expect(h.metadata).toEqual({ format: 'pt' });
    const conv = h.tensors.find((t) => t.name === 'conv_in.weight');
    expect(conv).toMatchObject({ dtype: 'F32', shape: [8, 4, 3, 3] });
    const w = io.loadSafetensorsTensor(unet, 'conv_in.weight');
    expect(w.data.length).toBe(8 * 4 * 9);
    expect(w.data.every(Number.isFinite)).toBe(true);
  });

  it('refuses unknown tensor names, folders and missing files with their own codes', () => {
    const p = file(rawFile({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, Uint8Array.from([7])));
    expect(errorOf(() => io.loadSafetensorsTensor(p, 'nope')).code).toBe('E_BAD_ARGUMENT');
    expect(errorOf(() => io.readSafetensorsHeader(dir)).code).toBe('E_BAD_ARGUMENT');
    expect(errorOf(() => io.readSafetensorsHeader(join(dir, 'missing.safetensors'))).code).toBe('E_FILE_NOT_FOUND');
    expect(errorOf(() => io.readSafetensorsHeader('')).code).toBe('E_BAD_ARGUMENT');
    expect(errorOf(() => io.readSafetensorsHeader(join(dir, 'missing.safetensors')))).toBeInstanceOf(EngineError);
    expect(errorOf(() => native.readSafetensorsHeader(42 as never)).code).toBe('E_BAD_ARGUMENT');
  });
});

describe('hostile safetensors headers', () => {
  const tensor = (extra: object = {}) => ({ t: { dtype: 'F32', shape: [2], data_offsets: [0, 8], ...extra } });
  const eight = new Uint8Array(8);

  const corpus: [string, () => Buffer, string | RegExp][] = [
    ['an empty file', () => Buffer.alloc(0), 'at least 8 bytes'],
    ['7 bytes', () => Buffer.alloc(7, 1), 'received a file of 7 bytes'],
    ['a header length of 0', () => rawFile('', new Uint8Array(10), 0n), 'at least 2 bytes'],
    ['a header length larger than the file', () => rawFile('{}', eight, 1000n), 'the rest of the file'],
    ['a header length of 2^63', () => rawFile('{}', eight, 2n ** 63n), 'at most 104857600'],
    ['a header length of 2^64-1', () => rawFile('{}', eight, 2n ** 64n - 1n), 'at most 104857600'],
    ['a header that is not JSON', () => rawFile('{not json}'), /invalid JSON at byte 1/],
    ['a JSON array header', () => rawFile('[1, 2, 3]'), "start with '{', received '['"],
    ['a header with leading whitespace', () => rawFile(' {}'), "start with '{'"],
    ['trailing garbage after the header object', () => rawFile('{} x'), /end of input/],
    ['a truncated header object', () => rawFile('{"t": {"dtype": "F32"'), /invalid JSON/],
    ['NaN in the header', () => rawFile('{"t": {"dtype": "F32", "shape": [NaN], "data_offsets": [0, 0]}}'), /invalid JSON/],
    ['an overlong UTF-8 name', () => rawFile(Buffer.from([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])), /invalid UTF-8/],
    ['a UTF-8 encoded surrogate', () => rawFile(Buffer.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d])), /invalid UTF-8/],
    ['a lone surrogate escape', () => rawFile('{"\\ud800": {}}'), /surrogate/],
    ['a raw control character in a string', () => rawFile('{"a\tb": {}}'), /control characters/],
    ['truncated data', () => rawFile(tensor(), new Uint8Array(4)), /within the data region of 4 bytes.*truncated/],
    ['an unknown dtype', () => rawFile(tensor({ dtype: 'F8_E4M3' }), eight), /dtype to be one of F64, F32.*received "F8_E4M3"/],
    ['a lower-case dtype', () => rawFile(tensor({ dtype: 'f32' }), eight), /dtype to be one of/],
    ['a numeric dtype', () => rawFile(tensor({ dtype: 4 }), eight), /dtype to be one of/],
    ['a negative dimension', () => rawFile(tensor({ shape: [-2] }), eight), /non-negative integers, received \[-2\]/],
    ['a fractional dimension', () => rawFile(tensor({ shape: [2.5] }), eight), /non-negative integers, received \[2.5\]/],
    ['an exponent dimension', () => rawFile('{"t":{"dtype":"F32","shape":[2e0],"data_offsets":[0,8]}}', eight), /non-negative integers/],
    ['a string dimension', () => rawFile(tensor({ shape: ['2'] }), eight), /non-negative integers/],
    ['a dimension above 2^64', () => rawFile('{"t":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,8]}}', eight), /non-negative integers/],
    ['a shape whose size overflows', () => rawFile('{"t":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,8]}}', eight), /overflow/],
    ['a shape that is not an array', () => rawFile(tensor({ shape: 2 }), eight), /shape to be an array/],
    ['offsets out of range', () => rawFile(tensor({ data_offsets: [8, 16] }), eight), /within the data region of 8 bytes/],
    ['begin > end', () => rawFile(tensor({ data_offsets: [8, 0] }), eight), /begin <= end, received \[8,0\]/],
    ['negative offsets', () => rawFile(tensor({ data_offsets: [-8, 0] }), eight), /\[begin, end\] with non-negative integers/],
    ['three offsets', () => rawFile(tensor({ data_offsets: [0, 4, 8] }), eight), /\[begin, end\]/],
    ['a size mismatch', () => rawFile(tensor({ shape: [3] }), new Uint8Array(12)), /expected 12 bytes for F32 shape \[3\].*spanning 8 bytes/],
    ['overlapping tensors', () => rawFile({ ...tensor(), u: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12)), /overlap/],
    ['duplicate tensor names', () => rawFile('{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"t":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', Uint8Array.from([1, 2])), /duplicate key "t"/],
    ['metadata with a number value', () => rawFile({ __metadata__: { a: 1 } }), /"__metadata__" value "a" to be a string, received 1/],
    ['metadata that is an array', () => rawFile({ __metadata__: ['a'] }), /"__metadata__" to be an object of strings/],
    ['a tensor entry that is not an object', () => rawFile({ t: [1, 2] }), /expected an object with dtype, shape and data_offsets/],
    ['an extra key in a tensor entry', () => rawFile(tensor({ crc: 'x' }), eight), /only the keys dtype, shape and data_offsets, received "crc"/],
    ['a missing key in a tensor entry', () => rawFile({ t: { dtype: 'F32', shape: [2] } }, eight), /missing key data_offsets/],
    ['a deep nesting bomb', () => rawFile(`{"__metadata__":${'['.repeat(100000)}${']'.repeat(100000)}}`), /nesting deeper than 64 levels/],
    ['a value-count bomb', () => rawFile(`{"t":{"dtype":"U8","shape":[${new Array(2_100_000).fill(0).join(',')}],"data_offsets":[0,0]}}`), /more than 2000000 values/],
  ];

  it.each(corpus)('refuses %s', (_, make, message) => expectBadCheckpoint(make(), message));

  it('accepts the minimal legal file and zero-size tensors anywhere', () => {
    const p = file(rawFile('{}'));
    expect(io.readSafetensorsHeader(p)).toEqual({ metadata: {}, tensors: [] });
    const q = file(rawFile({ z: { dtype: 'F32', shape: [0], data_offsets: [4, 4] }, ...tensor() }, eight));
    expect(io.readSafetensorsHeader(q).tensors.map((t) => t.name)).toEqual(['z', 't']);
    expect(io.loadSafetensorsTensor(q, 'z').shape).toEqual([0]);
  });
});
