// faces.* methods of the media host: analysis with the soft mask, ArcFace alignment, pre-flight and ranking.
import type { AlignedFace, DetectedFace, FaceMethods, ImageSource, RankedPortrait } from '../../common/protocol/media.js';
import type { HostHandlers } from '../../services/processes/host-server.js';
import { MediaError } from '../media-error.js';
import { applySimilarity, estimateSimilarity, rmsDistance, type Similarity, templateFor, warpSimilarity } from './alignment.js';
import { analyseWithModels, faceMask, faceModels } from '../onnx/face-steps.js';
import { analyseUpright, decodeUpright, throwIfCancelled } from './analysis.js';
import { meanSimilarity } from './identity.js';
import { differenceHash, faceSharpness } from './image-stats.js';
import { type PhotoFacts, preflightReport } from './preflight.js';

/** Alignment samples a copy at most this long: plenty for a 1024 px output, and bounded in memory. */
const ALIGN_SIDE = 2048;

async function primaryFace(source: ImageSource, signal: AbortSignal): Promise<DetectedFace | undefined> {
  const image = await decodeUpright(source, signal);
  return (await analyseWithModels(image))[0]?.face;
}

async function facts(source: ImageSource, index: number, signal: AbortSignal): Promise<PhotoFacts> {
  let image;
  try {
    image = await decodeUpright(source, signal);
  } catch (error) {
    if (!(error instanceof MediaError) || error.code === 'E_CANCELLED') throw error;
    return { index, width: 0, height: 0, faces: [], sharpness: null, hash: null, unreadable: error.message };
  }
  const faces = (await analyseWithModels(image)).map((a) => a.face);
  const first = faces[0];
  const s = image.pixels.width / image.width;
  const sharpness = first ? await faceSharpness(image.pixels, [first.box[0] * s, first.box[1] * s, first.box[2] * s, first.box[3] * s]) : null;
  return { index, width: image.width, height: image.height, faces, sharpness, hash: await differenceHash(image.pixels) };
}

export const faceHandlers: HostHandlers<FaceMethods> = {
  'faces.analyze': async ({ source, maskSize }, { signal }) => {
    const image = await decodeUpright(source, signal);
    const analysed = await analyseWithModels(image);
    const first = analysed[0];
    const mask = first ? await faceMask(image, first, maskSize) : null;
    return { width: image.width, height: image.height, faces: analysed.map((a) => a.face), mask, models: faceModels() };
  },

  'faces.align': async ({ source, landmarks5, size = 112 }, { signal }): Promise<AlignedFace> => {
    const image = await decodeUpright(source, signal, ALIGN_SIDE);
    let points = landmarks5;
    let model = 'caller landmarks';
    if (!points) {
      const face = (await analyseUpright(image))[0]?.face;
      if (!face) throw new MediaError('E_BAD_IMAGE', 'expected a photo with a face to align, received one where no face was found', 'Pass landmarks5 for this photo, or choose one where the face is clearly visible.');
      points = face.landmarks5;
      model = face.model;
    }
    const template = templateFor(size);
    const matrix = estimateSimilarity(points, template);
    // The warp samples the decoded copy, which may be smaller than the upright image the matrix speaks of.
    const s = image.pixels.width / image.width;
    const onCopy: Similarity = [matrix[0] / s, matrix[1] / s, matrix[2], matrix[3] / s, matrix[4] / s, matrix[5]];
    return {
      image: warpSimilarity(image.pixels, onCopy, size),
      matrix,
      landmarks5: points,
      residual: Math.round(rmsDistance(applySimilarity(matrix, points), template) * 1000) / 1000,
      model,
    };
  },

  'faces.preflight': async ({ sources }, { signal, progress }) => {
    const all: PhotoFacts[] = [];
    for (const [index, source] of sources.entries()) {
      throwIfCancelled(signal);
      all.push(await facts(source, index, signal));
      progress({ done: index + 1, total: sources.length });
    }
    return { photos: preflightReport(all), models: faceModels() };
  },

  'faces.rank': async ({ reference, candidates }, { signal, progress }) => {
    const total = candidates.length + ('sources' in reference ? reference.sources.length : 0);
    let done = 0;
    const step = () => progress({ done: ++done, total });
    let embeddings: number[][];
    if ('embeddings' in reference) {
      embeddings = reference.embeddings;
    } else {
      embeddings = [];
      for (const source of reference.sources) {
        throwIfCancelled(signal);
        const embedding = (await primaryFace(source, signal))?.embedding;
        if (embedding) embeddings.push(embedding);
        step();
      }
      if (embeddings.length === 0) {
        throw new MediaError('E_BAD_IMAGE', `expected at least one reference photo with a face, received ${reference.sources.length} without one`, 'Run pre-flight on the selfies and fix the photos it flags.');
      }
    }
    const ranked: RankedPortrait[] = [];
    for (const [index, source] of candidates.entries()) {
      throwIfCancelled(signal);
      const face = (await primaryFace(source, signal)) ?? null;
      const embedding = face?.embedding;
      if (embedding && embedding.length !== embeddings[0]?.length) {
        throw new MediaError('E_BAD_ARGUMENT', `expected reference embeddings of ${embedding.length} values (${faceModels().embedding}), received ${embeddings[0]?.length}`, 'They were made by another model: analyse the selfies again.');
      }
      ranked.push({ index, score: embedding ? Math.round(meanSimilarity(embedding, embeddings) * 10000) / 10000 : null, face });
      step();
    }
    ranked.sort((a, b) => (b.score ?? -Infinity) - (a.score ?? -Infinity) || a.index - b.index);
    return { ranked, referenceFaces: embeddings.length, models: faceModels() };
  },
};
