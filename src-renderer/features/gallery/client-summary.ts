// What a gallery card shows beyond clients.list (cover photo, consent, training state), loaded only for cards
// in view and cached until the catalog says that client changed. clients.list returns the bare rows, so a card
// costs three calls (clients.show, projects.show, photos.list) the first time it scrolls into view.
import { useEffect, useState } from 'react';

import type { ClientDetail, Consent, TrainingState } from '../../../src-main/common/api/index.js';
import { studio } from '../../bridge/studio.js';

export interface ClientSummary {
  consent: { state: 'in-force' | 'expired' | 'revoked' | 'none'; scope: string[] };
  training: TrainingState | 'none';
  cover: string | null;
  projectId: number | null;
  lastActivity: number;
}

const cache = new Map<number, Promise<ClientSummary>>();
let listening = false;

export function consentState(consents: readonly Consent[], now = Date.now()): ClientSummary['consent'] {
  const valid = consents.filter((c) => c.revokedAt === null && (c.expiresAt === null || c.expiresAt > now));
  if (valid.length > 0) return { state: 'in-force', scope: [...new Set(valid.flatMap((c) => c.scope))] };
  if (consents.length === 0) return { state: 'none', scope: [] };
  return { state: consents.some((c) => c.revokedAt === null) ? 'expired' : 'revoked', scope: [] };
}

async function load(clientId: number): Promise<ClientSummary> {
  const detail: ClientDetail = await studio.call('clients.show', { clientId });
  const project = detail.projects[0];
  let training: ClientSummary['training'] = 'none';
  let cover: string | null = null;
  let lastActivity = detail.client.updatedAt;
  if (project) {
    const [shown, photos] = await Promise.all([studio.call('projects.show', { projectId: project.id }), studio.call('photos.list', { projectId: project.id, role: 'source' })]);
    const latest = shown.trainingRuns.at(-1);
    if (latest) training = latest.state;
    cover = photos[0]?.thumbnailBlob ?? null;
    lastActivity = Math.max(lastActivity, project.updatedAt, latest?.finishedAt ?? latest?.startedAt ?? 0, photos.at(-1)?.createdAt ?? 0);
  }
  return { consent: consentState(detail.consents), training, cover, projectId: project?.id ?? null, lastActivity };
}

export function useClientSummary(clientId: number): ClientSummary | undefined {
  const [summary, setSummary] = useState<ClientSummary>();
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!listening) {
      listening = true;
      studio.on('catalog-changed', (event) => (event.clientId === null ? cache.clear() : cache.delete(event.clientId)));
    }
    return studio.on('catalog-changed', (event) => {
      if (event.clientId === clientId || event.clientId === null) setVersion((v) => v + 1);
    });
  }, [clientId]);
  useEffect(() => {
    let live = true;
    // Cards flying past during a fast scroll load nothing: only a card that stays in view 120 ms asks.
    const timer = setTimeout(() => {
      let pending = cache.get(clientId);
      if (!pending) {
        pending = load(clientId);
        cache.set(clientId, pending);
        pending.catch(() => cache.delete(clientId));
      }
      pending.then((s) => live && setSummary(s), () => undefined);
    }, cache.has(clientId) ? 0 : 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [clientId, version]);
  return summary;
}
