// Clients, consents and projects: thin calls into the studio's services, plus the list's search and sort.
import type { ClientMethods, ClientSort, NewConsentParams } from '../../common/api/methods/clients.js';
import type { Client } from '../../common/api/types.js';
import type { ConsentInput } from '../../services/studio/clients-service.js';
import type { HandlerContext, HandlersOf } from './handler-types.js';
import type { StagingArea } from './staging.js';

/**
 * A release uploaded from a browser is staged like a photo; the consent reads it by path (as a desktop release)
 * into the library, and the staged copy goes either way.
 */
async function withRelease<T>(staging: StagingArea, consent: NewConsentParams | undefined, work: (consent: ConsentInput | undefined) => Promise<T>): Promise<T> {
  if (!consent?.releaseUpload) return work(consent as ConsentInput | undefined);
  const { releaseUpload, ...rest } = consent;
  const path = await staging.pathOf(releaseUpload);
  try {
    return await work({ ...rest, releasePath: path });
  } finally {
    await staging.release([path]);
  }
}

const SORTS: Record<ClientSort, (a: Client, b: Client) => number> = {
  name: (a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id - b.id,
  newest: (a, b) => b.createdAt - a.createdAt || b.id - a.id,
  oldest: (a, b) => a.createdAt - b.createdAt || a.id - b.id,
  updated: (a, b) => b.updatedAt - a.updatedAt || b.id - a.id,
};

/** A photographer has hundreds of clients, not millions: filtering in memory keeps the catalog's queries fixed. */
function matches(client: Client, search: string): boolean {
  const needle = search.trim().toLocaleLowerCase();
  if (needle === '') return true;
  return [client.name, client.email, client.phone, client.notes].some((field) => field?.toLocaleLowerCase().includes(needle));
}

export function clientHandlers({ studio, staging }: HandlerContext): HandlersOf<ClientMethods> {
  return {
    'clients.create': ({ consent, ...client }) => withRelease(staging, consent, (c) => studio.clients.create({ ...client, ...(c ? { consent: c } : {}) })),
    'clients.list': ({ search = '', sort = 'name' }) => studio.clients.list().filter((c) => matches(c, search)).sort(SORTS[sort]),
    'clients.summaries': ({ search = '', sort = 'name' }) =>
      studio.clients.summaries().filter((s) => matches(s.client, search)).sort((a, b) => SORTS[sort](a.client, b.client)),
    'clients.show': ({ clientId }) => studio.clients.show(clientId),
    'clients.update': ({ clientId, changes }) => studio.clients.update(clientId, changes),
    'clients.delete': ({ clientId }) => studio.clients.delete(clientId),
    'consents.record': ({ clientId, ...consent }) => withRelease(staging, consent, (c) => studio.clients.recordConsent(clientId, c!)),
    'consents.revoke': ({ consentId }) => studio.clients.revokeConsent(consentId),
    'projects.create': (p) => studio.projects.create(p),
    'projects.list': ({ clientId }) => {
      studio.catalog.clients.get(clientId);
      return studio.projects.list(clientId);
    },
    'projects.show': ({ projectId }) => studio.projects.show(projectId),
    'projects.update': ({ projectId, changes }) => studio.projects.update(projectId, changes),
  };
}
