// Datasets of the world: people × styles × poses, reproducible from one seed, with held-out combinations. A
// held-out combination is a partial attribute record ({ hairColor: 'red', backgroundColor: 'green' }); a sample
// that matches every pair of any held-out combination belongs to the held-out split and never to training.
import { attributesOf, checkPartialAttributes, type Attributes, type Identity, type Style } from './attributes.js';
import { checkSize, render, type Sample } from './render.js';
import { Rng } from './rng.js';
import { sampleIdentity, sampleStyle } from './sampling.js';

export type HeldOutCombination = Partial<Attributes>;
export type Split = 'train' | 'heldout';

export interface DatasetOptions {
  seed: number;
  /** Width and height in pixels (a multiple of 8; the world's sizes are 64 and 128). */
  size: number;
  /** How many people to draw from the seed, or the people themselves. */
  identities: number | readonly Identity[];
  /** How many styles to draw from the seed, or the styles themselves. */
  styles: number | readonly Style[];
  /** 'grid' (default): every person in every style; 'random': `count` pairs drawn at random. */
  pairing?: 'grid' | 'random';
  /** Renders per pair, each in its own pose (default 1). Grid only. */
  perPair?: number;
  /** At most this many samples (required for random pairing). */
  count?: number;
  heldOut?: readonly HeldOutCombination[];
  /** Which samples to yield: 'train' (default), 'heldout', or 'all'. */
  split?: Split | 'all';
}

export interface DatasetSample extends Sample {
  /** Position in this dataset's sequence (counting the yielded samples only). */
  index: number;
  identityIndex: number;
  styleIndex: number;
  split: Split;
}

/** Person i of a seed; the same whatever the number of people drawn. */
export function identityOf(seed: number, index: number): Identity {
  return sampleIdentity(Rng.fromSeed(seed).fork('identities').fork(String(index)));
}

/** Style i of a seed; the same whatever the number of styles drawn. */
export function styleOf(seed: number, index: number): Style {
  return sampleStyle(Rng.fromSeed(seed).fork('styles').fork(String(index)));
}

export function matchesCombination(attributes: Attributes, combination: HeldOutCombination): boolean {
  return (Object.keys(combination) as (keyof Attributes)[]).every((name) => attributes[name] === combination[name]);
}

export function splitOf(attributes: Attributes, heldOut: readonly HeldOutCombination[]): Split {
  return heldOut.some((c) => matchesCombination(attributes, c)) ? 'heldout' : 'train';
}

function checkOptions(o: DatasetOptions): void {
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`expected an integer seed, received ${o.seed}`);
  checkSize(o.size);
  for (const [what, value] of [['identities', o.identities], ['styles', o.styles]] as const) {
    const n = typeof value === 'number' ? value : value.length;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`expected at least 1 of ${what}, received ${n}`);
  }
  if (o.perPair !== undefined && (!Number.isInteger(o.perPair) || o.perPair < 1)) {
    throw new RangeError(`expected perPair to be a whole number of at least 1, received ${o.perPair}`);
  }
  if (o.count !== undefined && (!Number.isInteger(o.count) || o.count < 0)) {
    throw new RangeError(`expected count to be a whole number, received ${o.count}`);
  }
  if (o.pairing === 'random' && o.count === undefined) throw new RangeError('expected a count with random pairing, received none');
  for (const [i, c] of (o.heldOut ?? []).entries()) {
    checkPartialAttributes(c, `heldOut[${i}]`);
    if (Object.keys(c).length === 0) throw new RangeError(`expected heldOut[${i}] to name at least one attribute, received {}`);
  }
}

/**
 * The samples, lazily and in a fixed order. Held-out filtering happens before rendering, so a split costs only
 * the renders it yields.
 */
export function* makeDataset(options: DatasetOptions): Generator<DatasetSample> {
  checkOptions(options);
  const { seed, size } = options;
  const heldOut = options.heldOut ?? [];
  const wanted = options.split ?? 'train';
  const limit = options.count ?? Infinity;
  const people = new Map<number, Identity>();
  const looks = new Map<number, Style>();
  const person = (i: number) => {
    if (typeof options.identities !== 'number') return options.identities[i] as Identity;
    if (!people.has(i)) people.set(i, identityOf(seed, i));
    return people.get(i) as Identity;
  };
  const look = (j: number) => {
    if (typeof options.styles !== 'number') return options.styles[j] as Style;
    if (!looks.has(j)) looks.set(j, styleOf(seed, j));
    return looks.get(j) as Style;
  };
  const nIdentities = typeof options.identities === 'number' ? options.identities : options.identities.length;
  const nStyles = typeof options.styles === 'number' ? options.styles : options.styles.length;
  let index = 0;

  const emit = (i: number, j: number, renderSeed: number): DatasetSample | undefined => {
    const identity = person(i), style = look(j);
    const split = splitOf(attributesOf(identity, style), heldOut);
    if (wanted !== 'all' && split !== wanted) return undefined;
    const sample = render(identity, style, { size, seed: renderSeed });
    return { ...sample, index: index++, identityIndex: i, styleIndex: j, split };
  };

  if ((options.pairing ?? 'grid') === 'grid') {
    const perPair = options.perPair ?? 1;
    for (let i = 0; i < nIdentities; i += 1) {
      for (let j = 0; j < nStyles; j += 1) {
        for (let k = 0; k < perPair; k += 1) {
          if (index >= limit) return;
          const renderSeed = Rng.fromSeed(seed).fork(`render ${i} ${j} ${k}`).seed();
          const sample = emit(i, j, renderSeed);
          if (sample) yield sample;
        }
      }
    }
    return;
  }

  const pairs = Rng.fromSeed(seed).fork('pairs');
  // A split that held-out combinations leave (almost) empty must fail, not spin.
  const attempts = Math.max(1000, limit * 1000);
  for (let attempt = 0; attempt < attempts && index < limit; attempt += 1) {
    const i = pairs.int(nIdentities), j = pairs.int(nStyles), renderSeed = pairs.seed();
    const sample = emit(i, j, renderSeed);
    if (sample) yield sample;
  }
  if (index < limit) {
    throw new RangeError(`expected ${limit} samples of the ${wanted} split, found ${index} in ${attempts} random pairs: the held-out combinations leave too few`);
  }
}
