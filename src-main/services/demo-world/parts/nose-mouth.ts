// Nose and mouth, both shaded with the face. The nose-tip landmark is the centre of the tip; the mouth-corner
// landmarks are the ends of the line between the lips, so landmarks and drawing cannot disagree.
import type { Mouth, Nose } from '../attributes.js';
import { PROP_RGB, SKIN_RGB, mixRgb, scaleRgb } from '../palette.js';
import { domePaint, faceDome, type Scene } from '../scene.js';
import { box, capsule, ellipse, intersect, placed, type Shape } from '../shapes.js';

const NOSE_TIPS: Record<Nose, { rx: number; ry: number; nostrilX: number; nostril: number; bridge: boolean }> = {
  small: { rx: 0.075, ry: 0.055, nostrilX: 0.048, nostril: 0.024, bridge: false },
  long: { rx: 0.085, ry: 0.07, nostrilX: 0.055, nostril: 0.026, bridge: true },
  wide: { rx: 0.135, ry: 0.065, nostrilX: 0.09, nostril: 0.032, bridge: false },
};

const LIPS: Record<Mouth, { upper: number; lower: number }> = {
  small: { upper: 0.035, lower: 0.05 },
  wide: { upper: 0.035, lower: 0.05 },
  full: { upper: 0.065, lower: 0.09 },
};

export function paintNose(scene: Scene): void {
  const { identity, layout, canvas, frames } = scene;
  const skin = SKIN_RGB[identity.traits.skinTone];
  const dome = faceDome(scene);
  const tip = layout.noseTip;
  const t = NOSE_TIPS[identity.traits.nose];
  const inHead = (s: Shape) => placed(s, frames.head);
  if (t.bridge) {
    const midX = (layout.eyes[0].x + layout.eyes[1].x) / 2;
    const topY = layout.eyes[0].y + 0.06;
    canvas.draw(inHead(capsule(midX + (tip.x - midX) * 0.3, topY, tip.x, tip.y - 0.06, 0.024)), domePaint(scene, 'head', dome, scaleRgb(skin, 0.86)), 'face');
  }
  canvas.draw(inHead(ellipse(tip.x, tip.y - 0.01, t.rx, t.ry)), domePaint(scene, 'head', dome, scaleRgb(skin, 0.9)), 'face');
  for (const side of [-1, 1]) {
    canvas.draw(inHead(ellipse(tip.x + side * t.nostrilX, tip.y + 0.03, t.nostril, t.nostril * 0.7)), domePaint(scene, 'head', dome, scaleRgb(skin, 0.5)), 'face');
  }
}

export function paintMouth(scene: Scene): void {
  const { identity, layout, canvas, frames } = scene;
  const skin = SKIN_RGB[identity.traits.skinTone];
  const lipColour = identity.traits.gender === 'woman' ? mixRgb(skin, PROP_RGB.lipstick, 0.6) : mixRgb(skin, [150, 60, 60], 0.3);
  const { upper, lower } = LIPS[identity.traits.mouth];
  const l = layout.mouthLeft, r = layout.mouthRight;
  const cx = (l.x + r.x) / 2, cy = (l.y + r.y) / 2, hw = (r.x - l.x) / 2;
  const dome = faceDome(scene);
  const paint = domePaint(scene, 'head', dome, lipColour);
  const inHead = (s: Shape) => placed(s, frames.head);
  canvas.draw(inHead(intersect(ellipse(cx, cy, hw * 0.96, upper), box(cx, cy - upper / 2, hw, upper / 2))), paint, 'face');
  canvas.draw(inHead(intersect(ellipse(cx, cy, hw * 0.9, lower), box(cx, cy + lower / 2, hw, lower / 2))), paint, 'face');
  canvas.draw(inHead(capsule(l.x, l.y, r.x, r.y, 0.014)), domePaint(scene, 'head', dome, scaleRgb(lipColour, 0.45)), 'face');
}
