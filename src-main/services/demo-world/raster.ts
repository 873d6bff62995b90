// The anti-aliased rasteriser: RGB floats (0–1, sRGB, height × width × 3) and a face-coverage channel, painted
// shape by shape from back to front. Coverage comes from the shape's signed distance at the pixel centre, so an
// edge gets the same soft ramp at every size and every angle, and no platform renderer is involved.
import type { Shape } from './shapes.js';

/** Writes the colour (0–1 sRGB) at pixel-space point (x, y) into out[0..2]. */
export type Paint = (x: number, y: number, out: Float64Array) => void;

/**
 * Whether a layer belongs to the face mask. The mask follows METHOD.md §1.5: skin of the face, brows, eyes,
 * ears, nose, mouth and glasses are face; hair, neck, clothes and background are not.
 */
export type Layer = 'face' | 'other';

export function solid(rgb: readonly [number, number, number]): Paint {
  return (_x, _y, out) => {
    out[0] = rgb[0]; out[1] = rgb[1]; out[2] = rgb[2];
  };
}

export class Canvas {
  readonly rgb: Float32Array;
  readonly face: Float32Array;
  private readonly colour = new Float64Array(3);

  constructor(readonly width: number, readonly height: number) {
    this.rgb = new Float32Array(width * height * 3);
    this.face = new Float32Array(width * height);
  }

  /** Paints every pixel (the backdrop); pixel (i, j) is sampled at its centre (i + 0.5, j + 0.5). */
  fill(paint: Paint): void {
    for (let j = 0; j < this.height; j += 1) {
      for (let i = 0; i < this.width; i += 1) {
        paint(i + 0.5, j + 0.5, this.colour);
        const k = (j * this.width + i) * 3;
        this.rgb[k] = this.colour[0] as number;
        this.rgb[k + 1] = this.colour[1] as number;
        this.rgb[k + 2] = this.colour[2] as number;
      }
    }
    this.face.fill(0);
  }

  /** Composites the shape over what is there ("over" operator), with its coverage as alpha. */
  draw(shape: Shape, paint: Paint, layer: Layer, opacity = 1): void {
    const { x0, y0, x1, y1 } = shape.bounds;
    const i0 = Math.max(0, Math.floor(x0) - 1), i1 = Math.min(this.width - 1, Math.ceil(x1) + 1);
    const j0 = Math.max(0, Math.floor(y0) - 1), j1 = Math.min(this.height - 1, Math.ceil(y1) + 1);
    const faceValue = layer === 'face' ? 1 : 0;
    for (let j = j0; j <= j1; j += 1) {
      for (let i = i0; i <= i1; i += 1) {
        const x = i + 0.5, y = j + 0.5;
        const d = shape.distance(x, y);
        if (d >= 0.5) continue;
        const alpha = (d <= -0.5 ? 1 : 0.5 - d) * opacity;
        paint(x, y, this.colour);
        const p = j * this.width + i;
        const k = p * 3;
        for (let c = 0; c < 3; c += 1) {
          const old = this.rgb[k + c] as number;
          this.rgb[k + c] = old + ((this.colour[c] as number) - old) * alpha;
        }
        const oldFace = this.face[p] as number;
        this.face[p] = oldFace + (faceValue - oldFace) * alpha;
      }
    }
  }

  /** 8-bit sRGB, height × width × 3, rounded half up after clipping to [0, 1]. */
  toRgb8(): Uint8Array {
    return toBytes(this.rgb);
  }

  /** The face mask as 8-bit coverage (255 = face), height × width. */
  toMask8(): Uint8Array {
    return toBytes(this.face);
  }
}

function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let k = 0; k < values.length; k += 1) {
    const v = values[k] as number;
    out[k] = v <= 0 ? 0 : v >= 1 ? 255 : Math.floor(v * 255 + 0.5);
  }
  return out;
}
