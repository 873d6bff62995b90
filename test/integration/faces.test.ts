// The face pipeline through a real media host (the compiled dist/ build) with the embedded models on the tfjs
// WebAssembly backend, on real photographs (test/fixtures/faces/PROVENANCE.md): astronaut.jpg is the client,
// camera.png another person, coffee.jpg no face. Variants are made here with sharp.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { DetectedFace, FaceAnalysis } from '../../src-main/common/protocol/media.js';
import { ARCFACE_TEMPLATE } from '../../src-main/media-host/faces/alignment.js';
import { createMediaHost, hostEntry, type MediaHost } from '../../src-main/services/processes/hosts.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'faces');
const astronaut = { path: join(fixtures, 'astronaut.jpg') };
const camera = { path: join(fixtures, 'camera.png') };
const coffee = { path: join(fixtures, 'coffee.jpg') };
const built = existsSync(hostEntry('media'));

const jpeg = async (image: sharp.Sharp) => ({ bytes: new Uint8Array(await image.jpeg({ quality: 92 }).toBuffer()) });
const inside = ([x, y, w, h]: DetectedFace['box'], px: number, py: number) => px >= x && px <= x + w && py >= y && py <= y + h;

function cosine(a: number[], b: number[]): number {
  let dot = 0, na = 0, nb = 0;
  a.forEach((v, i) => ((dot += v * b[i]!), (na += v * v), (nb += b[i]! * b[i]!)));
  return dot / Math.sqrt(na * nb);
}

