// Delivery: the picked (or selected) portraits into a folder on the studio's machine, as JPEG or PNG, with
// progress from the export job. Names come from a template ({client} {title} {date} {n}); the first ones are
// previewed with the same code the job names files with.
import { useState } from 'react';

import { DEFAULT_FILE_NAME, DELIVERY_FORMATS, type DeliveryFormat, type ExportUpscale, localDate, previewNames, templateProblem } from '../../../src-main/common/api/index.js';
import { useApi } from '../../app/use-api.js';
import { formatEta, settled, trackJob, useJobs } from '../../app/jobs-store.js';
import { toast, toastError } from '../../app/toasts.js';
import { studio } from '../../bridge/studio.js';
import { Dialog } from '../../components/Dialog.js';
import { ProgressBar } from '../../components/ProgressBar.js';

const PRESETS: Record<string, { format: DeliveryFormat; quality: number }> = {
  'Web and social (JPEG 85)': { format: 'jpeg', quality: 85 },
  'Print (JPEG 95)': { format: 'jpeg', quality: 95 },
  'Archive (PNG, lossless)': { format: 'png', quality: 100 },
};

export function ExportDialog({ projectId, generationIds, onClose }: { projectId: number; generationIds: number[]; onClose: () => void }) {
  const [preset, setPreset] = useState('Print (JPEG 95)');
  const [format, setFormat] = useState<DeliveryFormat>('jpeg');
  const [quality, setQuality] = useState(95);
  const [destination, setDestination] = useState('');
  const [fileName, setFileName] = useState(DEFAULT_FILE_NAME);
  const [longEdge, setLongEdge] = useState('');
  const [upscale, setUpscale] = useState<ExportUpscale>('off');
  const [jobId, setJobId] = useState<number | null>(null);
  const shown = useApi('projects.show', { projectId });
  const clientId = shown.data?.project.clientId;
  const client = useApi('clients.show', clientId === undefined ? null : { clientId });
  const picked = useApi('generations.list', generationIds.length ? null : { projectId, picked: true, limit: 1 });
  const total = generationIds.length || picked.data?.total || 0;
  const problem = templateProblem(fileName);
  const edge = longEdge.trim() === '' ? undefined : Number(longEdge);
  const edgeProblem = edge !== undefined && !(Number.isInteger(edge) && edge >= 256 && edge <= 8192) ? `expected a long edge from 256 to 8192 pixels, received ${longEdge}` : null;
  const preview = problem || !shown.data || !client.data || total === 0
    ? []
    : previewNames(fileName, { client: client.data.client.name, title: shown.data.project.name, date: localDate(new Date()) }, total, format === 'jpeg' ? 'jpg' : 'png');
  const { jobs } = useJobs();
  const job = jobId === null ? undefined : jobs.get(jobId);

  async function pickFolder() {
    try {
      const { paths } = await studio.call('dialog.open', { kind: 'folder', title: 'Deliver into' });
      if (paths[0]) setDestination(paths[0]);
    } catch (e) {
      toastError('Could not open the folder dialog', e);
    }
  }

  async function start() {
    try {
      const created = await studio.call('exports.create', {
        projectId, destination: destination.trim(), format, fileName, upscale,
        ...(format === 'jpeg' ? { quality } : {}), ...(edge === undefined ? {} : { longEdge: edge }), ...(generationIds.length ? { generationIds } : {}),
      });
      trackJob(created);
      setJobId(created.id);
      const done = await settled(created);
      if (done.state === 'done') toast('success', 'Export finished', `Files are in ${destination.trim()}.`);
      else toast('error', `The export ${done.state}`, done.error?.message ?? '', done.error?.hint ?? '');
    } catch (e) {
      toastError('The export did not start', e);
    }
  }

  return (
    <Dialog title="Export portraits" onClose={onClose}>
      <div className="form">
        <p>{generationIds.length ? `${generationIds.length} selected portrait(s).` : 'Every portrait the client picked in proofing.'}</p>
        <label>Preset
          <select value={preset} onChange={(e) => { setPreset(e.target.value); const p = PRESETS[e.target.value]; if (p) { setFormat(p.format); setQuality(p.quality); } }}>
            {Object.keys(PRESETS).map((p) => <option key={p}>{p}</option>)}
          </select>
        </label>
        <div className="row">
          <label>Format<select value={format} onChange={(e) => setFormat(e.target.value as DeliveryFormat)}>{DELIVERY_FORMATS.map((f) => <option key={f}>{f}</option>)}</select></label>
          {format === 'jpeg' && <label>Quality<input type="number" min={1} max={100} value={quality} onChange={(e) => setQuality(Number(e.target.value))} /></label>}
        </div>
        <label>File names
          <input value={fileName} aria-invalid={problem !== null} onChange={(e) => setFileName(e.target.value)} />
        </label>
        <p className="muted small">{'{client} {title} {date} {n}; "/" makes a subfolder.'}</p>
        {problem ? <p className="error-text">{problem}</p> : (
          <ul aria-label="First file names" className="small">{preview.map((name) => <li key={name}>{name}</li>)}{total > preview.length && <li className="muted">… {total} files in all</li>}</ul>
        )}
        <div className="row">
          <label>Long edge (px, optional)<input type="number" min={256} max={8192} step={1} placeholder="as generated" value={longEdge} onChange={(e) => setLongEdge(e.target.value)} /></label>
          <label>Upscale<select value={String(upscale)} onChange={(e) => setUpscale((['2', '4'].includes(e.target.value) ? Number(e.target.value) : e.target.value) as ExportUpscale)}>
            <option value="off">Off</option><option value="auto">When smaller than the long edge</option><option value="2">2×</option><option value="4">4×</option>
          </select></label>
        </div>
        {edgeProblem && <p className="error-text">{edgeProblem}</p>}
        <label>Folder on the studio computer
          <span className="row">
            <input required value={destination} placeholder="/home/studio/Deliveries/client" onChange={(e) => setDestination(e.target.value)} />
            {studio.transport === 'ipc' && <button type="button" onClick={pickFolder}>Choose…</button>}
          </span>
        </label>
        {job && (
          <div aria-live="polite">
            <ProgressBar fraction={job.progress?.fraction ?? null} label="Export progress" />
            <p className="small">{job.state === 'done' ? `Done: ${destination}` : job.progress?.message ?? job.state} {job.state === 'running' ? formatEta(job.progress?.etaSeconds) : ''}</p>
          </div>
        )}
        <div className="actions">
          <button type="button" onClick={onClose}>{job?.state === 'done' ? 'Close' : 'Cancel'}</button>
          <button type="button" className="primary" disabled={!destination.trim() || problem !== null || edgeProblem !== null || (job !== undefined && job.state !== 'failed' && job.state !== 'done')} onClick={start}>Export</button>
        </div>
      </div>
    </Dialog>
  );
}
