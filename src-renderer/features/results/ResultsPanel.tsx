// Generated portraits: a grid with favourite, reject, stars and the client's pick; 2–4-up compare; reproduce;
// the attention maps of a portrait; send to export.
import { useState } from 'react';

import { GENERATION_SORTS, type Generation, type GenerationSort, type Project, type ReviewParams } from '../../../src-main/common/api/index.js';
import { trackJob } from '../../app/jobs-store.js';
import { toast, toastError } from '../../app/toasts.js';
import { useApi } from '../../app/use-api.js';
import { studio } from '../../bridge/studio.js';
import { Stars } from '../../components/Stars.js';
import { AttentionViewer } from '../attention/AttentionViewer.js';
import { recipeToText } from '../prompt/recipe.js';
import { CompareView } from './CompareView.js';
import { ExportDialog } from './ExportDialog.js';

type Filter = 'all' | 'favourite' | 'picked' | 'rejected';

function review(ids: number[], change: Omit<ReviewParams, 'generationIds'>) {
  studio.call('generations.review', { generationIds: ids, ...change }).catch((e: unknown) => toastError('The review was not saved', e));
}

function ResultCard({ g, selected, onSelect, onAttention }: { g: Generation; selected: boolean; onSelect: (on: boolean) => void; onAttention: () => void }) {
  const r = g.review;
  async function reproduce() {
    try {
      trackJob(await studio.call('generations.reproduce', { generationId: g.id }));
      toast('info', `Reproducing portrait #${g.id}`, 'Same seed, sampler, steps and training.');
    } catch (e) {
      toastError('This portrait cannot be reproduced', e);
    }
  }
  return (
    <li className={`result-card${r.rejected ? ' rejected' : ''}${selected ? ' selected' : ''}`} data-generation-id={g.id}>
      <label className="select-box"><input type="checkbox" checked={selected} onChange={(e) => onSelect(e.target.checked)} aria-label={`Select portrait ${g.id}`} /></label>
      <img src={studio.fileUrl(g.thumbnailBlob ?? g.imageBlob)} alt={`Portrait ${g.id}: ${g.recipe.prompt}`} loading="lazy" />
      <div className="result-actions">
        <button type="button" aria-pressed={r.favourite} className={r.favourite ? 'on' : ''} aria-label={`Favourite portrait ${g.id}`} onClick={() => review([g.id], { favourite: !r.favourite })}>♥</button>
        <button type="button" aria-pressed={r.rejected} className={r.rejected ? 'on' : ''} aria-label={`Reject portrait ${g.id}`} onClick={() => review([g.id], { rejected: !r.rejected })}>✕</button>
        <button type="button" aria-pressed={r.picked} className={r.picked ? 'on' : ''} aria-label={`Client's pick: portrait ${g.id}`} onClick={() => review([g.id], { picked: !r.picked })}>Pick</button>
        <Stars value={r.rating} onChange={(rating) => review([g.id], { rating })} label={`Rating of portrait ${g.id}`} />
      </div>
      <div className="result-actions">
        <button type="button" className="small-button" onClick={reproduce}>Reproduce</button>
        <button type="button" className="small-button" onClick={() => navigator.clipboard?.writeText(recipeToText(g.recipe)).then(() => toast('success', 'Recipe copied'), () => toast('info', 'Recipe', recipeToText(g.recipe)))}>Copy recipe</button>
        <button type="button" className="small-button" onClick={onAttention}>Attention</button>
      </div>
    </li>
  );
}

export function ResultsPanel({ project }: { project: Project }) {
  const [sort, setSort] = useState<GenerationSort>('newest');
  const [filter, setFilter] = useState<Filter>('all');
  const [selected, setSelected] = useState<number[]>([]);
  const [comparing, setComparing] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [attention, setAttention] = useState<Generation | null>(null);
  const query = { projectId: project.id, sort, limit: 500, ...(filter === 'all' ? {} : { [filter]: true }) };
  const list = useApi('generations.list', query, ['generations']);
  const items = list.data?.items ?? [];
  const chosen = items.filter((g) => selected.includes(g.id));

  if (comparing && chosen.length >= 2) return <CompareView items={chosen.slice(0, 4)} onClose={() => setComparing(false)} />;
  if (attention) return <AttentionViewer generation={attention} onClose={() => setAttention(null)} />;
  return (
    <div className="results-panel">
      <div className="toolbar">
        <label className="inline">Show
          <select value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
            <option value="all">All</option><option value="favourite">Favourites</option><option value="picked">Client’s picks</option><option value="rejected">Rejected</option>
          </select>
        </label>
        <label className="inline">Sort<select value={sort} onChange={(e) => setSort(e.target.value as GenerationSort)}>{GENERATION_SORTS.map((s) => <option key={s}>{s}</option>)}</select></label>
        <span className="muted small">{list.data ? `${list.data.total} portrait(s)` : 'Loading…'}{selected.length ? ` · ${selected.length} selected` : ''}</span>
        <span className="spacer" />
        <button type="button" disabled={chosen.length < 2 || chosen.length > 4} onClick={() => setComparing(true)} title="Select 2 to 4 portraits">Compare</button>
        <button type="button" disabled={chosen.length === 0} onClick={() => review(selected, { picked: true })}>Mark as picks</button>
        <button type="button" className="primary" onClick={() => setExporting(true)}>Export…</button>
      </div>
      {list.error && <p role="alert" className="error-text">{list.error.message} {list.error.hint}</p>}
      {list.data && items.length === 0 && <p className="muted">No portraits here yet. Generate some in the Generate tab.</p>}
      <ul className="result-grid">
        {items.map((g) => <ResultCard key={g.id} g={g} selected={selected.includes(g.id)} onAttention={() => setAttention(g)} onSelect={(on) => setSelected(on ? [...selected, g.id] : selected.filter((id) => id !== g.id))} />)}
      </ul>
      {exporting && <ExportDialog projectId={project.id} generationIds={selected} onClose={() => setExporting(false)} />}
    </div>
  );
}
