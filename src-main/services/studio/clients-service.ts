// Clients and their consents. Deleting a client cancels their jobs first and waits until the running one has
// stopped (an engine host still writing a checkpoint into a folder being deleted would leave it behind), then
// removes every row and every library file of theirs (Library.deleteClient).
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';

import { type ClientSummary, listClientSummaries } from '../catalog/client-summaries.js';
import type { Client, ClientChanges } from '../catalog/clients-repository.js';
import type { Consent, ConsentScope } from '../catalog/consents-repository.js';
import type { Project } from '../catalog/projects-repository.js';
import { fields } from '../catalog/validate.js';
import { absolutePath } from '../jobs/job-request.js';
import type { JobView } from '../jobs/job-types.js';
import type { DeletedClient, FileToStore } from '../library/library.js';
import { LibraryError } from '../library/library-error.js';
import type { StudioContext } from './studio-context.js';

export interface ConsentInput {
  signedBy: string;
  /** Milliseconds since 1970; default now. */
  signedAt?: number;
  scope: ConsentScope[];
  expiresAt?: number | null;
  /** The signed release (a PDF, or a photo of the paper form), kept in the library. */
  releasePath?: string;
}

export interface NewClientInput {
  name: string;
  email?: string | null;
  phone?: string | null;
  notes?: string;
  consent?: ConsentInput;
}

export interface ClientDetails {
  client: Client;
  consents: Consent[];
  projects: Project[];
  /** Jobs that have not finished (queued, running, paused, failed). */
  jobs: JobView[];
}

const RELEASE_TYPES: Record<string, string> = { '.pdf': 'application/pdf', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.tif': 'image/tiff', '.tiff': 'image/tiff' };
const MAX_RELEASE_BYTES = 50 * 2 ** 20;

async function readRelease(path: string): Promise<FileToStore> {
  const mediaType = RELEASE_TYPES[extname(path).toLowerCase()];
  if (!mediaType) throw new LibraryError('unsupported_format', `expected the signed release as PDF, JPEG, PNG, WebP or TIFF, received ${path}`);
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) throw new LibraryError('not_found', `expected the signed release at ${path}, received nothing there`);
  if (info.size > MAX_RELEASE_BYTES) throw new LibraryError('too_large', `expected a release of at most 50 MiB, received ${(info.size / 2 ** 20).toFixed(0)} MiB`);
  return { data: await readFile(path), mediaType };
}

export class ClientsService {
  constructor(private readonly studio: StudioContext) {}

  /** Creates the client and, when given, their consent; a refused consent leaves no client behind. */
  async create(input: NewClientInput): Promise<ClientDetails> {
    const f = fields(input, 'new client', ['name', 'email', 'phone', 'notes', 'consent']);
    const { consent, ...details } = f;
    const client = this.studio.catalog.clients.create(details as unknown as NewClientInput);
    if (consent !== undefined) {
      try {
        await this.recordConsent(client.id, consent as ConsentInput);
      } catch (error) {
        this.studio.catalog.clients.delete(client.id);
        throw error;
      }
    }
    return this.show(client.id);
  }

  /** Every client with what a gallery card shows of them, in one catalog query. */
  summaries(): ClientSummary[] {
    return listClientSummaries(this.studio.catalog.db);
  }

  list(): Client[] {
    return this.studio.catalog.clients.list();
  }

  show(clientId: number): ClientDetails {
    const { catalog, jobs } = this.studio;
    const client = catalog.clients.get(clientId);
    return {
      client,
      consents: catalog.consents.listByClient(clientId),
      projects: catalog.projects.listByClient(clientId),
      jobs: jobs.list({ clientId }).filter((job) => job.state !== 'done' && job.state !== 'cancelled'),
    };
  }

  update(clientId: number, changes: ClientChanges): Client {
    return this.studio.catalog.clients.update(clientId, changes);
  }

  async recordConsent(clientId: number, input: ConsentInput): Promise<Consent> {
    const f = fields(input, 'consent', ['signedBy', 'signedAt', 'scope', 'expiresAt', 'releasePath']);
    // The consents repository checks the other fields; a refused consent discards the release file it stored.
    const releasePath = f['releasePath'] === undefined ? undefined : absolutePath(f['releasePath'], 'releasePath');
    return this.studio.library.addConsent({
      clientId,
      signedBy: f['signedBy'] as string,
      signedAt: (f['signedAt'] as number | undefined) ?? Date.now(),
      scope: f['scope'] as ConsentScope[],
      expiresAt: (f['expiresAt'] as number | null | undefined) ?? null,
      ...(releasePath === undefined ? {} : { release: await readRelease(releasePath) }),
    });
  }

  revokeConsent(consentId: number): Consent {
    return this.studio.catalog.consents.revoke(consentId);
  }

  /** Cancels the client's jobs, waits for the running one to stop, then deletes every row and file of theirs. */
  async delete(clientId: number): Promise<DeletedClient> {
    const { catalog, jobs, library } = this.studio;
    catalog.clients.get(clientId);
    const open = jobs.list({ clientId }).filter((job) => job.state !== 'done' && job.state !== 'cancelled');
    for (const job of open) jobs.cancel(job.id);
    await Promise.all(open.map((job) => jobs.waitFor(job.id)));
    return library.deleteClient(clientId);
  }
}
