// Eyes and brows. The eye shape (round, almond, narrow) is the opening's outline; the iris, in the eye colour,
// is clipped by it, so narrow eyes show less of their colour, like real ones. Brows take the hair colour,
// darkened, and are heavier on men.
import type { EyeShape } from '../attributes.js';
import { EYE_RGB, HAIR_RGB, PROP_RGB, mixRgb } from '../palette.js';
import { domePaint, faceDome, type Scene } from '../scene.js';
import { box, capsule, circle, ellipse, intersect, placed, stroke, type Shape } from '../shapes.js';

const OPENINGS: Record<EyeShape, { halfWidth: number; halfHeight: number }> = {
  round: { halfWidth: 0.16, halfHeight: 0.12 },
  almond: { halfWidth: 0.2, halfHeight: 0.1 },
  narrow: { halfWidth: 0.2, halfHeight: 0.066 },
};
export const IRIS_RADIUS = 0.105;
/** Small, so the iris is a ring wide enough to read at 128 pixels. */
const PUPIL_RADIUS = 0.032;

/** A lens between two circular arcs (almond and narrow eyes), or an ellipse (round eyes). */
function opening(shape: EyeShape, cx: number, cy: number, widthScale: number): Shape {
  const { halfWidth, halfHeight } = OPENINGS[shape];
  const w = halfWidth * widthScale;
  if (shape === 'round') return ellipse(cx, cy, w, halfHeight);
  const r = (w * w + halfHeight * halfHeight) / (2 * halfHeight);
  return intersect(circle(cx, cy + r - halfHeight, r), circle(cx, cy - r + halfHeight, r));
}

export function paintEyes(scene: Scene): void {
  const { identity, layout, canvas, frames } = scene;
  const { eyeShape, eyeColor, gender } = identity.traits;
  const dome = faceDome(scene);
  const inHead = (s: Shape) => placed(s, frames.head);
  for (const eye of layout.eyes) {
    const open = opening(eyeShape, eye.x, eye.y, layout.eyeWidthScale);
    canvas.draw(inHead(open), domePaint(scene, 'head', dome, PROP_RGB.sclera), 'face');
    canvas.draw(inHead(intersect(circle(eye.x, eye.y, IRIS_RADIUS), open)), domePaint(scene, 'head', dome, EYE_RGB[eyeColor]), 'face');
    canvas.draw(inHead(intersect(circle(eye.x, eye.y, PUPIL_RADIUS), open)), domePaint(scene, 'head', dome, PROP_RGB.pupil), 'face');
    const lash = gender === 'woman' ? 0.03 : 0.02;
    const upper = box(eye.x, eye.y - 0.25, 0.4, 0.25);
    canvas.draw(inHead(intersect(stroke(open, lash), upper)), domePaint(scene, 'head', dome, PROP_RGB.lashLine), 'face');
  }
}

export function paintBrows(scene: Scene): void {
  const { identity, layout, canvas, frames } = scene;
  const colour = mixRgb(HAIR_RGB[identity.traits.hairColor], [20, 16, 16], 0.4);
  const r = identity.traits.gender === 'man' ? 0.045 : 0.03;
  const paint = domePaint(scene, 'head', faceDome(scene), colour);
  const w = layout.eyeWidthScale;
  for (const [index, eye] of layout.eyes.entries()) {
    const out = index === 0 ? -1 : 1;
    const y = eye.y - identity.geometry.browLift;
    const inner = [eye.x - out * 0.14 * w, y + 0.01] as const;
    const peak = [eye.x + out * 0.04 * w, y - 0.035] as const;
    const outer = [eye.x + out * 0.19 * w, y + 0.015] as const;
    canvas.draw(placed(capsule(inner[0], inner[1], peak[0], peak[1], r), frames.head), paint, 'face');
    canvas.draw(placed(capsule(peak[0], peak[1], outer[0], outer[1], r * 0.8), frames.head), paint, 'face');
  }
}
