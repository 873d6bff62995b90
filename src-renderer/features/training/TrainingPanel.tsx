// Training: a preset (quick, standard, best) and the expert settings, an estimate before starting, then the run
// live (phase, step, ETA, loss curves) with pause, resume and cancel, and the history of runs with their settings.
import { useEffect, useState } from 'react';

import { PRESET_STEPS, TRAINING_PRESETS, type AdvancedTrainingSettings, type ProjectDetail, type TrainingEstimate, type TrainingPreset, type TrainingRunDetail } from '../../../src-main/common/api/index.js';
import { formatEta, trackJob, useJobs } from '../../app/jobs-store.js';
import { toastError } from '../../app/toasts.js';
import { useApi } from '../../app/use-api.js';
import { studio } from '../../bridge/studio.js';
import { ProgressBar } from '../../components/ProgressBar.js';
import { LossChart } from './LossChart.js';

const PRESET_TEXT: Record<TrainingPreset, string> = { quick: 'Quick preview', standard: 'Standard (the paper’s run)', best: 'Best (longest)' };
const FIELDS: Array<[keyof AdvancedTrainingSettings, string, number, number]> = [
  ['stepsTi', 'Phase 1 steps (identity and style tokens)', 0, 100_000],
  ['stepsLora', 'Phase 2 steps (LoRA)', 0, 100_000],
  ['rank', 'LoRA rank', 1, 128],
  ['resolution', 'Training resolution (px, multiple of 64)', 64, 2048],
  ['seed', 'Seed', 0, 2 ** 31 - 1],
  ['checkpointEvery', 'Checkpoint every (steps)', 1, 100_000],
];

function formatSeconds(s: number | null): string {
  if (s === null) return 'unknown until a first training finishes on this machine';
  return s < 90 ? `about ${Math.round(s)} s` : s < 5400 ? `about ${Math.round(s / 60)} min` : `about ${(s / 3600).toFixed(1)} h`;
}

function RunControls({ run }: { run: TrainingRunDetail }) {
  const { jobs, losses } = useJobs();
  const job = run.job ? jobs.get(run.job.id) ?? run.job : null;
  const act = (what: 'training.pause' | 'training.resume' | 'training.cancel') =>
    studio.call(what, { trainingRunId: run.run.id }).then((d) => d.job && trackJob(d.job), (e: unknown) => toastError(`Could not ${what.slice(9)} the training`, e));
  const p = job?.progress;
  const detail = p?.detail as { phase?: number } | null | undefined;
  const state = job?.state ?? run.run.state;
  return (
    <div className="run-live" data-run-id={run.run.id} data-state={state}>
      <div className="row">
        <strong>Run #{run.run.id}</strong>
        <span className="badge">{job?.stopping ? `${job.stopping === 'cancel' ? 'cancelling' : 'pausing'}…` : state}</span>
        {detail?.phase && <span className="muted">Phase {detail.phase} of 2</span>}
        <span className="spacer" />
        {state === 'running' && <button type="button" onClick={() => act('training.pause')}>Pause</button>}
        {(state === 'paused' || state === 'failed') && <button type="button" onClick={() => act('training.resume')}>Resume</button>}
        {(state === 'running' || state === 'paused' || state === 'queued' || state === 'pending') && <button type="button" onClick={() => act('training.cancel')}>Cancel</button>}
      </div>
      <ProgressBar fraction={p ? p.fraction : null} label={`Training run ${run.run.id}`} />
      <div className="job-meta"><span>{p?.message ?? 'Waiting for the engine…'}</span>{state === 'running' && <span className="eta">{formatEta(p?.etaSeconds)}</span>}</div>
      {job?.error && <p className="error-text" role="alert">{job.error.message} {job.error.hint}</p>}
      <LossChart points={job ? losses.get(job.id) ?? [] : []} />
    </div>
  );
}

