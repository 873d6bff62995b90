// The Protocol Buffers wire format, read-only: just what the ONNX reader needs. Input is hostile: every varint, length
// and fixed-width field is checked against the bytes that are really there, nothing is allocated from a declared
// size, and every failure is an EngineError(E_UNSUPPORTED_FORMAT) saying where the message broke.
import { EngineError } from '../errors.js';

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const HINT = 'The file is damaged or not an ONNX model; download it again.';

export class ProtoReader {
  private pos: number;

  /** Reads `bytes[start, end)`; `context` names the file and message in errors ("model.onnx: TensorProto"). */
  constructor(
    private readonly bytes: Uint8Array,
    readonly context: string,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  fail(what: string): never {
    throw new EngineError('E_UNSUPPORTED_FORMAT', `${this.context}: not a valid protobuf message: ${what} at byte ${this.pos}`, HINT);
  }

  /** The next field key: field number and wire type. Groups (wire types 3 and 4) are refused, as proto3 has none. */
  tag(): { field: number; wire: number } {
    const key = this.varint();
    const wire = Number(key & 7n);
    const field = key >> 3n;
    if (field < 1n || field > 536870911n) this.fail(`field number ${field}`);
    if (wire !== WIRE_VARINT && wire !== WIRE_FIXED64 && wire !== WIRE_BYTES && wire !== WIRE_FIXED32) {
      this.fail(`unsupported wire type ${wire} (field ${field})`);
    }
    return { field: Number(field), wire };
  }

  /** An unsigned varint of at most 10 bytes, as a 64-bit value. */
  varint(): bigint {
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const byte = this.bytes[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << BigInt(7 * i);
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** A varint read as a two's-complement int64 (proto int64/int32 fields). */
  int64(): bigint {
    return BigInt.asIntN(64, this.varint());
  }

  /** An int64 that must be a safe JavaScript integer. */
  safeInt(what: string): number {
    const v = this.int64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) this.fail(`${what} ${v} out of range`);
    return Number(v);
  }

  /** A length-delimited field: a view of its bytes (no copy). */
  bytesField(): Uint8Array {
    const length = this.varint();
    if (length > BigInt(this.end - this.pos)) this.fail(`length ${length} runs past the end of the message`);
    const start = this.pos;
    this.pos += Number(length);
    return this.bytes.subarray(start, this.pos);
  }

  /** A length-delimited field read as a nested message (offsets in its errors stay those of the whole file). */
  message(context: string): ProtoReader {
    const view = this.bytesField();
    return new ProtoReader(this.bytes, context, view.byteOffset - this.bytes.byteOffset, this.pos);
  }

  string(): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytesField());
  }

  float32(): number {
    return this.fixed(4).getFloat32(0, true);
  }

  float64(): number {
    return this.fixed(8).getFloat64(0, true);
  }

  fixed32(): number {
    return this.fixed(4).getUint32(0, true);
  }

  fixed64(): bigint {
    return this.fixed(8).getBigUint64(0, true);
  }

  /** Skips a field of the given wire type. */
  skip(wire: number): void {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_FIXED64) this.fixed(8);
    else if (wire === WIRE_BYTES) this.bytesField();
    else if (wire === WIRE_FIXED32) this.fixed(4);
    else this.fail(`unsupported wire type ${wire}`);
  }

  /** A repeated varint field (packed or not), appended to `out`. */
  repeatedInt64(wire: number, out: bigint[], limit: number): void {
    if (wire === WIRE_BYTES) {
      const packed = this.message(this.context);
      while (!packed.done()) push(out, packed.int64(), limit, this);
    } else if (wire === WIRE_VARINT) {
      push(out, this.int64(), limit, this);
    } else {
      this.fail(`wire type ${wire} for a repeated integer`);
    }
  }

  /** A repeated fixed-width float field (packed or not), appended to `out`. */
  repeatedFloat(wire: number, out: number[], limit: number, width: 4 | 8): void {
    const expected = width === 4 ? WIRE_FIXED32 : WIRE_FIXED64;
    if (wire === WIRE_BYTES) {
      const packed = this.message(this.context);
      while (!packed.done()) push(out, width === 4 ? packed.float32() : packed.float64(), limit, this);
    } else if (wire === expected) {
      push(out, width === 4 ? this.float32() : this.float64(), limit, this);
    } else {
      this.fail(`wire type ${wire} for a repeated ${width === 4 ? 'float' : 'double'}`);
    }
  }

  private fixed(size: number): DataView {
    if (this.end - this.pos < size) this.fail(`truncated ${size * 8}-bit field`);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, size);
    this.pos += size;
    return view;
  }
}

function push<T>(out: T[], value: T, limit: number, reader: ProtoReader): void {
  if (out.length >= limit) reader.fail(`more than ${limit} repeated values`);
  out.push(value);
}
