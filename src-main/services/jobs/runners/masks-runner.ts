// Masks job: the photo's next face mask version, stored as an 8-bit grey PNG the size of the upright photo. It is
// either drawn by the photographer (maskPath: white on the face, black elsewhere) or made by the media host's face
// analysis (faces.analyze: the soft mask of the main face, stored with the detector's landmarks). Either way the
// mask must mark a face: the trainer renormalises masks, so an all-black or all-white one would silently mean
// "the whole image".
import { readFile, stat } from 'node:fs/promises';

import sharp, { type OutputInfo } from 'sharp';

import type { FaceAnalysis, MediaCapabilities, MediaMethods } from '../../../common/protocol/media.js';
import type { Photo } from '../../catalog/photos-repository.js';
import type { Library } from '../../library/library.js';
import { LibraryError } from '../../library/library-error.js';
import { JobError } from '../job-error.js';
import type { JobContext, JobRunner, ResultOf } from '../job-types.js';
import type { HostAccess } from './host-access.js';

const MAX_MASK_BYTES = 64 * 2 ** 20;

interface MadeMask {
  png: Buffer;
  origin: 'auto' | 'edited';
  model: string | null;
  landmarks?: { model: string; points: Array<[number, number]> };
}

async function readMask(path: string): Promise<Buffer> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new LibraryError('not_found', `expected a mask image at ${path}, received nothing there`, 'Choose the mask file again.');
  if (info.size > MAX_MASK_BYTES) throw new LibraryError('too_large', `expected a mask of at most 64 MiB, received ${(info.size / 2 ** 20).toFixed(0)} MiB`);
  return readFile(path);
}

function checkMarksFace(grey: Uint8Array, what: string): void {
  let face = 0;
  for (const v of grey) if (v >= 128) face++;
  if (face === 0 || face === grey.length) {
    throw new LibraryError('corrupt_image', `expected ${what} to mark the face in white and the rest in black, received an all-${face === 0 ? 'black' : 'white'} mask`,
      'MagiCapture learns the identity from the face of each selfie and the style from the rest of each reference.');
  }
}

function greyPng(data: Uint8Array, width: number, height: number): Promise<Buffer> {
  return sharp(data, { raw: { width, height, channels: 1 } }).png().toBuffer();
}

/** A drawn mask as an upright grey PNG, after checking its size and that it marks a face. */
async function drawnMask(path: string, photo: Photo): Promise<MadeMask> {
  const bytes = await readMask(path);
  let grey: { data: Buffer; info: OutputInfo };
  try {
    const { autoOrient } = await sharp(bytes, { limitInputPixels: 200_000_000 }).metadata();
    if (autoOrient.width !== photo.width || autoOrient.height !== photo.height) {
      throw new LibraryError('corrupt_image', `expected the mask ${path} to be ${photo.width}x${photo.height} like its photo, received ${autoOrient.width}x${autoOrient.height}`,
        'Draw or export the mask on the photo as it is shown (after its EXIF rotation), at full size.');
    }
    grey = await sharp(bytes).autoOrient().flatten({ background: '#000000' }).toColourspace('b-w').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    if (error instanceof LibraryError) throw error;
    throw new LibraryError('not_an_image', `expected a mask image (PNG, JPEG, WebP or TIFF), received ${path}, which cannot be decoded`, 'Export the mask again as PNG.');
  }
  checkMarksFace(grey.data, `the mask ${path}`);
  return { png: await greyPng(grey.data, grey.info.width, grey.info.height), origin: 'edited', model: null };
}

/** The media host's mask of the photo's main face, resized to the photo if the analysis framed it smaller. */
async function analysedMask(library: Library, photo: Photo, media: HostAccess<MediaMethods, MediaCapabilities>, signal: AbortSignal): Promise<MadeMask> {
  const host = await media.get();
  const analysis: FaceAnalysis = await host.request('faces.analyze', { source: { path: library.filePath(photo.processingBlob) } }, { signal });
  const face = analysis.faces[0];
  if (!analysis.mask || !face) {
    throw new LibraryError('not_found', `expected a face in ${photo.originalName} (photo ${photo.id}), received a photo where none was found`,
      'Use a photo where the face is clearly visible, or draw its mask by hand.');
  }
  checkMarksFace(analysis.mask.data, `the automatic mask of ${photo.originalName}`);
  let png = await greyPng(analysis.mask.data, analysis.mask.width, analysis.mask.height);
  if (analysis.mask.width !== photo.width || analysis.mask.height !== photo.height) png = await sharp(png).resize(photo.width, photo.height, { fit: 'fill' }).png().toBuffer();
  // Landmarks are in the analysed frame; the stored ones are in pixels of the processing copy.
  const sx = photo.width / analysis.width;
  const sy = photo.height / analysis.height;
  const points = Array.from({ length: face.landmarks5.length / 2 }, (_, i): [number, number] => [(face.landmarks5[2 * i] as number) * sx, (face.landmarks5[2 * i + 1] as number) * sy]);
  return { png, origin: 'auto', model: analysis.models.mask, landmarks: { model: face.model, points } };
}

async function commit(library: Library, photoId: number, made: MadeMask, context: JobContext<'masks'>): Promise<ResultOf<'masks'>> {
  const { catalog } = library;
  return library.commitFiles([{ data: made.png, mediaType: 'image/png' }], ([blob]) => {
    const mask = catalog.masks.create({ photoId, origin: made.origin, model: made.model, blob: blob as string });
    if (made.landmarks) catalog.landmarks.set({ photoId, model: made.landmarks.model, points: made.landmarks.points });
    const result = { maskId: mask.id, version: mask.version };
    context.save(result);
    return result;
  });
}

export function masksRunner(library: Library, media?: HostAccess<MediaMethods, MediaCapabilities>): JobRunner<'masks'> {
  return {
    async run({ photoId, maskPath }, context) {
      // A resumed job whose mask was already committed must not add a second version.
      if (context.saved) return context.saved;
      const photo = library.catalog.photos.get(photoId);
      context.progress({ done: 0, total: 1 });
      let made: MadeMask;
      if (maskPath !== null) made = await drawnMask(maskPath, photo);
      else if (media) made = await analysedMask(library, photo, media, context.signal);
      else {
        throw new JobError('unavailable', `expected a mask file for photo ${photoId}, or a studio with its media host to find the face, received neither`,
          'Give the mask file, or open the studio with its hosts.');
      }
      const result = await commit(library, photoId, made, context);
      context.progress({ done: 1, total: 1 });
      return result;
    },
  };
}
