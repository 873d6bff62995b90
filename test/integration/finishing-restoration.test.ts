// Paste-back of restored faces with stand-in restorers (the ONNX CodeFormer/GFPGAN restorers plug into the same
// interface once the model manager installs them): a restorer that changes nothing must leave the photo as it
// was, a flat red one must land exactly on the face with a feathered edge and nowhere else.
import { join } from 'node:path';

import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';

import type { Pixels } from '../../src-main/common/protocol/media.js';
import { type FaceRestorer, restoreFaces } from '../../src-main/media-host/finishing/restoration.js';

/** astronaut.jpg's eyes, nose tip and mouth corners, as faces.analyze reports them. */
const LANDMARKS = [204, 100, 246, 103, 223, 130, 201, 138, 245, 140];
const NOSE = [223, 130] as const;

const restorer = (name: string, restore: (face: Pixels) => Pixels): FaceRestorer => ({ name, size: 512, restore: async (face) => restore(face) });
const red = restorer('flat red', (face) => ({ ...face, data: new Uint8Array(face.data.length).map((_, i) => (i % 3 === 0 ? 255 : 0)) }));

describe('face restoration paste-back', () => {
  let photo: Pixels;
  beforeAll(async () => {
    const data = await sharp(join(import.meta.dirname, '..', 'fixtures', 'faces', 'astronaut.jpg')).raw().toBuffer();
    photo = { data: new Uint8Array(data), width: 512, height: 512, channels: 3 };
  });
  const px = (image: Pixels, x: number, y: number) => [...image.data.subarray((y * 512 + x) * 3, (y * 512 + x) * 3 + 3)];

  it('leaves the photo as it was when the restorer changes nothing', async () => {
    const same = await restoreFaces(photo, [LANDMARKS], restorer('identity', (face) => face), { fidelity: 0.5 });
    let sum = 0, max = 0;
    for (let i = 0; i < same.data.length; i++) {
      const d = Math.abs(same.data[i]! - photo.data[i]!);
      sum += d;
      max = Math.max(max, d);
    }
    // Two bilinear resamplings (into the 512 crop and back) soften a little; nothing moves.
    // Measured: mean 0.09, max 27 (at the sharpest edges, inside the face crop).
    expect(sum / same.data.length).toBeLessThan(0.5);
    expect(max).toBeLessThan(40);
    expect(px(same, 5, 5)).toEqual(px(photo, 5, 5));
    expect(photo.data).not.toBe(same.data);
  });

  it('puts the restored face exactly on the face, feathered, and nothing elsewhere', async () => {
    const painted = await restoreFaces(photo, [LANDMARKS], red, { fidelity: 0.5 });
    expect(px(painted, NOSE[0], NOSE[1])).toEqual([255, 0, 0]);
    expect(px(painted, 5, 5)).toEqual(px(photo, 5, 5));
    expect(px(painted, 500, 500)).toEqual(px(photo, 500, 500));
    // Walking right from the nose, the red fades out over several pixels instead of stopping at a hard edge.
    const row = Array.from({ length: 200 }, (_, i) => px(painted, NOSE[0] + i, NOSE[1]));
    const partial = row.filter(([r, g], i) => r! < 255 && r! > 0 && g !== px(photo, NOSE[0] + i, NOSE[1])[1]);
    expect(partial.length).toBeGreaterThan(3);
    const half = await restoreFaces(photo, [LANDMARKS], red, { fidelity: 0.5, strength: 0.5 });
    const [r, g, b] = px(photo, NOSE[0], NOSE[1]) as [number, number, number];
    expect(px(half, NOSE[0], NOSE[1])).toEqual([Math.round((r + 255) / 2), Math.round(g / 2), Math.round(b / 2)]);
  });

  it('refuses a restorer that returns the wrong size', async () => {
    const wrong = restorer('broken', (face) => ({ ...face, width: 256, height: 256, data: face.data.subarray(0, 256 * 256 * 3) }));
    await expect(restoreFaces(photo, [LANDMARKS], wrong, { fidelity: 0.5 })).rejects.toThrow('expected broken to return 512 x 512, received 256 x 256');
  });
});
