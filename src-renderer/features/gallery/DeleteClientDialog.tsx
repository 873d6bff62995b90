// Deleting a client erases everything of theirs; the dialog lists it, and asks for the name typed back.
import { useState } from 'react';

import type { Client } from '../../../src-main/common/api/index.js';
import { navigate } from '../../app/router.js';
import { toast, toastError } from '../../app/toasts.js';
import { useApi } from '../../app/use-api.js';
import { studio } from '../../bridge/studio.js';
import { Dialog } from '../../components/Dialog.js';

export function DeleteClientDialog({ client, onClose }: { client: Client; onClose: () => void }) {
  const detail = useApi('clients.show', { clientId: client.id });
  const project = detail.data?.projects[0];
  const shown = useApi('projects.show', project ? { projectId: project.id } : null);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const p = shown.data;

  async function erase() {
    setBusy(true);
    try {
      const result = await studio.call('clients.delete', { clientId: client.id });
      toast('success', `${client.name} was deleted`, `${result.removedFiles} files erased.`);
      onClose();
      navigate({ page: 'gallery' });
    } catch (e) {
      toastError(`${client.name} was not deleted`, e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Delete ${client.name}?`} onClose={onClose}>
      <p>This erases, for good:</p>
      <ul className="erase-list">
        <li>the client record and {detail.data ? detail.data.consents.length : '…'} consent record(s) with their signed releases</li>
        <li>{detail.data ? detail.data.projects.length : '…'} project(s){p ? `: ${p.sources} selfies, ${p.references} style references and their face masks` : ''}</li>
        <li>{p ? p.trainingRuns.length : '…'} trained model(s)</li>
        <li>{p ? p.generations : '…'} generated portrait(s)</li>
        {detail.data && detail.data.jobs.length > 0 && <li>{detail.data.jobs.length} unfinished job(s), cancelled first</li>}
      </ul>
      <p className="muted small">Files already exported to delivery folders stay where they are.</p>
      <label>Type <strong>{client.name}</strong> to confirm<input value={typed} onChange={(e) => setTyped(e.target.value)} /></label>
      <div className="actions">
        <button type="button" autoFocus onClick={onClose}>Keep</button>
        <button type="button" className="danger" disabled={busy || typed.trim() !== client.name} onClick={erase}>{busy ? 'Deleting…' : 'Delete everything'}</button>
      </div>
    </Dialog>
  );
}
