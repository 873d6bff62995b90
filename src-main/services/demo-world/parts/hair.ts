// Hair in two layers: the back layer (skull cap and whatever falls behind the face) is painted before the face,
// the front layer (hairline, fringe, side strands) after it, so hair over the forehead and cheeks is cut out of
// the face mask exactly as METHOD.md §1.5 leaves hair out. Every style covers the crown (y −1.2 … −0.75 in head
// units), where the hair-colour read-out looks.
import type { HairStyle } from '../attributes.js';
import { cos, sin } from '../exact-math.js';
import type { HeadLayout } from '../head-layout.js';
import { HAIR_RGB, scaleRgb } from '../palette.js';
import { domePaint, type Dome, type Scene } from '../scene.js';
import { box, capsule, circle, ellipse, implicit, intersect, placed, union, type Shape } from '../shapes.js';

interface HairShapes {
  back: Shape;
  front: Shape;
  dome: Dome;
  /** Whether strands run down the hair (long, straight styles). */
  strands: boolean;
}

/** Everything above the hairline y = top + bend·(x − centre)², as a distance. */
function aboveHairline(top: number, bend: number, centre: number): Shape {
  return implicit((x, y) => y - (top + bend * (x - centre) * (x - centre)), { x0: -4, y0: -4, x1: 4, y1: 4 });
}

function curls(cx: number, cy: number, rx: number, ry: number, from: number, to: number, count: number, r: number): Shape[] {
  const out: Shape[] = [];
  for (let i = 0; i < count; i += 1) {
    const a = from + ((to - from) * i) / (count - 1);
    out.push(circle(cx + rx * cos(a), cy + ry * sin(a), r));
  }
  return out;
}

export function hairShapes(style: HairStyle, layout: HeadLayout, hairline: number, parting: number, volume: number): HairShapes {
  const w = layout.outline.halfWidth;
  const sx = layout.skullShiftX;
  const cap = ellipse(sx, -0.22, w + volume, 1.03 + volume * 0.6);
  const capDome: Dome = { cx: sx, cy: -0.3, rx: w + volume + 0.1, ry: 1.25 };
  const lowDome: Dome = { cx: sx, cy: 0.4, rx: w + 0.45, ry: 2.1 };
  const above = (y: number) => box(0, y - 4, 5, 4);
  const hairlineAt = aboveHairline(hairline, 0.45, sx + parting * 0.3);
  switch (style) {
    case 'short':
      return { back: intersect(cap, above(0.05)), front: intersect(cap, hairlineAt), dome: capDome, strands: false };
    case 'buzz': {
      const tight = ellipse(sx, -0.2, w + 0.035, 0.99);
      return { back: intersect(tight, above(-0.12)), front: intersect(tight, aboveHairline(hairline - 0.03, 0.4, sx)), dome: capDome, strands: false };
    }
    case 'bob': {
      const back = union(cap, box(sx, 0.25, w + 0.2, 0.55, 0.2));
      const fringe = intersect(cap, aboveHairline(-0.42, 0.12, sx));
      const curtains = [-1, 1].map((side) => intersect(box(sx + side * (w + 0.04), 0.12, 0.17, 0.62, 0.12), back));
      return { back, front: union(fringe, ...curtains), dome: lowDome, strands: true };
    }
    case 'long': {
      const back = union(cap, box(sx, 0.55, w + 0.26, 1.05, 0.3));
      const strands = [-1, 1].map((side) => box(layout.faceShiftX + side * (w + 0.07), 0.55, 0.16, 1.05, 0.15));
      return { back, front: union(intersect(cap, aboveHairline(hairline, 0.35, sx + parting * 0.5)), ...strands), dome: lowDome, strands: true };
    }
    case 'curly': {
      const big = ellipse(sx, -0.22, w + volume + 0.1, 1.03 + volume * 0.6 + 0.06);
      const rim = curls(sx, -0.15, w + 0.2, 1.12, -3.14159 - 0.5, 0.5, 15, 0.2);
      const fringe = curls(sx, hairline - 0.05, w * 0.7, 0.12, -3.14159 + 0.35, -0.35, 6, 0.09);
      return {
        back: intersect(union(big, ...rim), above(0.55)),
        front: union(intersect(big, aboveHairline(hairline - 0.02, 0.5, sx)), ...fringe),
        dome: { cx: sx, cy: -0.2, rx: w + 0.5, ry: 1.5 },
        strands: false,
      };
    }
    case 'bun': {
      const tight = ellipse(sx, -0.22, w + 0.06, 1.05);
      return {
        back: union(intersect(tight, above(0)), circle(sx, -1.33, 0.25)),
        front: intersect(tight, aboveHairline(hairline - 0.04, 0.3, sx)),
        dome: { cx: sx, cy: -0.5, rx: w + 0.2, ry: 1.3 },
        strands: false,
      };
    }
  }
}

function strandTexture(u: number): number {
  const t = u * 22;
  return 0.92 + 0.16 * Math.abs(t - Math.floor(t + 0.5));
}

function shapesOf(scene: Scene): HairShapes {
  const { identity, layout } = scene;
  const g = identity.geometry;
  return hairShapes(identity.traits.hairStyle, layout, g.hairline, g.parting, g.hairVolume);
}

export function paintHairBack(scene: Scene): void {
  const hair = shapesOf(scene);
  const rgb = HAIR_RGB[scene.identity.traits.hairColor];
  // The back layer sits in shadow behind the face, a little darker than the hair in front.
  const paint = domePaint(scene, 'head', hair.dome, scaleRgb(rgb, 0.9), hair.strands ? strandTexture : undefined);
  scene.canvas.draw(placed(hair.back, scene.frames.head), paint, 'other');
}

export function paintHairFront(scene: Scene): void {
  const { identity, frames, canvas } = scene;
  const hair = shapesOf(scene);
  const rgb = HAIR_RGB[identity.traits.hairColor];
  canvas.draw(placed(hair.front, frames.head), domePaint(scene, 'head', hair.dome, rgb, hair.strands ? strandTexture : undefined), 'other');
  if (identity.traits.hairStyle === 'short' || identity.traits.hairStyle === 'long') {
    const p = identity.geometry.parting;
    const parting = intersect(capsule(scene.layout.skullShiftX + p * 0.4, identity.geometry.hairline - 0.02, scene.layout.skullShiftX + p * 0.8, -0.95, 0.018), hair.front);
    canvas.draw(placed(parting, frames.head), domePaint(scene, 'head', hair.dome, scaleRgb(rgb, 0.7)), 'other');
  }
  if (identity.traits.gender === 'man' && (identity.traits.hairStyle === 'short' || identity.traits.hairStyle === 'buzz')) {
    const w = scene.layout.outline.halfWidth;
    for (const side of [-1, 1]) {
      const x = scene.layout.faceShiftX + side * w * 0.93;
      canvas.draw(placed(capsule(x, -0.35, x + side * 0.01, -0.02, 0.05), frames.head), domePaint(scene, 'head', hair.dome, rgb), 'other');
    }
  }
}
