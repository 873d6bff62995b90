// The garment, in body units (same origin and scale as the head, no roll): shoulders from y ≈ 1.5 down past
// the image bottom. Each type has its own neckline, which is what tells the types apart: a shallow skin U
// (t-shirt), a deep skin V (v-neck sweater), no skin below the chin (turtleneck), a white shirt V with a dark tie
// (suit). Away from the centre line the garment is its plain colour, where the colour read-out looks.
import type { ClothingType } from '../attributes.js';
import { GARMENT_AND_BACKDROP_COLORS, PROP_RGB, scaleRgb, unit } from '../palette.js';
import { solid } from '../raster.js';
import { domePaint, type Dome, type Scene } from '../scene.js';
import { box, capsule, ellipse, placed, polygon, stroke, subtract, intersect, union, type Shape } from '../shapes.js';

export const SHOULDER_Y = 1.48;
const TORSO = box(0, SHOULDER_Y + 3, 2.1, 3, 0.85);
// A flat dome: garments are wide and not very round, so their front keeps its colour under side light.
const TORSO_DOME: Dome = { cx: 0, cy: 2.8, rx: 3.2, ry: 2.6 };

const NECKLINES: Record<Exclude<ClothingType, 'turtleneck' | 'suit'>, Shape> = {
  't-shirt': ellipse(0, SHOULDER_Y, 0.46, 0.32),
  'v-neck sweater': polygon([-0.5, SHOULDER_Y - 0.12, 0.5, SHOULDER_Y - 0.12, 0, 2.55]),
};

export function paintClothing(scene: Scene): void {
  const { canvas, frames, style } = scene;
  const type = style.traits.clothingType;
  const rgb = GARMENT_AND_BACKDROP_COLORS[style.traits.clothingColor];
  const cloth = domePaint(scene, 'body', TORSO_DOME, rgb);
  const seam = domePaint(scene, 'body', TORSO_DOME, scaleRgb(rgb, 0.78));
  const inBody = (s: Shape) => placed(s, frames.body);

  if (type === 't-shirt' || type === 'v-neck sweater') {
    const neckline = NECKLINES[type];
    canvas.draw(inBody(subtract(TORSO, neckline)), cloth, 'other');
    canvas.draw(inBody(intersect(stroke(neckline, 0.05), TORSO)), seam, 'other');
    return;
  }
  if (type === 'turtleneck') {
    const collar = box(0, 1.3, 0.44, 0.48, 0.14);
    canvas.draw(inBody(union(TORSO, collar)), cloth, 'other');
    for (const y of [0.98, 1.18, 1.38, 1.58]) canvas.draw(inBody(capsule(-0.36, y, 0.36, y, 0.022)), seam, 'other');
    return;
  }
  canvas.draw(inBody(TORSO), cloth, 'other');
  const shirt = polygon([-0.4, 1.33, 0.4, 1.33, 0, 2.98]);
  canvas.draw(inBody(shirt), domePaint(scene, 'body', TORSO_DOME, PROP_RGB.shirt), 'other');
  for (const side of [-1, 1]) {
    canvas.draw(inBody(capsule(0.4 * side, 1.33, 0.02 * side, 2.93, 0.035)), seam, 'other');
    canvas.draw(inBody(polygon([0.46 * side, 1.25, 0.05 * side, 1.55, 0.34 * side, 1.73])), solid(unit(scaleRgb(PROP_RGB.shirt, 0.9))), 'other');
  }
  const tie = union(
    polygon([-0.11, 1.49, 0.11, 1.49, 0.08, 1.67, -0.08, 1.67]),
    polygon([-0.08, 1.67, 0.08, 1.67, 0.15, 2.78, 0, 2.95, -0.15, 2.78]),
  );
  canvas.draw(inBody(tie), domePaint(scene, 'body', TORSO_DOME, PROP_RGB.tie), 'other');
}
