// The jobs tray: every job that is waiting, running, paused or failed, with a live bar, the ETA and the controls
// that fit its state. Finished jobs leave after a moment; failed ones stay with their hint until dismissed.
import { useEffect, useState } from 'react';

import type { Job } from '../../src-main/common/api/index.js';
import { studio } from '../bridge/studio.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { dismissJob, formatEta, useJobs } from './jobs-store.js';
import { toastError } from './toasts.js';

const KIND_LABEL: Record<Job['kind'], string> = { import: 'Import', masks: 'Face mask', train: 'Training', generate: 'Portraits', postprocess: 'Finishing', export: 'Export' };

function act(what: 'jobs.cancel' | 'jobs.pause' | 'jobs.resume', job: Job): void {
  studio.call(what, { jobId: job.id }).catch((e: unknown) => toastError(`Could not ${what.slice(5)} the ${KIND_LABEL[job.kind].toLowerCase()} job`, e));
}

function JobRow({ job }: { job: Job }) {
  const p = job.progress;
  const label = `${KIND_LABEL[job.kind]} #${job.id}`;
  return (
    <li className={`job job-${job.state}`} data-job-id={job.id} data-job-kind={job.kind} data-job-state={job.state}>
      <div className="job-title">
        <strong>{label}</strong>
        <span className="job-state">{job.stopping ? `${job.stopping === 'cancel' ? 'cancelling' : 'pausing'}…` : job.state}</span>
      </div>
      {(job.state === 'running' || job.state === 'queued' || job.state === 'paused') && (
        <>
          <ProgressBar fraction={p ? p.fraction : job.state === 'queued' ? 0 : null} label={`${label} progress`} />
          <div className="job-meta">
            <span>{p?.message ?? (job.state === 'queued' ? 'Waiting for its turn' : '')}</span>
            {job.state === 'running' && <span className="eta">{formatEta(p?.etaSeconds)}</span>}
          </div>
        </>
      )}
      {job.error && (
        <p className="job-error" role="alert">
          {job.error.message}
          {job.error.hint && <span className="hint"> {job.error.hint}</span>}
        </p>
      )}
      <div className="job-actions">
        {job.kind === 'train' && job.state === 'running' && !job.stopping && <button type="button" onClick={() => act('jobs.pause', job)}>Pause</button>}
        {(job.state === 'paused' || job.state === 'failed') && <button type="button" onClick={() => act('jobs.resume', job)}>Resume</button>}
        {(job.state === 'running' || job.state === 'queued' || job.state === 'paused') && !job.stopping && <button type="button" onClick={() => act('jobs.cancel', job)}>Cancel</button>}
        {(job.state === 'failed' || job.state === 'cancelled' || job.state === 'done') && <button type="button" onClick={() => dismissJob(job.id)}>Dismiss</button>}
      </div>
    </li>
  );
}

export function JobTray() {
  const { jobs } = useJobs();
  const [open, setOpen] = useState(true);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 2000);
    return () => clearInterval(timer);
  }, []);
  // Done and cancelled jobs stay 8 s, so a quick job is seen to finish.
  const shown = [...jobs.values()].filter((j) => j.state !== 'done' && j.state !== 'cancelled' || now - (j.finishedAt ?? now) < 8000).sort((a, b) => b.id - a.id);
  const active = shown.filter((j) => j.state === 'running' || j.state === 'queued').length;
  return (
    <aside className="job-tray" aria-label="Jobs">
      <button type="button" className="job-tray-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        Jobs {active > 0 ? `· ${active} active` : ''}
      </button>
      {open && (shown.length === 0 ? <p className="muted job-empty">Nothing running.</p> : <ul className="job-list">{shown.map((job) => <JobRow key={job.id} job={job} />)}</ul>)}
    </aside>
  );
}
