// What every part painter needs: the canvas, the person, the style, the pose, the head layout, the frames and
// the light, plus the paints that shade a colour as a rounded surface in head or body units.
import type { Identity, Pose, Style } from './attributes.js';
import { invert, type Similarity } from './geometry.js';
import type { Frames, HeadLayout } from './head-layout.js';
import { shade, type Light } from './lighting.js';
import { unit, type Rgb } from './palette.js';
import type { Canvas, Paint } from './raster.js';

export interface Scene {
  canvas: Canvas;
  identity: Identity;
  style: Style;
  pose: Pose;
  layout: HeadLayout;
  frames: Frames;
  light: Light;
  /** Pixel space → head units and → body units. */
  toHead: Similarity;
  toBody: Similarity;
}

/** A rounded surface seen from the front: centre and half-axes of the ellipse it fills, in its frame's units. */
export interface Dome {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
}

/**
 * Paints `rgb` shaded as the front of the dome (hair, head, shoulders): its normal is taken from where the pixel
 * falls on the dome's ellipse, so edges turn away from the viewer and the centre faces it. `texture` may scale
 * the colour per point (strands, ribbing) in the same units.
 */
export function domePaint(
  scene: Scene,
  frame: 'head' | 'body',
  dome: Dome,
  rgb: Rgb,
  texture?: (u: number, v: number) => number,
): Paint {
  const back = frame === 'head' ? scene.toHead : scene.toBody;
  // The roll turns normals in the image plane along with the head; the body frame has no rotation.
  const rot = frame === 'head' ? scene.frames.head : scene.frames.body;
  const k = Math.sqrt(rot.a * rot.a + rot.b * rot.b);
  const cr = rot.a / k, sr = rot.b / k;
  const base = unit(rgb);
  return (x, y, out) => {
    const u = back.a * x - back.b * y + back.tx, v = back.b * x + back.a * y + back.ty;
    let nx = (u - dome.cx) / dome.rx, ny = (v - dome.cy) / dome.ry;
    const r2 = nx * nx + ny * ny;
    if (r2 > 1) {
      const r = Math.sqrt(r2);
      nx /= r; ny /= r;
    }
    const nz = Math.sqrt(Math.max(0, 1 - nx * nx - ny * ny));
    const f = shade(scene.light, cr * nx - sr * ny, sr * nx + cr * ny, nz) * (texture ? texture(u, v) : 1);
    out[0] = base[0] * f; out[1] = base[1] * f; out[2] = base[2] * f;
  };
}

/** The dome of the face itself, which skin-coloured features (nose, lips, ears) are shaded with. */
export function faceDome(scene: Scene): Dome {
  const o = scene.layout.outline;
  return { cx: scene.layout.faceShiftX, cy: 0.02, rx: o.halfWidth * 1.05, ry: (o.top + o.bottom) / 2 * 1.05 };
}

export function makeScene(parts: Omit<Scene, 'toHead' | 'toBody'>): Scene {
  return { ...parts, toHead: invert(parts.frames.head), toBody: invert(parts.frames.body) };
}
