// Clients, their consent records and their projects.
import { absolutePath, fail, id, list, name, object, oneOf, optional, optionalOneOf, params, refuse, set, sha256, text, timestamp } from '../check.js';
import { CONSENT_SCOPES, type Client, type ClientDetail, type ClientSummary, type Consent, type ConsentScope, type Project, type ProjectDetail } from '../types.js';
import { byId, type MethodRules } from './rules.js';

export interface NewConsentParams {
  /** Who signed (the client, or a parent for a minor). */
  signedBy: string;
  /** Default: now. */
  signedAt?: number;
  scope: ConsentScope[];
  expiresAt?: number | null;
  /** The signed release (PDF or a photo of the paper form) on the studio's machine, kept in the library. */
  releasePath?: string;
  /** The same sent from a browser with POST /files first; the name's extension says PDF, JPEG, PNG, WebP or TIFF. */
  releaseUpload?: { sha256: string; name: string };
}

export interface ClientFields {
  name: string;
  email?: string | null;
  phone?: string | null;
  notes?: string;
}

export const CLIENT_SORTS = ['name', 'newest', 'oldest', 'updated'] as const;
export type ClientSort = (typeof CLIENT_SORTS)[number];

export interface ProjectFields {
  name: string;
  subjectToken?: string;
  styleToken?: string;
  notes?: string;
}

export interface ClientMethods {
  'clients.create': { params: ClientFields & { consent?: NewConsentParams }; result: ClientDetail };
  /** `search` matches name, e-mail, phone and notes, ignoring case. */
  'clients.list': { params: { search?: string; sort?: ClientSort }; result: Client[] };
  /** clients.list with what each gallery card shows (cover, consent, training, last activity), in one query. */
  'clients.summaries': { params: { search?: string; sort?: ClientSort }; result: ClientSummary[] };
  'clients.show': { params: { clientId: number }; result: ClientDetail };
  'clients.update': { params: { clientId: number; changes: Partial<ClientFields> }; result: Client };
  /** Cancels the client's jobs, then removes every project, photo, mask, model, portrait and job of theirs, files included. */
  'clients.delete': { params: { clientId: number }; result: { removedFiles: number; keptSharedFiles: number } };
  'consents.record': { params: { clientId: number } & NewConsentParams; result: Consent };
  'consents.revoke': { params: { consentId: number }; result: Consent };
  'projects.create': { params: { clientId: number } & ProjectFields; result: Project };
  'projects.list': { params: { clientId: number }; result: Project[] };
  'projects.show': { params: { projectId: number }; result: ProjectDetail };
  'projects.update': { params: { projectId: number; changes: Partial<ProjectFields> }; result: Project };
}

const CLIENT_FIELDS = ['name', 'email', 'phone', 'notes'] as const;
const PROJECT_FIELDS = ['name', 'subjectToken', 'styleToken', 'notes'] as const;
const TOKEN = /^<[a-z0-9_]{1,38}>$/;

/** Absent fields stay absent; null clears e-mail and phone. The catalog checks the e-mail's shape. */
function clientFields(f: Record<string, unknown>, partial: boolean): Partial<ClientFields> {
  const out: Partial<ClientFields> = {};
  if (!partial || f['name'] !== undefined) out.name = name(f['name'], 'name');
  if (f['email'] !== undefined) out.email = f['email'] === null ? null : text(f['email'], 'email', 254);
  if (f['phone'] !== undefined) out.phone = f['phone'] === null ? null : text(f['phone'], 'phone', 50);
  set(out, 'notes', optional(f['notes'], (v) => text(v, 'notes', 10_000, 0)));
  return out;
}

function token(value: unknown, path: string): string {
  const t = text(value, path, 40);
  if (!TOKEN.test(t)) fail(path, 'a token like <sks> (lowercase letters, digits and _ inside <>)', value);
  return t;
}

function projectFields(f: Record<string, unknown>, partial: boolean): Partial<ProjectFields> {
  const out: Partial<ProjectFields> = {};
  if (!partial || f['name'] !== undefined) out.name = name(f['name'], 'name');
  set(out, 'subjectToken', optional(f['subjectToken'], (v) => token(v, 'subjectToken')));
  set(out, 'styleToken', optional(f['styleToken'], (v) => token(v, 'styleToken')));
  set(out, 'notes', optional(f['notes'], (v) => text(v, 'notes', 10_000, 0)));
  return out;
}

