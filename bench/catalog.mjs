#!/usr/bin/env node
// Catalog and thumbnailer timings (not a test; DESIGN.md §6: timing goals live in bench/).
//  1. Seeds a fresh catalog with 10,000 generations across 50 clients (uneven: a few large projects, many small
//     ones, a year of dates, realistic verdict rates) and times the gallery's list/filter/sort queries through
//     the repository (row mapping included). Median of many runs after a warm-up; goal < 5 ms each.
//  2. Thumbnail throughput of the library's thumbnailer against plain sharp doing the same resize on the same
//     JPEGs, interleaved; goal: ratio >= 0.9.
// Run: npx tsc -p tsconfig.json && node bench/catalog.mjs [--generations 10000] [--runs 200] [--images 12] [--plans]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

import sharp from 'sharp';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const QUERY_GOAL_MS = 5;
const THUMBNAIL_GOAL = 0.9;

const { values: opt } = parseArgs({
  options: {
    generations: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '50' },
    runs: { type: 'string', default: '200' },
    images: { type: 'string', default: '12' },
    rounds: { type: 'string', default: '9' },
    plans: { type: 'boolean', default: false },
  },
});

async function load(path) {
  try {
    return await import(pathToFileURL(join(repo, 'dist', path)).href);
  } catch (error) {
    console.error(`bench/catalog.mjs imports the compiled services (dist/${path}): run \`npx tsc -p tsconfig.json\` first.\n${error.message}`);
    process.exit(1);
  }
}

const { openCatalog } = await load('src-main/services/catalog/index.js');
const { makeThumbnail } = await load('src-main/services/library/thumbnailer.js');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const pad = (value, width, right = false) => (right ? String(value).padEnd(width) : String(value).padStart(width));

