// The portrait world's renders: same seed → same bytes (hash committed), masks and landmarks agree with the
// drawing, captions name every attribute and fit CLIP's 77 tokens.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { ClipTokenizer } from '../../native/lib/tokenizer/index.js';
import { cos, sin } from '../../src-main/services/demo-world/exact-math.js';
import {
  ATTRIBUTE_VALUES, captionOf, identityOf, makeDataset, render, Rng, styleOf, WORLD_VERSION, type Sample,
} from '../../src-main/services/demo-world/index.js';
import { randomSamples } from './demo-world-helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function hashOf(samples: Sample[]): string {
  const hash = createHash('sha256');
  for (const s of samples) {
    hash.update(s.rgb).update(s.faceMask).update(JSON.stringify([s.landmarks, s.caption, s.attributes]));
  }
  return hash.digest('hex');
}

describe('determinism', () => {
  // If a change to the world moves these, bump WORLD_VERSION (version.ts) and commit the new hashes.
  const EXPECTED = {
    version: 1,
    size64: '70768682cf2cc4af291e5d3cbedd2ca3c2eabdad57dfa77a7508efac9e5eb6f8',
    size128: '347f1c7aa84c55e67525c1c58caa44c35104bbec70abe410d21a730d00d49fd8',
  };

  it('gives the committed bytes for seed 1 (64 and 128 pixels)', () => {
    const at = (size: number) => hashOf([...makeDataset({ seed: 1, size, identities: 3, styles: 2, perPair: 2 })]);
    expect(WORLD_VERSION).toBe(EXPECTED.version);
    expect({ size64: at(64), size128: at(128) }).toEqual({ size64: EXPECTED.size64, size128: EXPECTED.size128 });
  });

  it('renders the same bytes twice and different bytes for other seeds', () => {
    const a = render(identityOf(5, 0), styleOf(5, 0), { size: 64, seed: 3 });
    const b = render(identityOf(5, 0), styleOf(5, 0), { size: 64, seed: 3 });
    expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb))).toBe(true);
    expect(Buffer.from(a.faceMask).equals(Buffer.from(b.faceMask))).toBe(true);
    const otherPose = render(identityOf(5, 0), styleOf(5, 0), { size: 64, seed: 4 });
    const otherPerson = render(identityOf(6, 0), styleOf(5, 0), { size: 64, seed: 3 });
    const otherStyle = render(identityOf(5, 0), styleOf(6, 0), { size: 64, seed: 3 });
    for (const other of [otherPose, otherPerson, otherStyle]) expect(Buffer.from(other.rgb).equals(Buffer.from(a.rgb))).toBe(false);
  });

  it('draws identical streams from equal seeds, independent streams from forks', () => {
    const a = Rng.fromSeed(42), b = Rng.fromSeed(42), c = Rng.fromSeed(43);
    const xs = Array.from({ length: 8 }, () => a.uint32());
    expect(Array.from({ length: 8 }, () => b.uint32())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.uint32())).not.toEqual(xs);
    // A fork depends on the seed and its label only, not on what was drawn before.
    expect(Rng.fromSeed(42).fork('x').uint32()).toBe(a.fork('x').uint32());
    expect(Rng.fromSeed(42).fork('x').uint32()).not.toBe(Rng.fromSeed(42).fork('y').uint32());
    const mean = Array.from({ length: 20000 }, () => c.float()).reduce((s, v) => s + v, 0) / 20000;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(() => Rng.fromSeed(1.5)).toThrow(/integer seed/);
  });

  it('uses trigonometry of its own that matches Math within 1e-9', () => {
    for (let x = -7; x <= 7; x += 0.37) {
      expect(Math.abs(sin(x) - Math.sin(x))).toBeLessThan(1e-9);
      expect(Math.abs(cos(x) - Math.cos(x))).toBeLessThan(1e-9);
    }
  });

  it('refuses sizes that are not multiples of 8', () => {
    expect(() => render(identityOf(1, 0), styleOf(1, 0), { size: 60 })).toThrow(/multiple of 8/);
  });
});

