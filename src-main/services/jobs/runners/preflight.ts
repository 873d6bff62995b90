// Pre-flight of a project's selfies: the media host's faces.preflight over every source photo at once (so each
// photo's identity is compared with the others: with two or more sources a stranger among them is flagged), each
// photo's advice stored on its row with the models that made it. References are style examples of other people,
// so they are not checked against the client's face.
import type { MediaCapabilities, MediaMethods } from '../../../common/protocol/media.js';
import { FACE_LIMITS, type PreflightPhoto, type PreflightReport } from '../../../common/protocol/media-faces.js';
import type { Photo } from '../../catalog/photos-repository.js';
import type { Library } from '../../library/library.js';
import type { HostAccess } from './host-access.js';

export interface PreflightOutcome {
  /** Source photos checked (0 when the project has none). */
  checked: number;
  /** Of them, photos with an error-severity issue. */
  failing: number;
}

/** What a photo row keeps: the host's advice without the face embedding (it is per model and large), ids for indexes. */
function stored(result: PreflightPhoto, photos: readonly Photo[], report: PreflightReport, checkedAt: number): Record<string, unknown> {
  const { face, duplicateOf, ok, width, height, faceCount, faceSize, sharpness, identity, issues } = result;
  return {
    ok, width, height, faceCount, faceSize, sharpness, identity, issues,
    face: face ? { box: face.box, score: face.score, landmarks5: face.landmarks5 } : null,
    duplicateOf: duplicateOf === null ? null : (photos[duplicateOf]?.id ?? null),
    comparedWith: photos.length - 1,
    models: report.models,
    checkedAt,
  };
}

export async function preflightProject(
  library: Library,
  media: HostAccess<MediaMethods, MediaCapabilities>,
  projectId: number,
  signal?: AbortSignal,
): Promise<PreflightOutcome> {
  const { catalog } = library;
  // The host takes at most FACE_LIMITS.sources photos; a training set is 4 to 6, so the cap is only a guard.
  const photos = catalog.photos.listByProject(projectId, 'source').slice(0, FACE_LIMITS.sources[1]);
  if (photos.length === 0) return { checked: 0, failing: 0 };
  const host = await media.get();
  const sources = photos.map((photo) => ({ path: library.filePath(photo.processingBlob) }));
  const report = await host.request('faces.preflight', { sources }, signal ? { signal } : {});
  const checkedAt = Date.now();
  catalog.transaction(() => {
    // A photo deleted (or made a reference) while the host worked gets no advice.
    const current = new Set(catalog.photos.listByProject(projectId, 'source').map((p) => p.id));
    for (const result of report.photos) {
      const photo = photos[result.index];
      if (photo && current.has(photo.id)) {
        catalog.photos.setPreflight(photo.id, stored(result, photos, report, checkedAt));
      }
    }
  });
  return { checked: report.photos.length, failing: report.photos.filter((p) => !p.ok).length };
}
