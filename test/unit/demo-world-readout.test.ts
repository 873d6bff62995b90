// The read-outs recover the attributes of the world's own pictures (≥ 95 % of them over 200 random samples) and
// keep doing so under noise, blur, small shifts and imprecise landmarks.
import { describe, expect, it } from 'vitest';

import { readAttributes, type ReadAttributes, type Sample } from '../../src-main/services/demo-world/index.js';
import { blurred, jittered, pictureOf, randomSamples, shifted, withNoise, type Picture } from './demo-world-helpers.js';

interface Score {
  correct: number;
  total: number;
  byAttribute: Record<string, [number, number]>;
}

function score(samples: Sample[], perturb: (p: Picture, i: number) => Picture, useLandmarks = true): Score {
  const result: Score = { correct: 0, total: 0, byAttribute: {} };
  samples.forEach((s, i) => {
    const p = perturb(pictureOf(s), i);
    const read: ReadAttributes = readAttributes(p, useLandmarks ? { landmarks: p.landmarks } : {});
    for (const [name, value] of Object.entries(read)) {
      const ok = s.attributes[name as keyof Sample['attributes']] === value;
      const entry = (result.byAttribute[name] ??= [0, 0]);
      entry[0] += ok ? 1 : 0;
      entry[1] += 1;
      result.correct += ok ? 1 : 0;
      result.total += 1;
    }
  });
  return result;
}

function expectRecognised(s: Score, overall: number, each: number): void {
  const rates = Object.fromEntries(Object.entries(s.byAttribute).map(([k, [c, t]]) => [k, c / t]));
  expect(s.correct / s.total, JSON.stringify(rates)).toBeGreaterThanOrEqual(overall);
  for (const [name, rate] of Object.entries(rates)) expect(rate, name).toBeGreaterThanOrEqual(each);
}

const at64 = randomSamples(200, 64, 91);
const at128 = randomSamples(200, 128, 92);
const identity = (p: Picture) => p;

describe('read-outs on clean renders', () => {
  it('recognise ≥ 95 % of every attribute at 128 pixels (eye colour included)', () => {
    const s = score(at128, identity);
    expect(Object.keys(s.byAttribute)).toContain('eyeColor');
    expectRecognised(s, 0.98, 0.95);
  });

  it('recognise ≥ 95 % of every attribute at 64 pixels (eye colour only in close-ups, where the iris is big enough)', () => {
    const s = score(at64, identity);
    expect(s.byAttribute['eyeColor']?.[1] ?? 0).toBeLessThan(at64.filter((x) => x.attributes.framing === 'close-up').length);
    expectRecognised(s, 0.98, 0.95);
  });

  it('read backdrop, garment and hair colour without landmarks', () => {
    const s = score(at128, identity, false);
    expect(Object.keys(s.byAttribute).sort()).toEqual(['backgroundColor', 'backgroundPattern', 'clothingColor', 'hairColor']);
    expectRecognised(s, 0.95, 0.9);
  });
});

describe('read-outs on perturbed renders', () => {
  const first = (n: number, samples: Sample[]) => samples.slice(0, n);

  it('survive noise of σ = 6 levels', () => {
    expectRecognised(score(first(100, at64), (p, i) => withNoise(p, 6, i)), 0.97, 0.93);
    expectRecognised(score(first(100, at128), (p, i) => withNoise(p, 6, i)), 0.97, 0.93);
  });

  it('survive a slight blur', () => {
    expectRecognised(score(first(100, at64), blurred), 0.97, 0.93);
    expectRecognised(score(first(100, at128), blurred), 0.97, 0.93);
  });

  it('survive shifts of up to 2 pixels (landmarks moved along)', () => {
    const moves = [[2, 0], [-2, 1], [1, -2], [0, 2]] as const;
    expectRecognised(score(first(100, at64), (p, i) => shifted(p, ...(moves[i % 4] as [number, number]))), 0.97, 0.93);
  });

  it('survive landmarks off by up to a pixel, as a detector’s may be', () => {
    expectRecognised(score(first(100, at128), (p, i) => jittered(p, 1, i)), 0.97, 0.93);
  });
});
