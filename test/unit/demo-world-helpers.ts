// Shared by the demo-world tests: random samples, and the perturbations the read-outs must survive.
import { identityOf, render, Rng, styleOf, type Sample } from '../../src-main/services/demo-world/index.js';

/** n samples, each a fresh person in a fresh style, at the given size. */
export function randomSamples(n: number, size: number, seed: number): Sample[] {
  return Array.from({ length: n }, (_, i) => render(identityOf(seed, i), styleOf(seed, i), { size, seed: i }));
}

export interface Picture {
  rgb: Uint8Array;
  width: number;
  height: number;
  landmarks: number[];
}

export const pictureOf = (s: Sample): Picture => ({ rgb: s.rgb, width: s.width, height: s.height, landmarks: s.landmarks });

/** Gaussian-ish noise (sum of four uniforms) of standard deviation sigma, per channel, seeded. */
export function withNoise(p: Picture, sigma: number, seed: number): Picture {
  const rng = Rng.fromSeed(seed);
  const scale = sigma * Math.sqrt(3);
  const rgb = p.rgb.map((v) => {
    const n = (rng.float() + rng.float() + rng.float() + rng.float() - 2) * scale;
    return Math.max(0, Math.min(255, Math.round(v + n)));
  });
  return { ...p, rgb };
}

/** A separable 3 × 3 blur [1, centre, 1] (centre 2: σ ≈ 0.71 pixel; centre 6: σ = 0.5 pixel), edges clamped. */
export function blurred(p: Picture, centre = 2): Picture {
  const { width: w, height: h } = p;
  const k = [1, centre, 1];
  const norm = (centre + 2) * (centre + 2);
  const rgb = new Uint8Array(p.rgb.length);
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      for (let c = 0; c < 3; c += 1) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy += 1) {
          for (let dx = -1; dx <= 1; dx += 1) {
            const xx = Math.max(0, Math.min(w - 1, x + dx)), yy = Math.max(0, Math.min(h - 1, y + dy));
            sum += (k[dx + 1] as number) * (k[dy + 1] as number) * (p.rgb[(yy * w + xx) * 3 + c] as number);
          }
        }
        rgb[(y * w + x) * 3 + c] = Math.round(sum / norm);
      }
    }
  }
  return { ...p, rgb };
}

/** The picture moved by whole pixels (edges repeated), its landmarks with it. */
export function shifted(p: Picture, dx: number, dy: number): Picture {
  const { width: w, height: h } = p;
  const rgb = new Uint8Array(p.rgb.length);
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const sx = Math.max(0, Math.min(w - 1, x - dx)), sy = Math.max(0, Math.min(h - 1, y - dy));
      for (let c = 0; c < 3; c += 1) rgb[(y * w + x) * 3 + c] = p.rgb[(sy * w + sx) * 3 + c] as number;
    }
  }
  return { ...p, rgb, landmarks: p.landmarks.map((v, i) => v + (i % 2 === 0 ? dx : dy)) };
}

/** Landmarks moved by up to `amount` pixels each, as a detector's would be. */
export function jittered(p: Picture, amount: number, seed: number): Picture {
  const rng = Rng.fromSeed(seed);
  return { ...p, landmarks: p.landmarks.map((v) => v + rng.range(-amount, amount)) };
}
