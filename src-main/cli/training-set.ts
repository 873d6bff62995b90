// Everything `magicapture train` feeds the trainer from disk: sources and style references with their masks and
// optional landmarks, decoded at the training resolution, plus the names and hashes recorded in run.json.
import type { TrainImageInput } from '../../native/lib/training.js';
import { InputError } from './input-error.js';
import { landmarksInCrop, type LandmarksFile, readLandmarks } from './landmarks-file.js';
import type { RunInput, RunSpec } from './run-dir.js';
import { decodePair, type ImageFile, listImages, matchMasks } from './training-inputs.js';

export type InputFolders = Pick<RunSpec, 'sources' | 'styles' | 'sourceMasks' | 'styleMasks' | 'resolution'> & {
  landmarks?: string;
  identityLoss: boolean;
};

export interface TrainingSet {
  sources: TrainImageInput[];
  styles: TrainImageInput[];
  inputs: RunInput[];
  landmarks?: LandmarksFile;
  /** Images with no landmarks while the identity loss is on: their items train without it. */
  withoutLandmarks: string[];
}

interface Listed {
  role: RunInput['role'];
  images: ImageFile[];
  masks: ImageFile[];
}

function checkLandmarkNames(file: LandmarksFile, path: string, listed: Listed[]): void {
  const names = listed.flatMap((l) => l.images.map((i) => i.name));
  for (const name of file.byName.keys()) {
    const count = names.filter((n) => n === name).length;
    if (count === 0) {
      throw new InputError(
        `expected the names in --landmarks ${path} to be images of --sources or --styles, received ${JSON.stringify(name)}`,
      );
    }
    if (count > 1) {
      throw new InputError(`expected ${JSON.stringify(name)} in --landmarks to name one image, received a source and a style of that name`,
        'Rename one of the two files.');
    }
  }
}

export async function loadTrainingSet(folders: InputFolders): Promise<TrainingSet> {
  const sourceImages = await listImages(folders.sources, 'sources');
  const styleImages = await listImages(folders.styles, 'styles');
  const listed: Listed[] = [
    { role: 'source', images: sourceImages, masks: await matchMasks(sourceImages, folders.sourceMasks, 'source-masks', 'sources') },
    { role: 'style', images: styleImages, masks: await matchMasks(styleImages, folders.styleMasks, 'style-masks', 'styles') },
  ];
  const landmarks = folders.landmarks === undefined ? undefined : await readLandmarks(folders.landmarks);
  if (landmarks && folders.landmarks) checkLandmarkNames(landmarks, folders.landmarks, listed);

  const set: TrainingSet = { sources: [], styles: [], inputs: [], withoutLandmarks: [], ...(landmarks ? { landmarks } : {}) };
  for (const { role, images, masks } of listed) {
    for (const [i, image] of images.entries()) {
      const mask = masks[i] as ImageFile;
      const pair = await decodePair(image, mask, role, folders.resolution);
      const points = landmarks?.byName.get(image.name);
      const input: TrainImageInput = { image: pair.image, faceMask: pair.faceMask };
      if (points && folders.identityLoss) input.landmarks = landmarksInCrop(points, pair.crop, image.name);
      if (!points && folders.identityLoss) set.withoutLandmarks.push(image.name);
      (role === 'source' ? set.sources : set.styles).push(input);
      set.inputs.push({ role, file: image.name, sha256: pair.imageSha256, mask: mask.name, maskSha256: pair.maskSha256 });
    }
  }
  return set;
}

/** Resuming trains on the data the run started with, or not at all. */
export function checkSameInputs(recorded: RunInput[], now: RunInput[], landmarksBefore?: string, landmarksNow?: string): void {
  const key = (i: RunInput) => `${i.role} ${i.file}`;
  const before = new Map(recorded.map((i) => [key(i), i]));
  const changes: string[] = [];
  for (const input of now) {
    const old = before.get(key(input));
    before.delete(key(input));
    if (!old) changes.push(`${input.role} ${input.file} was added`);
    else if (old.sha256 !== input.sha256) changes.push(`${input.role} ${input.file} changed`);
    else if (old.mask !== input.mask || old.maskSha256 !== input.maskSha256) changes.push(`the mask of ${input.file} changed`);
  }
  for (const old of before.values()) changes.push(`${old.role} ${old.file} was removed`);
  if (landmarksBefore !== landmarksNow) changes.push('the landmarks file changed');
  if (changes.length > 0) {
    throw new InputError(
      `expected the inputs this run started with, received other files: ${changes.slice(0, 5).join(', ')}` +
        (changes.length > 5 ? ` and ${changes.length - 5} more` : ''),
      'Put the original files back, or start a new run with --out on another folder.',
    );
  }
}
