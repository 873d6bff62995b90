// One imported photo with its pre-flight in place: what the face analysis found and what to do about it.
import type { Photo } from '../../../src-main/common/api/index.js';
import { href } from '../../app/router.js';
import { studio } from '../../bridge/studio.js';

interface PreflightView {
  ok?: boolean;
  faceSize?: number | null;
  sharpness?: number | null;
  identity?: number | null;
  duplicateOf?: number | null;
  issues?: Array<{ code: string; severity: 'error' | 'warning'; message: string }>;
}

function preflightLines(p: PreflightView): Array<{ level: 'ok' | 'warning' | 'error'; text: string }> {
  const lines: Array<{ level: 'ok' | 'warning' | 'error'; text: string }> = [];
  for (const issue of p.issues ?? []) lines.push({ level: issue.severity, text: issue.message });
  if (lines.length === 0) {
    const facts = [p.faceSize != null ? `face ${Math.round(p.faceSize * 100)}% of the frame` : null, p.identity != null ? `same person ${Math.round(p.identity * 100)}%` : null].filter(Boolean);
    lines.push({ level: 'ok', text: `Good to train${facts.length ? `: ${facts.join(', ')}` : ''}.` });
  }
  return lines;
}

export function PhotoCard({ photo, hasMask, projectId }: { photo: Photo; hasMask: boolean; projectId: number }) {
  const pre = photo.preflight as PreflightView | null;
  return (
    <li className="photo-card" data-photo-id={photo.id}>
      <img src={studio.fileUrl(photo.thumbnailBlob)} alt={photo.originalName} width={160} height={Math.round(160 * photo.height / photo.width)} />
      <div className="photo-info">
        <span className="photo-name" title={photo.originalName}>{photo.originalName}</span>
        <span className="muted small">{photo.width} × {photo.height}</span>
        <ul className="preflight" aria-label={`Pre-flight of ${photo.originalName}`}>
          {pre ? preflightLines(pre).map((l, i) => <li key={i} className={`pf-${l.level}`}>{l.text}</li>) : <li className="muted">Pre-flight not run yet.</li>}
          <li className={hasMask ? 'pf-ok' : 'pf-warning'}>{hasMask ? 'Face mask ready.' : 'No face mask yet: detect one or paint it.'}</li>
        </ul>
        <a className="button" href={href({ page: 'mask', projectId, photoId: photo.id })} aria-label={`Edit the mask of ${photo.originalName}`}>Edit mask</a>
      </div>
    </li>
  );
}