describe.skipIf(!built)('faces on the embedded models (needs npx tsc -p tsconfig.json)', () => {
  let host: MediaHost;
  let analysis: FaceAnalysis;

  beforeAll(async () => {
    host = createMediaHost({ onOutput: () => undefined });
    await host.start();
    analysis = await host.request('faces.analyze', { source: astronaut, maskSize: 512 });
  });
  afterAll(() => host.stop());

  it('finds the astronaut with landmarks on her eyes, nose and mouth, and says which models ran', () => {
    expect(host.ready?.capabilities.faceModels).toEqual(analysis.models);
    expect(analysis.models.detector).toMatch(/blazeface.*@vladmandic\/human 3\.3\.6/);
    expect([analysis.width, analysis.height]).toEqual([512, 512]);
    expect(analysis.faces).toHaveLength(1);
    const [face] = analysis.faces as [DetectedFace];
    expect(face.score).toBeGreaterThan(0.9);
    const [x, , w] = face.box;
    // The face is in the upper middle of the photo, about 145 px wide (ENVIRONMENT.md §5 measured [152, 49, 145, 145]).
    expect(x + w / 2).toBeGreaterThan(180);
    expect(x + w / 2).toBeLessThan(270);
    expect(w).toBeGreaterThan(100);
    expect(w).toBeLessThan(200);
    const [lx, ly, rx, ry, nx, ny, mlx, mly, mrx, mry] = face.landmarks5 as [number, number, number, number, number, number, number, number, number, number];
    for (let i = 0; i < 10; i += 2) expect(inside(face.box, face.landmarks5[i]!, face.landmarks5[i + 1]!)).toBe(true);
    expect(lx).toBeLessThan(rx); // image-left eye first
    expect(mlx).toBeLessThan(mrx);
    expect(Math.max(ly, ry)).toBeLessThan(ny); // eyes above the nose tip, nose above the mouth
    expect(ny).toBeLessThan(Math.min(mly, mry));
    expect(nx).toBeGreaterThan(lx);
    expect(nx).toBeLessThan(rx);
    expect(rx - lx).toBeGreaterThan(w * 0.2); // eyes a plausible distance apart
    expect(face.embedding).toHaveLength(1024);
    expect(face.model).toBe(analysis.models.detector);
  });

  it('makes a soft mask that covers the face and nothing far from it', () => {
    const mask = analysis.mask!;
    expect([mask.width, mask.height, mask.data.length]).toEqual([512, 512, 512 * 512]);
    const [face] = analysis.faces as [DetectedFace];
    const [x, y, w, h] = face.box;
    let soft = 0, onFace = 0, farOff = 0;
    for (let py = 0; py < 512; py++) {
      for (let px = 0; px < 512; px++) {
        const v = mask.data[py * 512 + px]!;
        if (v > 0 && v < 255) soft++;
        if (v >= 128 && !inside([x - 5, y - 5, w + 10, h + 10], px, py)) farOff++;
      }
    }
    // Every landmark sits well inside the mask; the nose tip at full weight.
    for (let i = 0; i < 10; i += 2) onFace += mask.data[Math.round(face.landmarks5[i + 1]!) * 512 + Math.round(face.landmarks5[i]!)]! >= 200 ? 1 : 0;
    expect(onFace).toBe(5);
    expect(mask.data[Math.round(face.landmarks5[5]!) * 512 + Math.round(face.landmarks5[4]!)]).toBe(255);
    expect(soft).toBeGreaterThan(500); // feathered edge, not a hard cut-out
    expect(farOff).toBe(0);
    let covered = 0;
    for (const v of mask.data) covered += v >= 128 ? 1 : 0;
    // The oval fills a good part of the (square, loose) detection box.
    expect(covered / (w * h)).toBeGreaterThan(0.3);
    expect(covered / (w * h)).toBeLessThan(0.8);
  });

  it('sizes the mask by its longer side and frames it like the upright photo (EXIF rotation applied)', async () => {
    // Stored turned a quarter anticlockwise (384 x 512) with orientation 6, which viewers turn back clockwise.
    const sideways = await sharp(astronaut.path).resize(512, 384, { fit: 'fill' }).rotate(-90).toBuffer();
    const rotated = { bytes: new Uint8Array(await sharp(sideways).jpeg().withMetadata({ orientation: 6 }).toBuffer()) };
    const upright = await host.request('faces.analyze', { source: rotated, maskSize: 256 });
    expect([upright.width, upright.height]).toEqual([512, 384]);
    expect([upright.mask?.width, upright.mask?.height]).toEqual([256, 192]);
    const [face] = upright.faces as [DetectedFace];
    expect(Math.max(face.landmarks5[1]!, face.landmarks5[3]!)).toBeLessThan(Math.min(face.landmarks5[7]!, face.landmarks5[9]!));
  });

  it('finds no face on a cup of coffee', async () => {
    const none = await host.request('faces.analyze', { source: coffee });
    expect(none.faces).toEqual([]);
    expect(none.mask).toBeNull();
  });

  it('scores the same person (mirrored, cropped) above a different person', async () => {
    const [own] = analysis.faces as [DetectedFace];
    const mirrored = await host.request('faces.analyze', { source: await jpeg(sharp(astronaut.path).flop()) });
    const cropped = await host.request('faces.analyze', { source: await jpeg(sharp(astronaut.path).extract({ left: 60, top: 0, width: 400, height: 400 }).resize(640)) });
    const other = await host.request('faces.analyze', { source: camera });
    const score = (a: FaceAnalysis) => cosine(own.embedding!, a.faces[0]!.embedding!);
    expect(score(mirrored)).toBeGreaterThan(0.85);
    expect(score(cropped)).toBeGreaterThan(0.85);
    expect(score(other)).toBeLessThan(0.6);
    const ranking = await host.request('faces.rank', { reference: { embeddings: [own.embedding!] }, candidates: [camera, coffee, { path: astronaut.path }] });
    expect(ranking.ranked.map((r) => r.index)).toEqual([2, 0, 1]);
    expect(ranking.ranked[2]).toMatchObject({ index: 1, score: null, face: null });
    expect(ranking.referenceFaces).toBe(1);
  });

  it('ranks portraits against selfies given as photos', async () => {
    const ranking = await host.request('faces.rank', {
      reference: { sources: [astronaut, await jpeg(sharp(astronaut.path).extract({ left: 40, top: 10, width: 420, height: 420 }))] },
      candidates: [camera, await jpeg(sharp(astronaut.path).flop())],
    });
    expect(ranking.referenceFaces).toBe(2);
    expect(ranking.ranked.map((r) => r.index)).toEqual([1, 0]);
    expect(ranking.ranked[0]!.score!).toBeGreaterThan(ranking.ranked[1]!.score! + 0.3);
  });

  it('aligns the face to the ArcFace 112 x 112 template', async () => {
    const aligned = await host.request('faces.align', { source: astronaut });
    expect([aligned.image.width, aligned.image.height, aligned.image.channels, aligned.image.data.length]).toEqual([112, 112, 3, 112 * 112 * 3]);
    expect(aligned.landmarks5).toEqual(analysis.faces[0]!.landmarks5);
    const [a, nb, tx, b, a2, ty] = aligned.matrix as [number, number, number, number, number, number];
    expect(a2).toBe(a);
    expect(nb).toBe(-b);
    const map = (i: number) => [a * aligned.landmarks5[i]! + nb * aligned.landmarks5[i + 1]! + tx, b * aligned.landmarks5[i]! + a * aligned.landmarks5[i + 1]! + ty];
    // The eyes land within a few pixels of the template's eye positions.
    for (const i of [0, 2]) {
      const [u, v] = map(i) as [number, number];
      expect(Math.hypot(u - ARCFACE_TEMPLATE[i]!, v - ARCFACE_TEMPLATE[i + 1]!)).toBeLessThan(5);
    }
    expect(aligned.residual).toBeLessThan(8);
    // The pixels there are the eyes: darker than the cheek below them.
    const grey = (u: number, v: number) => {
      const k = (Math.round(v) * 112 + Math.round(u)) * 3;
      return (aligned.image.data[k]! + aligned.image.data[k + 1]! + aligned.image.data[k + 2]!) / 3;
    };
    expect(grey(38.3, 51.7)).toBeLessThan(grey(38.3, 66));
    expect(grey(73.5, 51.5)).toBeLessThan(grey(73.5, 66));
  });

  it('aligns at other sizes with caller landmarks, and refuses bad ones', async () => {
    const aligned = await host.request('faces.align', { source: astronaut, landmarks5: analysis.faces[0]!.landmarks5, size: 224 });
    expect([aligned.image.width, aligned.model]).toEqual([224, 'caller landmarks']);
    await expect(host.request('faces.align', { source: astronaut, landmarks5: [1, 2, 3] })).rejects.toMatchObject({
      code: 'E_BAD_ARGUMENT',
      message: 'expected landmarks5 to be an array of 10 to 10 items, received an array of 3',
    });
    await expect(host.request('faces.align', { source: coffee })).rejects.toMatchObject({ code: 'E_BAD_IMAGE' });
  });
});
