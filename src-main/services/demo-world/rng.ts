// Seeded random numbers that are the same on every machine and engine: only 32-bit integer arithmetic
// (Math.imul, shifts) touches the state, so no Math.random and no platform float ever decides the world.
// xoshiro128** for the stream, splitmix32 to spread small seeds (0, 1, 2 …) over the whole state.

const TWO_POW_32 = 4294967296;

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over UTF-16 code units: turns a fork label into a 32-bit word. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i += 1) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The words this stream started from; forks derive from them, so forking never moves the stream. */
  private readonly origin: readonly [number, number];

  private constructor(low: number, high: number) {
    const state = { s: (low ^ Math.imul(high, 0x27d4eb2d)) | 0 };
    this.s0 = splitmix32(state);
    this.s1 = splitmix32(state);
    this.s2 = splitmix32(state);
    this.s3 = splitmix32(state);
    this.origin = [low >>> 0, high >>> 0];
  }

  /** A stream from an integer seed (any safe integer, negative ones included). */
  static fromSeed(seed: number): Rng {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`expected an integer seed, received ${seed}`);
    const low = seed % TWO_POW_32;
    const high = Math.floor(seed / TWO_POW_32);
    return new Rng(low >>> 0, high >>> 0);
  }

  /**
   * An independent stream named by a label. It depends on this stream's seed and the label only, not on how
   * many numbers were drawn, so adding a draw in one part of the world never shifts the numbers of another.
   */
  fork(label: string): Rng {
    const [low, high] = this.origin;
    return new Rng((low ^ hashLabel(label)) >>> 0, (high + Math.imul(hashLabel(`${label}#`), 0x9e3779b1)) >>> 0);
  }

  /** The next 32 random bits as an unsigned integer. */
  uint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1); exact in a double, so identical everywhere. */
  float(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** Uniform in [low, high). */
  range(low: number, high: number): number {
    return low + (high - low) * this.float();
  }

  /** Uniform integer in [0, count). */
  int(count: number): number {
    return Math.floor(this.float() * count);
  }

  pick<T>(values: readonly T[]): T {
    if (values.length === 0) throw new RangeError('expected at least one value to pick from, received none');
    return values[this.int(values.length)] as T;
  }

  /** Picks with the given relative weights (same order as values). */
  weighted<T>(values: readonly T[], weights: readonly number[]): T {
    const total = weights.reduce((sum, w) => sum + w, 0);
    let r = this.float() * total;
    for (let i = 0; i < values.length; i += 1) {
      r -= weights[i] ?? 0;
      if (r < 0) return values[i] as T;
    }
    return values[values.length - 1] as T;
  }

  /** A fresh seed for a child stream, e.g. one per rendered sample. */
  seed(): number {
    return this.uint32();
  }
}
