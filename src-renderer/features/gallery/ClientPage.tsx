// A client without the usual single project, or with several: their consents and projects.
import { useState } from 'react';

import { href, navigate } from '../../app/router.js';
import { toastError } from '../../app/toasts.js';
import { useApi } from '../../app/use-api.js';
import { studio } from '../../bridge/studio.js';
import { consentState } from './client-summary.js';
import { formatDate } from './format.js';

export function ClientPage({ clientId }: { clientId: number }) {
  const detail = useApi('clients.show', { clientId }, ['clients', 'projects']);
  const [busy, setBusy] = useState(false);
  const d = detail.data;
  if (detail.error) return <p role="alert" className="error-text">{detail.error.message} {detail.error.hint}</p>;
  if (!d) return <p className="muted">Loading…</p>;
  const consent = consentState(d.consents);
  async function newProject() {
    setBusy(true);
    try {
      const project = await studio.call('projects.create', { clientId, name: `${d?.client.name ?? 'Client'} — portraits` });
      navigate({ page: 'project', projectId: project.id, tab: 'photos' });
    } catch (e) {
      toastError('The project was not created', e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumbs"><a href={href({ page: 'gallery' })}>Clients</a> / {d.client.name}</nav>
      <h1>{d.client.name}</h1>
      <p>Consent: {consent.state === 'in-force' ? consent.scope.join(', ') : consent.state}</p>
      <ul>{d.consents.map((c) => <li key={c.id}>Signed by {c.signedBy} on {formatDate(c.signedAt)} for {c.scope.join(', ')}{c.expiresAt ? `, until ${formatDate(c.expiresAt)}` : ''}{c.revokedAt ? ' (revoked)' : ''}</li>)}</ul>
      <h2>Projects</h2>
      <ul>{d.projects.map((p) => <li key={p.id}><a href={href({ page: 'project', projectId: p.id, tab: 'photos' })}>{p.name}</a></li>)}</ul>
      <button type="button" className="primary" disabled={busy} onClick={newProject}>New project</button>
    </section>
  );
}