/** A deterministic generator, so every run seeds the same catalog. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function seed(catalog, generations, clients) {
  const rand = random(42);
  const hex = (n) => Array.from({ length: 64 }, (_, i) => ((n * 2654435761 + i * 40503) >>> (i % 24)) % 16).map((d) => d.toString(16)).join('');
  const projects = [];
  catalog.transaction(() => {
    for (let c = 0; c < clients; c++) {
      const client = catalog.clients.create({ name: `Client ${c}` });
      for (let p = 0; p < 2; p++) projects.push(catalog.projects.create({ clientId: client.id, name: `Project ${p}` }));
    }
  });
  // Skewed: the first few projects are big (busy clients), most are small.
  const weights = projects.map((_, i) => 1 / (i + 1) ** 0.8);
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let r = rand() * total;
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]) <= 0) return projects[i];
    return projects.at(-1);
  };
  const start = Date.UTC(2025, 0, 1);
  const year = 365 * 24 * 3600 * 1000;
  const recipe = { baseModelHash: 'a'.repeat(64), prompt: 'A photo of a <sks> person with style <style1>', seed: 1, sampler: 'euler_a', steps: 30, cfg: 7.5, loraScales: { unet: 1 } };
  const started = performance.now();
  catalog.transaction(() => {
    for (let i = 0; i < generations; i++) {
      const sha256 = hex(i + 1);
      catalog.blobs.record({ sha256, size: 1000, mediaType: 'image/png' });
      const [g] = catalog.generations.createMany(
        [{ projectId: pick().id, imageBlob: sha256, width: 512, height: 512, recipe: { ...recipe, seed: i } }],
        start + Math.floor(rand() * year),
      );
      const r = rand();
      if (r < 0.35) {
        catalog.reviews.review(g.id, { rating: 1 + Math.floor(rand() * 5), ...(r < 0.1 ? { favourite: true } : r < 0.15 ? { rejected: true } : r < 0.18 ? { picked: true } : {}) });
      }
    }
  });
  return { projects, seconds: (performance.now() - started) / 1000 };
}

function benchQueries(catalog, projects, runs) {
  const big = projects[0];
  const small = projects[projects.length - 1];
  const client = big.clientId;
  const cases = [
    ['project gallery, newest 100 (largest project)', { projectId: big.id }],
    ['project gallery, newest 100 (small project)', { projectId: small.id }],
    ['project favourites', { projectId: big.id, favourite: true }],
    ['project, 4+ stars by rating', { projectId: big.id, minRating: 4, sort: 'rating' }],
    ['client, by rating', { clientId: client, sort: 'rating' }],
    ['client proofing picks', { clientId: client, picked: true, rejected: false }],
    ['all, newest 100', {}],
    ['all, oldest 100', { sort: 'oldest' }],
    ['all favourites, newest', { favourite: true }],
    ['all rejected', { rejected: true }],
    ['all 4+ stars by rating', { minRating: 4, sort: 'rating' }],
    ['all, page at offset 5000', { offset: 5000 }],
  ];
  const rows = [];
  for (const [name, query] of cases) {
    for (let i = 0; i < 20; i++) catalog.generations.list(query);
    const times = [];
    let count = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      count = catalog.generations.list(query).length;
      times.push(performance.now() - t0);
    }
    rows.push({ name, rows: count, median: median(times), p95: p95(times), query });
  }
  for (const [name, query] of [['count, project', { projectId: big.id }], ['count, all rejected', { rejected: true }], ['count, client favourites', { clientId: client, favourite: true }]]) {
    const times = [];
    let count = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      count = catalog.generations.count(query);
      times.push(performance.now() - t0);
    }
    rows.push({ name, rows: count, median: median(times), p95: p95(times), query, counting: true });
  }
  return rows;
}

function plans(catalog, rows) {
  for (const row of rows) {
    const { where, values } = catalog.generations['checkQuery'](row.query);
    const order = { newest: 'created_at DESC, id DESC', oldest: 'created_at, id', rating: 'rating DESC NULLS LAST, created_at DESC, id DESC' }[row.query.sort ?? 'newest'];
    const sql = row.counting ? `SELECT count(*) FROM generations${where}` : `SELECT * FROM generations${where} ORDER BY ${order} LIMIT 100`;
    const plan = catalog.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values).map((p) => p.detail).join(' | ');
    console.log(`  ${row.name}: ${plan}`);
  }
}

async function benchThumbnails(count, rounds) {
  const rand = random(7);
  const images = [];
  for (let i = 0; i < count; i++) {
    // 6 MP JPEGs of noise (hard on the decoder, like a detailed photo), every third EXIF-rotated.
    const width = 3000;
    const height = 2000;
    const base = sharp({ create: { width, height, channels: 3, noise: { type: 'gaussian', mean: 120 + 20 * rand(), sigma: 25 } } });
    const jpeg = await base.jpeg({ quality: 90 }).withMetadata({ orientation: i % 3 === 0 ? 6 : 1 }).toBuffer();
    images.push(jpeg);
  }
  const plain = (input) => sharp(input).rotate().resize(256, 256, { fit: 'inside' }).webp({ quality: 80 }).toBuffer();
  const ours = (input) => makeThumbnail(input);
  const elapsed = async (fn, image) => {
    const t0 = performance.now();
    await fn(image);
    return (performance.now() - t0) / 1000;
  };
  for (const image of images) await Promise.all([plain(image), ours(image)]);
  const results = { plain: [], ours: [] };
  for (let r = 0; r < rounds; r++) {
    // Interleaved per image and alternating who goes first, so load from other processes hits both sides.
    let [plainTotal, oursTotal] = [0, 0];
    for (const [i, image] of images.entries()) {
      if ((i + r) % 2 === 0) {
        plainTotal += await elapsed(plain, image);
        oursTotal += await elapsed(ours, image);
      } else {
        oursTotal += await elapsed(ours, image);
        plainTotal += await elapsed(plain, image);
      }
    }
    results.plain.push(plainTotal);
    results.ours.push(oursTotal);
  }
  const ratios = results.plain.map((plainTotal, r) => plainTotal / results.ours[r]);
  return { images: count, plain: count / median(results.plain), ours: count / median(results.ours), ratio: median(ratios) };
}

const dir = mkdtempSync(join(tmpdir(), 'magicapture-bench-catalog-'));
try {
  const catalog = openCatalog(join(dir, 'catalog.sqlite'));
  const generations = Number(opt.generations);
  const { projects, seconds } = seed(catalog, generations, Number(opt.clients));
  catalog.db.pragma('optimize');
  console.log(`Seeded ${generations} generations across ${opt.clients} clients / ${projects.length} projects in ${seconds.toFixed(2)} s (schema v${catalog.schemaVersion}).`);
  const rows = benchQueries(catalog, projects, Number(opt.runs));
  console.log(`\nGallery queries (median and p95 of ${opt.runs} runs, goal < ${QUERY_GOAL_MS} ms)`);
  console.log(`${pad('query', 48, true)} ${pad('rows', 6)} ${pad('median ms', 10)} ${pad('p95 ms', 8)}  goal`);
  for (const row of rows) {
    console.log(`${pad(row.name, 48, true)} ${pad(row.rows, 6)} ${pad(row.median.toFixed(3), 10)} ${pad(row.p95.toFixed(3), 8)}  ${row.median < QUERY_GOAL_MS ? 'ok' : 'MISSED'}`);
  }
  if (opt.plans) {
    console.log('\nQuery plans');
    plans(catalog, rows);
  }
  catalog.close();

  const thumbs = await benchThumbnails(Number(opt.images), Number(opt.rounds));
  const { ratio } = thumbs;
  console.log(`\nThumbnails, ${thumbs.images} JPEGs 3000x2000 -> 256 px WebP (median of ${opt.rounds} rounds interleaved per image, goal ratio >= ${THUMBNAIL_GOAL})`);
  console.log(`${pad('thumbnailer', 28, true)} ${pad('images/s', 9)}`);
  console.log(`${pad('plain sharp', 28, true)} ${pad(thumbs.plain.toFixed(1), 9)}`);
  console.log(`${pad('library makeThumbnail', 28, true)} ${pad(thumbs.ours.toFixed(1), 9)}`);
  console.log(`${pad('ratio library/plain (median)', 28, true)} ${pad(ratio.toFixed(2), 9)}  ${ratio >= THUMBNAIL_GOAL ? 'ok' : 'MISSED'}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
