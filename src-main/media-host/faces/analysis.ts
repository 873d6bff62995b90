// Faces of one photo in the frame the rest of the studio uses: the upright image (EXIF orientation applied), at
// full resolution. Detection runs on a copy at most ANALYSIS_SIDE pixels long: BlazeFace looks at 128 px
// anyway and FaceMesh at 192, so a 24-megapixel selfie would only cost memory; coordinates are scaled back.
import type { DetectedFace, ImageSource, Pixels } from '../../common/protocol/media.js';
import type { HostContext } from '../../services/processes/host-server.js';
import { mediaHandlers } from '../images.js';
import { MediaError } from '../media-error.js';
import { detectFaces, EMBEDDED_FACE_MODELS, type RawFace } from './human-models.js';

export const ANALYSIS_SIDE = 1024;

/** FaceMesh indices of the nose tip and the mouth corners (subject's right, then left). */
const NOSE_TIP = 1;
const MOUTH_RIGHT = 61;
const MOUTH_LEFT = 291;

export interface UprightPixels {
  /** The upright image's own size. */
  width: number;
  height: number;
  /** The decoded copy, at most ANALYSIS_SIDE long. */
  pixels: Pixels;
}

export interface AnalysedFace {
  face: DetectedFace;
  /** Face oval in upright-image pixels. */
  oval: Array<[number, number]>;
}

function quietContext(signal: AbortSignal): HostContext<never> {
  return { id: 0, signal, progress: () => undefined };
}

export function throwIfCancelled(signal: AbortSignal): void {
  if (signal.aborted) throw new MediaError('E_CANCELLED', 'the request was cancelled');
}

export async function decodeUpright(source: ImageSource, signal: AbortSignal, maxSide = ANALYSIS_SIDE): Promise<UprightPixels> {
  const context = quietContext(signal);
  const info = await mediaHandlers['media.probe']({ source }, context);
  const scale = Math.min(1, maxSide / Math.max(info.width, info.height));
  const size = scale < 1 ? { width: Math.max(8, Math.round(info.width * scale)), height: Math.max(8, Math.round(info.height * scale)), fit: 'fill' as const } : {};
  const decoded = await mediaHandlers['media.decode']({ source, as: 'rgb8', ...size }, context);
  if (decoded.layout !== 'rgb8') throw new MediaError('E_INTERNAL', `expected rgb8 pixels from media.decode, received ${decoded.layout}`);
  const { data, width, height, channels } = decoded;
  return { width: info.width, height: info.height, pixels: { data, width, height, channels } };
}

/** METHOD.md §1.3: the face maximising area − 2·‖box centre − image centre‖² comes first. */
function primaryFirst(faces: DetectedFace[], width: number, height: number): DetectedFace[] {
  const merit = ({ box: [x, y, w, h] }: DetectedFace) => w * h - 2 * ((x + w / 2 - width / 2) ** 2 + (y + h / 2 - height / 2) ** 2);
  return [...faces].sort((a, b) => merit(b) - merit(a));
}

function toDetectedFace(raw: RawFace, sx: number, sy: number): AnalysedFace {
  const at = (p: [number, number] | undefined): number[] => {
    if (!p) throw new MediaError('E_INTERNAL', 'expected a 468-point face mesh, received a shorter one');
    return [p[0] * sx, p[1] * sy];
  };
  const [x, y, w, h] = raw.box;
  const round = (v: number) => Math.round(v * 100) / 100;
  const face: DetectedFace = {
    box: [round(x * sx), round(y * sy), round(w * sx), round(h * sy)],
    score: Math.round(raw.score * 1000) / 1000,
    // As seen in the image: the subject's right eye and mouth corner are on the left.
    landmarks5: [...at(raw.rightEye), ...at(raw.leftEye), ...at(raw.mesh[NOSE_TIP]), ...at(raw.mesh[MOUTH_RIGHT]), ...at(raw.mesh[MOUTH_LEFT])].map(round),
    model: EMBEDDED_FACE_MODELS.detector,
  };
  if (raw.embedding.length > 0) face.embedding = raw.embedding;
  return { face, oval: raw.oval.map(([px, py]) => [px * sx, py * sy]) };
}

/** Faces in upright-image pixels, the primary face first. */
export async function analyseUpright(image: UprightPixels): Promise<AnalysedFace[]> {
  const sx = image.width / image.pixels.width, sy = image.height / image.pixels.height;
  const analysed = (await detectFaces(image.pixels)).map((raw) => toDetectedFace(raw, sx, sy));
  const order = primaryFirst(analysed.map((a) => a.face), image.width, image.height);
  return order.map((face) => analysed.find((a) => a.face === face) as AnalysedFace);
}