export function TrainingPanel({ detail }: { detail: ProjectDetail }) {
  const projectId = detail.project.id;
  const [preset, setPreset] = useState<TrainingPreset>('standard');
  const [advanced, setAdvanced] = useState<AdvancedTrainingSettings>({});
  const [initializer, setInitializer] = useState('');
  const [estimate, setEstimate] = useState<TrainingEstimate>();
  const [busy, setBusy] = useState(false);
  const runs = useApi('training.list', { projectId }, ['trainingRuns', 'jobs']);
  const settings: AdvancedTrainingSettings = { ...advanced, ...(initializer.trim() ? { initializerToken: initializer.trim() } : {}) };
  const params = { projectId, preset, ...(Object.keys(settings).length ? { advanced: settings } : {}) };
  const key = JSON.stringify(params);

  useEffect(() => {
    const timer = setTimeout(() => studio.call('training.estimate', JSON.parse(key) as typeof params).then(setEstimate, () => setEstimate(undefined)), 250);
    return () => clearTimeout(timer);
    // `detail` changes when photos or masks do, which changes the problems.
  }, [key, detail]);

  async function start() {
    setBusy(true);
    try {
      const run = await studio.call('training.start', params);
      if (run.job) trackJob(run.job);
      runs.reload();
    } catch (e) {
      toastError('The training did not start', e);
    } finally {
      setBusy(false);
    }
  }

  const open = (runs.data ?? []).filter((r) => ['pending', 'running', 'paused', 'failed'].includes(r.run.state) || (r.job && ['queued', 'running', 'paused'].includes(r.job.state)));
  const history = [...(runs.data ?? [])].reverse();
  return (
    <div className="training-panel">
      <section aria-labelledby="train-settings">
        <h2 id="train-settings">Settings</h2>
        <div role="radiogroup" aria-label="Preset" className="segmented">
          {TRAINING_PRESETS.map((p) => (
            <label key={p} className={p === preset ? 'active' : ''}>
              <input type="radio" name="preset" value={p} checked={p === preset} onChange={() => setPreset(p)} />
              {PRESET_TEXT[p]} <span className="muted small">{PRESET_STEPS[p].stepsTi} + {PRESET_STEPS[p].stepsLora} steps</span>
            </label>
          ))}
        </div>
        <details className="advanced">
          <summary>Advanced settings</summary>
          <div className="grid-form">
            {FIELDS.map(([k, label, min, max]) => (
              <label key={k}>{label}
                <input type="number" min={min} max={max} placeholder="preset" value={advanced[k] ?? ''}
                  onChange={(e) => { const next = { ...advanced }; if (e.target.value === '') delete next[k]; else (next as Record<string, number>)[k] = Number(e.target.value); setAdvanced(next); }} />
              </label>
            ))}
            <label>Initializer word<input placeholder="person" value={initializer} onChange={(e) => setInitializer(e.target.value)} /></label>
          </div>
        </details>
        <div className="estimate" aria-live="polite" data-testid="estimate">
          {estimate ? (
            <>
              <p>{estimate.preset === 'custom' ? 'Custom run' : PRESET_TEXT[estimate.preset]}: {estimate.steps.ti} + {estimate.steps.lora} = {estimate.steps.total} steps, {formatSeconds(estimate.seconds)}. {estimate.sourcePhotos} selfies, {estimate.referencePhotos} references.</p>
              {estimate.problems.length > 0 && <ul className="problems">{estimate.problems.map((p) => <li key={p} className="pf-error">{p}</li>)}</ul>}
            </>
          ) : <p className="muted">Estimating…</p>}
        </div>
        <button type="button" className="primary" disabled={busy || !estimate || estimate.problems.length > 0} onClick={start}>{busy ? 'Starting…' : 'Start training'}</button>
      </section>
      {open.length > 0 && (
        <section aria-labelledby="train-live">
          <h2 id="train-live">In progress</h2>
          {open.map((r) => <RunControls key={r.run.id} run={r} />)}
        </section>
      )}
      <section aria-labelledby="train-history">
        <h2 id="train-history">Runs</h2>
        {history.length === 0 ? <p className="muted">No training yet.</p> : (
          <table className="table">
            <thead><tr><th>Run</th><th>State</th><th>Settings</th><th>Started</th><th>Finished</th></tr></thead>
            <tbody>
              {history.map((r) => (
                <tr key={r.run.id} data-run-id={r.run.id} data-state={r.run.state}>
                  <td>#{r.run.id}</td>
                  <td>{r.run.state}{r.run.error ? `: ${r.run.error}` : ''}</td>
                  <td className="small mono">{Object.entries(r.run.config).filter(([, v]) => typeof v !== 'object').slice(0, 8).map(([k, v]) => `${k} ${String(v)}`).join(' · ')}</td>
                  <td>{r.run.startedAt ? new Date(r.run.startedAt).toLocaleString() : '—'}</td>
                  <td>{r.run.finishedAt ? new Date(r.run.finishedAt).toLocaleString() : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