export function consentFields(f: Record<string, unknown>): NewConsentParams {
  const out: NewConsentParams = {
    signedBy: name(f['signedBy'], 'signedBy'),
    scope: list(f['scope'], 'scope', 1, CONSENT_SCOPES.length, (v, p) => oneOf(v, p, CONSENT_SCOPES)),
  };
  set(out, 'signedAt', optional(f['signedAt'], (v) => timestamp(v, 'signedAt')));
  if (f['expiresAt'] !== undefined) out.expiresAt = f['expiresAt'] === null ? null : timestamp(f['expiresAt'], 'expiresAt');
  set(out, 'releasePath', optional(f['releasePath'], (v) => absolutePath(v, 'releasePath')));
  set(out, 'releaseUpload', optional(f['releaseUpload'], (v) => {
    const o = object(v, 'releaseUpload', ['sha256', 'name']);
    return { sha256: sha256(o['sha256'], 'releaseUpload.sha256'), name: name(o['name'], 'releaseUpload.name', 255) };
  }));
  if (out.releasePath !== undefined && out.releaseUpload !== undefined) refuse('expected one signed release, releasePath or releaseUpload, received both');
  return out;
}

function listParams(value: unknown, method: string): { search?: string; sort?: ClientSort } {
  const f = params(value, method, ['search', 'sort']);
  const out: { search?: string; sort?: ClientSort } = {};
  set(out, 'search', optional(f['search'], (v) => text(v, 'search', 200, 0)));
  set(out, 'sort', optionalOneOf(f['sort'], 'sort', CLIENT_SORTS));
  return out;
}

const CONSENT_FIELDS = ['signedBy', 'signedAt', 'scope', 'expiresAt', 'releasePath', 'releaseUpload'];

export const CLIENT_RULES: { [M in keyof ClientMethods]: MethodRules<ClientMethods[M]['params']> } = {
  'clients.create': {
    changes: 'clients',
    check: (value) => {
      const f = params(value, 'clients.create', [...CLIENT_FIELDS, 'consent']);
      const out = clientFields(f, false) as ClientFields & { consent?: NewConsentParams };
      set(out, 'consent', optional(f['consent'], (v) => consentFields(object(v, 'consent', CONSENT_FIELDS))));
      return out;
    },
  },
  'clients.list': { check: (value) => listParams(value, 'clients.list') },
  'clients.summaries': { check: (value) => listParams(value, 'clients.summaries') },
  'clients.show': byId('clients.show', 'clientId'),
  'clients.update': {
    changes: 'clients',
    check: (value) => {
      const f = params(value, 'clients.update', ['clientId', 'changes']);
      return { clientId: id(f['clientId'], 'clientId'), changes: clientFields(object(f['changes'], 'changes', CLIENT_FIELDS), true) };
    },
  },
  'clients.delete': byId('clients.delete', 'clientId', 'clients'),
  'consents.record': {
    changes: 'clients',
    check: (value) => {
      const f = params(value, 'consents.record', ['clientId', ...CONSENT_FIELDS]);
      return { clientId: id(f['clientId'], 'clientId'), ...consentFields(f) };
    },
  },
  'consents.revoke': byId('consents.revoke', 'consentId', 'clients'),
  'projects.create': {
    changes: 'projects',
    check: (value) => {
      const f = params(value, 'projects.create', ['clientId', ...PROJECT_FIELDS]);
      return { clientId: id(f['clientId'], 'clientId'), ...(projectFields(f, false) as ProjectFields) };
    },
  },
  'projects.list': byId('projects.list', 'clientId'),
  'projects.show': byId('projects.show', 'projectId'),
  'projects.update': {
    changes: 'projects',
    check: (value) => {
      const f = params(value, 'projects.update', ['projectId', 'changes']);
      return { projectId: id(f['projectId'], 'projectId'), changes: projectFields(object(f['changes'], 'changes', PROJECT_FIELDS), true) };
    },
  },
};

