// Naming a colour seen under unknown light. Shading scales a surface colour toward black, so the observed colour
// is compared with each named colour's whole range of brightnesses (the segment from gain·low to gain·high),
// not with the colour itself: a shadowed yellow is still yellow, while grey and white, which differ only in
// brightness, stay apart as long as the gain range is narrower than their ratio.
import { type Rgb } from '../palette.js';

export interface ColorMatch<Name extends string> {
  name: Name;
  /** Distance (0–255 units) to the named colour's brightness range. */
  distance: number;
  /** The brightness factor that fits best. */
  gain: number;
}

export function distanceToShades(observed: Rgb, reference: Rgb, low: number, high: number): { distance: number; gain: number } {
  const dot = observed[0] * reference[0] + observed[1] * reference[1] + observed[2] * reference[2];
  const norm = reference[0] ** 2 + reference[1] ** 2 + reference[2] ** 2;
  const gain = Math.max(low, Math.min(high, dot / norm));
  // Clipping at 255 is part of what light does to a bright colour, so the reference is clipped too.
  const d = Math.sqrt(
    (observed[0] - Math.min(255, reference[0] * gain)) ** 2 +
      (observed[1] - Math.min(255, reference[1] * gain)) ** 2 +
      (observed[2] - Math.min(255, reference[2] * gain)) ** 2,
  );
  return { distance: d, gain };
}

export function nearestColor<Name extends string>(
  observed: Rgb,
  palette: Readonly<Record<Name, Rgb>>,
  low = 0.8,
  high = 1.15,
): ColorMatch<Name> {
  let best: ColorMatch<Name> | undefined;
  for (const name of Object.keys(palette) as Name[]) {
    const { distance, gain } = distanceToShades(observed, palette[name], low, high);
    if (!best || distance < best.distance) best = { name, distance, gain };
  }
  if (!best) throw new RangeError('expected a palette with at least one colour, received an empty one');
  return best;
}
