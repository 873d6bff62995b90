// Glasses: dark frames round each eye, a bridge and the temples toward the ears. METHOD.md §1.5 counts glasses
// as face (label 6, eye_g), so they paint into the face mask.
import type { Glasses } from '../attributes.js';
import { PROP_RGB } from '../palette.js';
import { solid } from '../raster.js';
import { domePaint, faceDome, type Scene } from '../scene.js';
import { box, capsule, ellipse, placed, stroke, type Shape } from '../shapes.js';
import { unit } from '../palette.js';

export const FRAME_HALF_SIZE: Record<Exclude<Glasses, 'none'>, { x: number; y: number }> = {
  round: { x: 0.19, y: 0.19 },
  // Wide and shallow, so its corners stand clear of where a round rim would run even at 64 pixels.
  square: { x: 0.25, y: 0.15 },
};
const FRAME_LINE = 0.035;

export function lensShape(kind: Exclude<Glasses, 'none'>, cx: number, cy: number, widthScale: number): Shape {
  const { x, y } = FRAME_HALF_SIZE[kind];
  return kind === 'round' ? ellipse(cx, cy, x * widthScale, y) : box(cx, cy, x * widthScale, y, 0.04);
}

export function paintGlasses(scene: Scene): void {
  const { identity, layout, canvas, frames } = scene;
  const kind = identity.traits.glasses;
  if (kind === 'none') return;
  const frame = domePaint(scene, 'head', faceDome(scene), PROP_RGB.glassesFrame);
  const inHead = (s: Shape) => placed(s, frames.head);
  const ws = layout.eyeWidthScale;
  const half = FRAME_HALF_SIZE[kind].x * ws;
  const [left, right] = layout.eyes;
  for (const [index, eye] of layout.eyes.entries()) {
    const lens = lensShape(kind, eye.x, eye.y, ws);
    // A faint glare on the glass: enough to read as a lens, too little to change the eye colour.
    canvas.draw(inHead(lens), solid(unit([255, 255, 255])), 'face', 0.1);
    canvas.draw(inHead(stroke(lens, FRAME_LINE)), frame, 'face');
    const side = index === 0 ? -1 : 1;
    const edge = layout.faceShiftX + side * layout.outline.halfWidth * 0.98;
    canvas.draw(inHead(capsule(eye.x + side * half, eye.y - 0.05, edge, eye.y - 0.07, FRAME_LINE * 0.8)), frame, 'face');
  }
  // The bridge is heavier than the rims: at 64 pixels it is the one part of the frame a pixel wide.
  canvas.draw(inHead(capsule(left.x + half, left.y - 0.04, right.x - half, right.y - 0.04, FRAME_LINE * 1.6)), frame, 'face');
}
