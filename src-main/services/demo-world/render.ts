// One portrait: the person (identity) in a photo (style) at a pose drawn from the render seed, painted back to
// front. The same identity, style, size and seed give the same bytes on every machine.
import { attributesOf, type Attributes, type Identity, type Pose, type Style } from './attributes.js';
import { captionOf } from './caption.js';
import { framesOf, landmarksOf, layoutOf } from './head-layout.js';
import { lightOf } from './lighting.js';
import { paintBackground } from './parts/background.js';
import { paintClothing } from './parts/clothing.js';
import { paintBrows, paintEyes } from './parts/eyes.js';
import { paintEars, paintFaceSkin, paintNeck } from './parts/face.js';
import { paintGlasses } from './parts/glasses.js';
import { paintHairBack, paintHairFront } from './parts/hair.js';
import { paintMouth, paintNose } from './parts/nose-mouth.js';
import { Canvas } from './raster.js';
import { Rng } from './rng.js';
import { samplePose } from './sampling.js';
import { makeScene } from './scene.js';

export interface RenderOptions {
  /** Width and height in pixels: a multiple of 8 from 16 to 1024 (64 and 128 are the world's sizes). */
  size: number;
  /** Draws the pose inside the style's limits; default 0. */
  seed?: number;
  /** A pose to use instead of drawing one (for measurements that must hold the pose fixed). */
  pose?: Pose;
}

export interface Sample {
  /** 8-bit sRGB, height × width × 3 (HWC). */
  rgb: Uint8Array;
  width: number;
  height: number;
  /** Anti-aliased face coverage, 0–255, height × width: face skin, brows, eyes, ears, nose, mouth, glasses. */
  faceMask: Uint8Array;
  /** x, y of: image-left eye, image-right eye, nose tip, image-left and image-right mouth corner; pixel centres at integers. */
  landmarks: number[];
  caption: string;
  attributes: Attributes;
  identity: Identity;
  style: Style;
  pose: Pose;
  seed: number;
}

export function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 16 || size > 1024 || size % 8 !== 0) {
    throw new RangeError(`expected a size that is a multiple of 8 from 16 to 1024, received ${size}`);
  }
}

export function render(identity: Identity, style: Style, options: RenderOptions): Sample {
  checkSize(options.size);
  const seed = options.seed ?? 0;
  const pose = options.pose ?? samplePose(style, Rng.fromSeed(seed).fork('pose'));
  const canvas = new Canvas(options.size, options.size);
  const layout = layoutOf(identity, pose);
  const frames = framesOf(pose, canvas.width, canvas.height);
  const light = lightOf(style.traits.lightDirection, style.traits.lightStrength);
  const scene = makeScene({ canvas, identity, style, pose, layout, frames, light });

  paintBackground(scene);
  paintHairBack(scene);
  paintNeck(scene);
  paintClothing(scene);
  paintEars(scene);
  paintFaceSkin(scene);
  paintBrows(scene);
  paintEyes(scene);
  paintNose(scene);
  paintMouth(scene);
  paintHairFront(scene);
  paintGlasses(scene);

  const attributes = attributesOf(identity, style);
  return {
    rgb: canvas.toRgb8(),
    width: canvas.width,
    height: canvas.height,
    faceMask: canvas.toMask8(),
    landmarks: landmarksOf(layout, frames),
    caption: captionOf(attributes),
    attributes,
    identity,
    style,
    pose,
    seed,
  };
}

/** What a dataset's metadata line holds for a sample (everything but the pixels). */
export function recordOf<S extends Sample>(sample: S): Omit<S, 'rgb' | 'faceMask'> {
  const record: Partial<S> = { ...sample };
  delete record.rgb;
  delete record.faceMask;
  return record as Omit<S, 'rgb' | 'faceMask'>;
}
