// Identity and style are separable: one person in many styles stays the same face, one style on many people
// keeps its backdrop, garment and light.
import { describe, expect, it } from 'vitest';

import {
  faceCrop, faceDistance, identityOf, IDENTITY_ATTRIBUTES, render, styleOf, STYLE_ATTRIBUTES, type Sample,
} from '../../src-main/services/demo-world/index.js';

const crop = (s: Sample) => faceCrop({ rgb: s.rgb, width: s.width, height: s.height }, s.landmarks);

describe('identity across styles', () => {
  for (const size of [64, 128]) {
    it(`keeps a person's relit face closer to itself in another style than to another person in the same style (${size} px)`, () => {
      const same: number[] = [], other: number[] = [];
      let wins = 0;
      const trials = 40;
      for (let t = 0; t < trials; t += 1) {
        const a = identityOf(71, 2 * t), b = identityOf(71, 2 * t + 1);
        const s = styleOf(72, 2 * t), u = styleOf(72, 2 * t + 1);
        const as = crop(render(a, s, { size, seed: t })), au = crop(render(a, u, { size, seed: t + 1000 }));
        const bs = crop(render(b, s, { size, seed: t }));
        same.push(faceDistance(as, au));
        other.push(faceDistance(as, bs));
        if ((same[t] as number) < (other[t] as number)) wins += 1;
      }
      const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
      // Lookalikes exist (same skin tone, eye colour and glasses), so a few trials may tie; on average the
      // style moves a face far less than a change of person does.
      expect(wins / trials).toBeGreaterThanOrEqual(0.9);
      expect(mean(same)).toBeLessThan(0.4 * mean(other));
    });
  }

  it('carries the identity attributes unchanged into every style, and the style attributes into every person', () => {
    const person = identityOf(3, 0), look = styleOf(3, 0);
    for (let i = 1; i < 6; i += 1) {
      const inStyle = render(person, styleOf(3, i), { size: 16 });
      const onPerson = render(identityOf(3, i), look, { size: 16 });
      for (const name of IDENTITY_ATTRIBUTES) expect(inStyle.attributes[name]).toBe(person.traits[name]);
      for (const name of STYLE_ATTRIBUTES) expect(onPerson.attributes[name]).toBe(look.traits[name]);
    }
  });
});

describe('style across people', () => {
  it('paints the same backdrop strips and garment band, pixel for pixel, on different people', () => {
    for (const size of [64, 128]) {
      for (let k = 0; k < 6; k += 1) {
        const look = styleOf(81, k);
        const renders = [0, 1, 2].map((i) => render(identityOf(82, 3 * k + i), look, { size, seed: k }));
        const region = (s: Sample) => {
          const out: number[] = [];
          for (let y = 0; y < size; y += 1) {
            for (let x = 0; x < size; x += 1) {
              const strip = y < 0.58 * size && (x < 0.1 * size || x >= 0.9 * size);
              const band = y >= 0.88 * size && y < 0.98 * size && Math.abs(x + 0.5 - size / 2) >= 0.14 * size && Math.abs(x + 0.5 - size / 2) < 0.26 * size;
              if (strip || band) out.push(...s.rgb.subarray((y * size + x) * 3, (y * size + x) * 3 + 3));
            }
          }
          return Buffer.from(out);
        };
        const first = region(renders[0] as Sample);
        for (const r of renders.slice(1)) expect(region(r).equals(first)).toBe(true);
      }
    }
  });
});
