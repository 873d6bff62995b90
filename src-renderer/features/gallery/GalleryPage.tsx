// The client gallery: every client as a card, searchable and sortable, virtualised for large studios.
import { useDeferredValue, useState } from 'react';

import { CLIENT_SORTS, type Client, type ClientSort } from '../../../src-main/common/api/index.js';
import { useApi } from '../../app/use-api.js';
import { VirtualGrid } from '../../components/VirtualGrid.js';
import { ClientCard } from './ClientCard.js';
import { CreateClientDialog } from './CreateClientDialog.js';
import { DeleteClientDialog } from './DeleteClientDialog.js';

const SORT_LABEL: Record<ClientSort, string> = { name: 'Name', newest: 'Newest', oldest: 'Oldest', updated: 'Recently active' };

export function GalleryPage() {
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<ClientSort>('updated');
  const deferred = useDeferredValue(search.trim());
  // Photos and training runs change a card's cover and badges too.
  const clients = useApi('clients.summaries', deferred === '' ? { sort } : { search: deferred, sort }, ['clients', 'projects', 'photos', 'trainingRuns']);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Client | null>(null);
  const items = clients.data ?? [];
  return (
    <section className="page gallery" aria-labelledby="gallery-title">
      <div className="toolbar">
        <h1 id="gallery-title">Clients</h1>
        <input type="search" aria-label="Search clients" placeholder="Search name, e-mail, phone, notes" value={search} onChange={(e) => setSearch(e.target.value)} />
        <label className="inline">
          Sort
          <select value={sort} onChange={(e) => setSort(e.target.value as ClientSort)}>
            {CLIENT_SORTS.map((s) => <option key={s} value={s}>{SORT_LABEL[s]}</option>)}
          </select>
        </label>
        <span className="muted small" aria-live="polite">{clients.data ? `${items.length} client${items.length === 1 ? '' : 's'}` : 'Loading…'}</span>
        <button type="button" className="primary" onClick={() => setCreating(true)}>New client</button>
      </div>
      {clients.error && <p role="alert" className="error-text">{clients.error.message} {clients.error.hint}</p>}
      {clients.data && items.length === 0 && (
        <div className="empty-state">
          <p>{deferred ? `No client matches “${deferred}”.` : 'No clients yet. Start with the first one: their consent, then their photos.'}</p>
        </div>
      )}
      <VirtualGrid items={items} itemWidth={236} rowHeight={292} label="Clients" keyOf={(s) => s.client.id} render={(s) => <ClientCard summary={s} onDelete={setDeleting} />} />
      {creating && <CreateClientDialog onClose={() => setCreating(false)} />}
      {deleting && <DeleteClientDialog client={deleting} onClose={() => setDeleting(null)} />}
    </section>
  );
}
