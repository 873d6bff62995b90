// Delivery: the picked (or selected) portraits into a folder on the studio's machine, as JPEG or PNG, with
// progress from the export job.
import { useState } from 'react';

import { DELIVERY_FORMATS, type DeliveryFormat } from '../../../src-main/common/api/index.js';
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
  const [jobId, setJobId] = useState<number | null>(null);
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
      const created = await studio.call('exports.create', { projectId, destination: destination.trim(), format, ...(format === 'jpeg' ? { quality } : {}), ...(generationIds.length ? { generationIds } : {}) });
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
          <button type="button" className="primary" disabled={!destination.trim() || (job !== undefined && job.state !== 'failed' && job.state !== 'done')} onClick={start}>Export</button>
        </div>
      </div>
    </Dialog>
  );
}
