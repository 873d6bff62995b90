// Pre-flight on a realistic bad selfie set through the real media host: a good photo, a re-encoded duplicate of
// it, a blurred photo, a photo without a face, a different person and an unreadable file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { PreflightReport } from '../../src-main/common/protocol/media.js';
import { createMediaHost, hostEntry, type MediaHost } from '../../src-main/services/processes/hosts.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'faces');
const astronaut = join(fixtures, 'astronaut.jpg');
const built = existsSync(hostEntry('media'));
const bytes = async (image: sharp.Sharp) => ({ bytes: new Uint8Array(await image.jpeg({ quality: 90 }).toBuffer()) });

describe.skipIf(!built)('faces.preflight (needs npx tsc -p tsconfig.json)', () => {
  let host: MediaHost;
  let report: PreflightReport;
  const progress: number[] = [];

  beforeAll(async () => {
    host = createMediaHost({ onOutput: () => undefined });
    await host.start();
    const sources = [
      { path: astronaut },
      await bytes(sharp(astronaut).flop().extract({ left: 40, top: 20, width: 440, height: 440 }).resize(600)),
      await bytes(sharp(astronaut).resize(400)), // the first photo again, smaller and re-encoded
      await bytes(sharp(astronaut).extract({ left: 60, top: 0, width: 400, height: 400 }).blur(2.5)),
      { path: join(fixtures, 'coffee.jpg') },
      { path: join(fixtures, 'camera.png') },
      { bytes: new Uint8Array(Buffer.from('not a photo at all')) },
    ];
    report = await host.request('faces.preflight', { sources }, { onProgress: (p) => progress.push(p.done) });
  });
  afterAll(() => host.stop());

  const codes = (i: number) => report.photos[i]!.issues.map((issue) => issue.code).sort();

  it('passes a good photo and reports its measurements', () => {
    const good = report.photos[0]!;
    expect(codes(0)).toEqual([]);
    expect(good).toMatchObject({ index: 0, ok: true, width: 512, height: 512, faceCount: 1, duplicateOf: null });
    expect(good.faceSize!).toBeGreaterThan(0.2);
    expect(good.sharpness!).toBeGreaterThan(100);
    expect(good.identity!).toBeGreaterThan(0.7); // the median over the others: three astronauts (one blurred), one cameraman
    expect(codes(1)).toEqual([]);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('flags the duplicate, the blurred photo and the low resolution with advice', () => {
    expect(codes(2)).toEqual(['duplicate', 'low-resolution']);
    expect(report.photos[2]!.duplicateOf).toBe(0);
    expect(report.photos[2]!.issues.find((i) => i.code === 'duplicate')!.message).toMatch(/same photo as photo 1/);
    expect(codes(3)).toContain('blurry');
    expect(report.photos[3]!.sharpness!).toBeLessThan(30);
    expect(report.photos[3]!.ok).toBe(true); // a warning: it can train, badly
  });

  it('fails the photo without a face and the unreadable file, and doubts the different person', () => {
    expect(report.photos[4]).toMatchObject({ ok: false, face: null, faceCount: 0 });
    expect(codes(4)).toEqual(['no-face']);
    expect(report.photos[4]!.issues[0]!.message).toMatch(/No face was found/);
    expect(codes(5)).toEqual(['different-person']);
    expect(report.photos[5]!.identity!).toBeLessThan(0.6);
    expect(report.photos[6]).toMatchObject({ ok: false, issues: [{ code: 'unreadable', severity: 'error' }] });
    expect(report.models.embedding).toMatch(/faceres/);
  });
});