describe('landmarks and face mask', () => {
  const samples = [...randomSamples(40, 64, 21), ...randomSamples(40, 128, 22)];
  const maskAt = (s: Sample, x: number, y: number) => s.faceMask[Math.round(y) * s.width + Math.round(x)] as number;

  it('puts all five landmarks inside the face mask', () => {
    for (const s of samples) {
      for (let k = 0; k < 5; k += 1) expect(maskAt(s, s.landmarks[2 * k] as number, s.landmarks[2 * k + 1] as number)).toBeGreaterThan(200);
    }
  });

  it('orders the landmarks anatomically once the roll is undone', () => {
    for (const s of samples) {
      const c = Math.cos(-s.pose.roll), si = Math.sin(-s.pose.roll);
      const p = [0, 1, 2, 3, 4].map((k) => {
        const x = s.landmarks[2 * k] as number, y = s.landmarks[2 * k + 1] as number;
        return { x: c * x - si * y, y: si * x + c * y };
      });
      const [le, re, nose, lm, rm] = p as [typeof p[0], typeof p[0], typeof p[0], typeof p[0], typeof p[0]];
      expect(le.x).toBeLessThan(re.x);
      expect(lm.x).toBeLessThan(rm.x);
      expect(Math.max(le.y, re.y)).toBeLessThan(nose.y);
      expect(nose.y).toBeLessThan(Math.min(lm.y, rm.y));
      expect(Math.abs(le.y - re.y)).toBeLessThan(0.02 * s.height);
    }
  });

  it('makes a soft mask: full inside the face, empty on background, graded only along its edge', () => {
    for (const s of samples) {
      const { width: w, height: h, faceMask: m } = s;
      let full = 0, partial = 0, hardSteps = 0;
      for (let y = 0; y < h; y += 1) {
        for (let x = 0; x < w; x += 1) {
          const v = m[y * w + x] as number;
          if (v === 255) full += 1;
          else if (v > 0) partial += 1;
          if (x + 1 < w && Math.abs(v - (m[y * w + x + 1] as number)) === 255) hardSteps += 1;
        }
      }
      // The face covers a sizeable area at every framing, with an anti-aliased rim all round it.
      expect(full / (w * h)).toBeGreaterThan(0.04);
      expect(partial).toBeGreaterThan(2 * Math.sqrt(full));
      expect(hardSteps).toBeLessThan(0.1 * partial);
      for (const [x, y] of [[0, 0], [w - 1, 0], [0, h - 1], [w - 1, h - 1], [w / 2, h - 1]]) expect(maskAt(s, x as number, y as number)).toBe(0);
    }
  });

  it('leaves hair out of the mask: the crown above the eyes is never face', () => {
    for (const s of samples) {
      const [lx, ly, rx, ry] = s.landmarks as [number, number, number, number];
      const mx = (lx + rx) / 2, my = (ly + ry) / 2, eyeGap = Math.hypot(rx - lx, ry - ly);
      // Roughly 1.4 face half-heights above the eyes, along the face's own up direction: hair for every style.
      const up = { x: (ry - ly) / eyeGap, y: -(rx - lx) / eyeGap };
      expect(maskAt(s, mx + up.x * 1.25 * eyeGap, my + up.y * 1.25 * eyeGap)).toBe(0);
    }
  });
});

describe('captions', () => {
  const samples = randomSamples(200, 16, 31);

  it('name every attribute of the sample (glasses only when worn)', () => {
    const words: Record<string, (v: string) => string> = {
      faceShape: (v) => (v === 'heart' ? 'heart-shaped face' : `${v} face`),
      skinTone: (v) => `${v} skin`,
      eyeShape: (v) => `${v} eyes`,
      nose: (v) => `${v} nose`,
      mouth: (v) => (v === 'full' ? 'full lips' : `${v} mouth`),
      hairStyle: (v) => ({ short: 'short', long: 'long', bob: 'bob', curly: 'curly', bun: 'in a bun', buzz: 'buzz cut' })[v] as string,
      backgroundPattern: (v) => (v === 'dotted' ? 'polka-dot' : v),
      lightDirection: (v) => (v === 'front' ? 'frontal light' : v === 'above' ? 'from above' : `from the ${v}`),
      lightStrength: (v) => `${v} `,
      headTurn: (v) => (v === 'front' ? 'facing the camera' : `turned to the ${v}`),
    };
    for (const s of samples) {
      const a = s.attributes;
      for (const name of Object.keys(ATTRIBUTE_VALUES) as (keyof typeof a)[]) {
        const value = a[name];
        if (name === 'glasses') {
          expect(s.caption.includes('glasses')).toBe(value !== 'none');
          if (value !== 'none') expect(s.caption).toContain(`${value} glasses`);
          continue;
        }
        const phrase = words[name]?.(value) ?? value;
        expect(s.caption, `${name}=${value}`).toContain(phrase);
      }
      expect(s.caption).toMatch(new RegExp(`${a.eyeColor} ${a.eyeShape} eyes`));
      expect(s.caption).toMatch(new RegExp(`wearing an? ${a.clothingColor} ${a.clothingType}`));
      expect(s.caption).toMatch(new RegExp(`in front of an? \\S+ ${a.backgroundColor} background`));
      expect(s.caption.startsWith(a.framing === 'close-up' ? 'a close-up photo of a ' : 'a portrait photo of a ')).toBe(true);
    }
  });

  it('fit in CLIP’s 77 tokens, start and end tokens included', () => {
    const dir = join(ROOT, 'assets', 'clip-tokenizer');
    const tokenizer = ClipTokenizer.fromFiles(join(dir, 'vocab.json'), join(dir, 'merges.txt'));
    const longest = Math.max(...samples.map((s) => tokenizer.encode(s.caption, { padding: false, truncation: false }).length));
    expect(longest).toBeLessThanOrEqual(77);
  });

  it('give partial captions for partial records', () => {
    expect(captionOf({ hairColor: 'red', backgroundColor: 'green' })).toBe('a photo of a person with red hair, in front of a green background');
    expect(captionOf({ gender: 'woman', hairStyle: 'bob', hairColor: 'blonde', lightDirection: 'left', lightStrength: 'soft' }))
      .toBe('a photo of a woman with a blonde bob, soft light from the left');
    expect(captionOf({})).toBe('a photo of a person');
  });
});
