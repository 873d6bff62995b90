#!/usr/bin/env node
// Writes a portrait-world dataset folder: images/NNNNNN.png (RGB), masks/NNNNNN.png (face mask, 8-bit grey),
// metadata.jsonl (one line per image: caption, landmarks, attributes, identity, style, pose, split) and
// world.json (generator version and the options, so the folder can be made again byte for byte).
// Runs the compiled generator: build first with `npx tsc -p tsconfig.json`.
//
//   node scripts/make-world.mjs --seed 1 --size 128 --count 200 --out DIR
//   node scripts/make-world.mjs --seed 1 --size 64 --identities 20 --styles 10 --per-pair 2 --out DIR \
//     --held-out hairColor=red,backgroundColor=green --held-out glasses=round --split train
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import sharp from 'sharp';

const USAGE = `usage: node scripts/make-world.mjs --seed N --size 64|128 --out DIR
       (--count N | --identities N --styles N [--per-pair N] [--count N])
       [--held-out name=value,name=value]... [--split train|heldout|all]`;

function fail(message) {
  console.error(`make-world: ${message}\n${USAGE}`);
  process.exit(2);
}

function wholeNumber(value, flag, min) {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || (min !== undefined && n < min)) {
    fail(`expected ${flag} to be ${min === undefined ? 'an integer' : `a whole number of at least ${min}`}, received ${JSON.stringify(value)}`);
  }
  return n;
}

const world = await import('../dist/src-main/services/demo-world/index.js').catch((error) =>
  fail(`cannot load the compiled generator (${error.message}); build it first: npx tsc -p tsconfig.json`),
);

let args;
try {
  args = parseArgs({
    options: {
      seed: { type: 'string' },
      size: { type: 'string', default: '128' },
      count: { type: 'string' },
      identities: { type: 'string' },
      styles: { type: 'string' },
      'per-pair': { type: 'string' },
      'held-out': { type: 'string', multiple: true, default: [] },
      split: { type: 'string', default: 'train' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
} catch (error) {
  fail(error.message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (args.seed === undefined) fail('expected --seed, received none');
if (args.out === undefined) fail('expected --out DIR, received none');
if (!['train', 'heldout', 'all'].includes(args.split)) fail(`expected --split train, heldout or all, received ${args.split}`);
const grid = args.identities !== undefined || args.styles !== undefined;
if (grid && (args.identities === undefined || args.styles === undefined)) fail('expected both --identities and --styles, received one');
if (!grid && args.count === undefined) fail('expected --count, or --identities with --styles, received neither');

const heldOut = args['held-out'].map((text) => {
  const combination = {};
  for (const pair of text.split(',')) {
    const [name, value, extra] = pair.split('=');
    if (!name || !value || extra !== undefined) fail(`expected --held-out as name=value pairs joined by commas, received ${JSON.stringify(text)}`);
    combination[name.trim()] = value.trim();
  }
  try {
    return world.checkPartialAttributes(combination, '--held-out');
  } catch (error) {
    return fail(error.message);
  }
});

const count = args.count === undefined ? undefined : wholeNumber(args.count, '--count', 1);
const options = {
  seed: wholeNumber(args.seed, '--seed'),
  size: wholeNumber(args.size, '--size', 16),
  identities: grid ? wholeNumber(args.identities, '--identities', 1) : count,
  styles: grid ? wholeNumber(args.styles, '--styles', 1) : count,
  pairing: grid ? 'grid' : 'random',
  ...(grid && args['per-pair'] !== undefined ? { perPair: wholeNumber(args['per-pair'], '--per-pair', 1) } : {}),
  ...(count === undefined ? {} : { count }),
  heldOut,
  split: args.split,
};

const out = args.out;
mkdirSync(join(out, 'images'), { recursive: true });
mkdirSync(join(out, 'masks'), { recursive: true });
const lines = [];
const started = Date.now();
try {
  for (const sample of world.makeDataset(options)) {
    const name = String(sample.index).padStart(6, '0');
    const { width, height } = sample;
    await sharp(Buffer.from(sample.rgb), { raw: { width, height, channels: 3 } }).png().toFile(join(out, 'images', `${name}.png`));
    await sharp(Buffer.from(sample.faceMask), { raw: { width, height, channels: 1 } }).png().toFile(join(out, 'masks', `${name}.png`));
    // recordOf keeps everything but the pixels: index, identityIndex, styleIndex and split included.
    lines.push(JSON.stringify({ file: `images/${name}.png`, mask: `masks/${name}.png`, ...world.recordOf(sample) }));
  }
} catch (error) {
  fail(error.message);
}
writeFileSync(join(out, 'metadata.jsonl'), lines.length > 0 ? `${lines.join('\n')}\n` : '');
writeFileSync(join(out, 'world.json'), `${JSON.stringify({ generator: 'magicapture-demo-world', version: world.WORLD_VERSION, options }, null, 2)}\n`);
console.log(`make-world: ${lines.length} images in ${out} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
