// Selfies (the identity) and style references, each with a drop zone and a file picker.
import { useState, type DragEvent } from 'react';

import type { ImportedPhoto, PhotoRole, ProjectDetail } from '../../../src-main/common/api/index.js';
import { settled, trackJob } from '../../app/jobs-store.js';
import { toast, toastError } from '../../app/toasts.js';
import { useApi } from '../../app/use-api.js';
import { studio } from '../../bridge/studio.js';
import { importFiles, importPaths } from './import-photos.js';
import { PhotoCard } from './PhotoCard.js';

const ROLE_TEXT: Record<PhotoRole, { title: string; help: string }> = {
  source: { title: 'Selfies — the identity', help: 'Three to ten photos of the client’s face: different angles and light, eyes open, nothing covering the face.' },
  reference: { title: 'Style references', help: 'One to five portraits in the look you want: light, background, framing.' },
};

function report(files: ImportedPhoto[]): void {
  const imported = files.filter((f) => f.status === 'imported').length;
  const problems = files.filter((f) => f.status !== 'imported');
  if (problems.length === 0) toast('success', `${imported} photo${imported === 1 ? '' : 's'} imported`);
  else toast('error', `${imported} imported, ${problems.length} not`, problems.map((f) => `${f.name}: ${f.message ?? f.status}`).join(' · '), 'Refused files were not changed; duplicates are already in the project.');
}

function RoleSection({ detail, role }: { detail: ProjectDetail; role: PhotoRole }) {
  const projectId = detail.project.id;
  const photos = useApi('photos.list', { projectId, role }, ['photos', 'masks']);
  const [over, setOver] = useState(false);
  const [busy, setBusy] = useState(false);
  const inputId = `pick-${role}`;

  async function run(work: () => Promise<ImportedPhoto[]>) {
    setBusy(true);
    try {
      report(await work());
    } catch (e) {
      toastError('The import failed', e);
    } finally {
      setBusy(false);
    }
  }
  function onDrop(event: DragEvent) {
    event.preventDefault();
    setOver(false);
    const files = [...event.dataTransfer.files].filter((f) => f.type.startsWith('image/') || /\.(jpe?g|png|webp|tiff?|heic|avif)$/i.test(f.name));
    if (files.length > 0) void run(() => importFiles(projectId, role, files));
  }
  async function pickDesktop() {
    const { paths } = await studio.call('dialog.open', { kind: 'photos', title: ROLE_TEXT[role].title });
    if (paths.length > 0) await run(() => importPaths(projectId, role, paths));
  }

  return (
    <section className="role-section" aria-labelledby={`${role}-title`} data-role={role}>
      <h2 id={`${role}-title`}>{ROLE_TEXT[role].title} <span className="muted small">({role === 'source' ? detail.sources : detail.references})</span></h2>
      <div className={over ? 'drop-zone over' : 'drop-zone'} onDragOver={(e) => (e.preventDefault(), setOver(true))} onDragLeave={() => setOver(false)} onDrop={onDrop}>
        <p>{ROLE_TEXT[role].help}</p>
        <p>Drop photos here, or{' '}
          {studio.upload ? (
            <>
              <label htmlFor={inputId} className="button">Choose photos…</label>
              <input id={inputId} className="visually-hidden" type="file" accept="image/*" multiple disabled={busy}
                onChange={(e) => { const files = [...(e.target.files ?? [])]; e.target.value = ''; if (files.length) void run(() => importFiles(projectId, role, files)); }} />
            </>
          ) : <button type="button" disabled={busy} onClick={() => void pickDesktop().catch((e: unknown) => toastError('Could not open the file dialog', e))}>Choose photos…</button>}
        </p>
        {busy && <p role="status">Importing…</p>}
      </div>
      <ul className="photo-grid">
        {(photos.data ?? []).map((p) => <PhotoCard key={p.id} photo={p} projectId={projectId} hasMask={!detail.withoutMask.includes(p.id)} />)}
      </ul>
    </section>
  );
}

export function PhotosPanel({ detail }: { detail: ProjectDetail }) {
  const [detecting, setDetecting] = useState(false);
  async function detect() {
    setDetecting(true);
    try {
      const jobs = await studio.call('masks.detect', { projectId: detail.project.id });
      jobs.forEach(trackJob);
      const done = await Promise.all(jobs.map(settled));
      const failed = done.filter((j) => j.state !== 'done');
      if (failed.length) toast('error', `${failed.length} of ${done.length} masks were not found`, failed[0]?.error?.message ?? '', failed[0]?.error?.hint || 'Paint those masks by hand with “Edit mask”.');
      else toast('success', jobs.length ? `${jobs.length} face masks detected` : 'Every photo already has a mask');
    } catch (e) {
      toastError('Mask detection failed', e);
    } finally {
      setDetecting(false);
    }
  }
  const [checking, setChecking] = useState(false);
  async function preflight() {
    setChecking(true);
    try {
      const photos = await studio.call('photos.preflight', { projectId: detail.project.id });
      const failing = photos.filter((p) => p.preflight?.['ok'] === false).length;
      if (failing) toast('error', `${failing} of ${photos.length} selfies cannot train`, 'Their cards say why.');
      else toast('success', `Pre-flight done: ${photos.length} selfie${photos.length === 1 ? '' : 's'} checked`);
    } catch (e) {
      toastError('Pre-flight did not run', e);
    } finally {
      setChecking(false);
    }
  }
  return (
    <div className="photos-panel">
      <div className="toolbar">
        <button type="button" disabled={checking || detail.sources === 0} onClick={preflight}>{checking ? 'Checking…' : 'Run pre-flight'}</button>
        <span className="muted">{detail.withoutMask.length === 0 ? 'Every photo has a face mask.' : `${detail.withoutMask.length} photo(s) without a face mask.`}</span>
        <button type="button" disabled={detecting || detail.withoutMask.length === 0} onClick={detect}>{detecting ? 'Detecting…' : 'Detect missing masks'}</button>
      </div>
      <RoleSection detail={detail} role="source" />
      <RoleSection detail={detail} role="reference" />
    </div>
  );
}
