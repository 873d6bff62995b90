// The embedded face models: @vladmandic/human's BlazeFace detector, 478-point FaceMesh with iris, and the
// faceres descriptor, all shipped inside the npm package (MIT; weights from MediaPipe, Apache-2.0), so faces
// work offline on a fresh install. Its node-wasm build is used because the tfjs-node build needs a native
// TensorFlow download; it is loaded by path since the package's exports map has no "./dist/..." keys.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { Config, FaceResult, Human } from '@vladmandic/human';

import type { FaceModels, Pixels } from '../../common/protocol/media.js';
import { exclusive, packageRoot, packageVersion, requirePackage, tfjs, wasmFolder } from '../tfjs/runtime.js';

type Point = [number, number];

/** What the pipeline needs from one detection, in pixels of the image it was given. */
export interface RawFace {
  box: [number, number, number, number];
  score: number;
  mesh: Point[];
  /** The 36-point face oval, clockwise from the forehead. */
  oval: Point[];
  /** Pupil centres when the iris model ran, else eye-contour centres; "right" is the subject's right eye. */
  rightEye: Point;
  leftEye: Point;
  embedding: number[];
}

const VERSION = packageVersion('@vladmandic/human');

export const EMBEDDED_FACE_MODELS: FaceModels = {
  detector: `blazeface + facemesh-478 (@vladmandic/human ${VERSION}, wasm)`,
  embedding: `faceres-1024 (@vladmandic/human ${VERSION}, wasm)`,
  mask: `facemesh face oval, feathered (@vladmandic/human ${VERSION})`,
};

function config(): Partial<Config> {
  return {
    backend: 'wasm',
    wasmPath: wasmFolder(),
    modelBasePath: `${pathToFileURL(join(packageRoot('@vladmandic/human'), 'models')).href}/`,
    debug: false,
    async: true,
    warmup: 'none',
    // Unrelated stills, not video frames: never reuse a previous frame's result.
    cacheSensitivity: 0,
    skipAllowed: false,
    face: {
      enabled: true,
      // Rotation correction lowered the cameraman test photo's score from 0.99 to 0.55 without helping upright
      // portraits; the mesh itself follows tilts of a selfie well enough for alignment.
      detector: { rotation: false, maxDetected: 10, minConfidence: 0.5, iouThreshold: 0.1, skipFrames: 0, skipTime: 0, return: false },
      mesh: { enabled: true },
      iris: { enabled: true },
      description: { enabled: true, skipFrames: 0, skipTime: 0 },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      attention: { enabled: false },
      gear: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    filter: { enabled: false },
  };
}

let human: Promise<Human> | undefined;

function loadHuman(): Promise<Human> {
  human ??= (async () => {
    await tfjs();
    const { Human: HumanClass } = requirePackage<{ Human: new (c: Partial<Config>) => Human }>(
      join(packageRoot('@vladmandic/human'), 'dist', 'human.node-wasm.js'),
    );
    const instance = new HumanClass(config());
    await instance.load();
    return instance;
  })();
  return human;
}

const mean = (points: Point[]): Point => {
  const sum = points.reduce<Point>((a, p) => [a[0] + p[0], a[1] + p[1]], [0, 0]);
  return [sum[0] / points.length, sum[1] / points.length];
};

function eye(face: FaceResult, side: 'left' | 'right'): Point {
  const iris = face.annotations[`${side}EyeIris`];
  if (iris?.[0]) return [iris[0][0], iris[0][1]];
  const contour = [...face.annotations[`${side}EyeUpper0`], ...face.annotations[`${side}EyeLower0`]];
  return mean(contour.map((p) => [p[0], p[1]]));
}

function toRawFace(face: FaceResult): RawFace | undefined {
  // A face the mesh could not confirm has no landmarks to align or mask with.
  if (face.mesh.length < 468 || !face.annotations.silhouette?.length) return undefined;
  return {
    box: [face.box[0], face.box[1], face.box[2], face.box[3]],
    score: face.score,
    mesh: face.mesh.map((p) => [p[0], p[1]]),
    oval: face.annotations.silhouette.map((p) => [p[0], p[1]]),
    rightEye: eye(face, 'right'),
    leftEye: eye(face, 'left'),
    embedding: face.embedding ?? [],
  };
}

/** Faces in 8-bit RGB pixels; one model call at a time per host. */
export async function detectFaces(pixels: Pixels): Promise<RawFace[]> {
  const model = await loadHuman();
  const tf = await tfjs();
  return exclusive(async () => {
    const { width, height, channels } = pixels;
    const rgb = new Float32Array(width * height * 3);
    for (let i = 0, j = 0; i < rgb.length; i += 3, j += channels) {
      rgb[i] = pixels.data[j] as number;
      rgb[i + 1] = pixels.data[j + 1] as number;
      rgb[i + 2] = pixels.data[j + 2] as number;
    }
    const input = tf.tensor4d(rgb, [1, height, width, 3]);
    try {
      const result = await model.detect(input);
      return result.face.map(toRawFace).filter((f): f is RawFace => f !== undefined);
    } finally {
      input.dispose();
    }
  });
}
