// One client in the gallery: cover, last activity, consent and training badges, all from clients.summaries (no
// call per card).
import type { Client, ClientSummary } from '../../../src-main/common/api/index.js';
import { href } from '../../app/router.js';
import { studio } from '../../bridge/studio.js';
import { formatAgo } from './format.js';

const CONSENT_LABEL = { 'in-force': 'Consent', expired: 'Consent expired', revoked: 'Consent revoked', none: 'No consent' } as const;

export function ClientCard({ summary, onDelete }: { summary: ClientSummary; onDelete: (client: Client) => void }) {
  const { client } = summary;
  const target = summary.projectId ? href({ page: 'project', projectId: summary.projectId, tab: 'photos' }) : href({ page: 'client', clientId: client.id });
  return (
    <article className="client-card" data-client-id={client.id}>
      <a className="client-cover" href={target} aria-label={`Open ${client.name}`}>
        {summary.cover ? <img src={studio.fileUrl(summary.cover)} alt="" loading="lazy" /> : <span className="cover-empty" aria-hidden="true">{client.name.slice(0, 1).toUpperCase()}</span>}
      </a>
      <div className="client-info">
        <h3 className="client-name"><a href={target}>{client.name}</a></h3>
        <p className="muted small">Active {formatAgo(summary.lastActivity)}</p>
        <div className="badges">
          <span className={`badge consent-${summary.consent.state}`} title={summary.consent.scope.join(', ')}>{CONSENT_LABEL[summary.consent.state]}</span>
          {summary.training !== 'none' && <span className={`badge training-${summary.training}`}>Training {summary.training}</span>}
        </div>
      </div>
      <button type="button" className="small-button card-menu" aria-label={`Delete ${client.name}`} onClick={() => onDelete(client)}>Delete</button>
    </article>
  );
}
