// The head's skin: neck (not face, METHOD.md §1.5 leaves label 14 out), ears and the face outline with its jaw.
// The face outline is also what the face mask is made of, so its shape is the identity's face shape exactly.
import type { HeadLayout } from '../head-layout.js';
import { SKIN_RGB, scaleRgb } from '../palette.js';
import { domePaint, faceDome, type Scene } from '../scene.js';
import { box, ellipse, implicit, placed, union, type Shape } from '../shapes.js';

/** The face outline (forehead to chin, cheek to cheek) in head units. */
export function faceOutlineShape(layout: HeadLayout): Shape {
  const o = layout.outline;
  const shift = layout.faceShiftX;
  const g = (x: number, y: number): number => {
    const h = y < 0 ? o.top : o.bottom;
    // The jaw narrows toward the chin by `taper` (heart faces most), so the chin is a point, not a curve.
    const w = y > 0 ? o.halfWidth * (1 - o.taper * Math.min(1, y / o.bottom)) : o.halfWidth;
    const ax = Math.abs(x - shift) / w, ay = Math.abs(y) / h;
    if (y > 0 && o.jawExponent === 4) return ax * ax * ax * ax + ay * ay * ay * ay - 1;
    return ax * ax + ay * ay - 1;
  };
  return implicit(g, { x0: shift - o.halfWidth, y0: -o.top, x1: shift + o.halfWidth, y1: o.bottom });
}

export function paintNeck(scene: Scene): void {
  const { identity, layout, canvas, frames } = scene;
  const skin = SKIN_RGB[identity.traits.skinTone];
  const half = (identity.traits.gender === 'man' ? 0.4 : 0.34) * (layout.outline.halfWidth / 0.8);
  // The neck runs on into the chest, which deep necklines show.
  const neck = union(box(0, 1.1, half, 0.85, 0.12), box(0, 2.4, 0.9, 0.6, 0.4));
  const paint = domePaint(scene, 'head', { cx: 0, cy: 1.6, rx: half * 1.4, ry: 6 }, scaleRgb(skin, 0.8));
  canvas.draw(placed(neck, frames.head), paint, 'other');
}

export function paintEars(scene: Scene): void {
  const { identity, layout, canvas, frames } = scene;
  const skin = SKIN_RGB[identity.traits.skinTone];
  const dome = faceDome(scene);
  for (const side of [-1, 1]) {
    const cx = side * layout.outline.halfWidth * 0.97 + layout.earShiftX;
    canvas.draw(placed(ellipse(cx, -0.02, 0.13, 0.21), frames.head), domePaint(scene, 'head', dome, scaleRgb(skin, 0.92)), 'face');
    canvas.draw(placed(ellipse(cx + side * 0.02, -0.01, 0.06, 0.12), frames.head), domePaint(scene, 'head', dome, scaleRgb(skin, 0.72)), 'face');
  }
}

export function paintFaceSkin(scene: Scene): void {
  const { identity, layout, canvas, frames } = scene;
  const skin = SKIN_RGB[identity.traits.skinTone];
  canvas.draw(placed(faceOutlineShape(layout), frames.head), domePaint(scene, 'head', faceDome(scene), skin), 'face');
}
