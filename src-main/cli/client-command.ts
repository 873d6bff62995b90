// `magicapture client create|list|show|delete`: the clients of a library, their consent and their projects.
import { parseArgs } from 'node:util';

import { CONSENT_SCOPES, type ClientDetail, type ConsentScope } from '../common/api/types.js';
import { UsageError } from './args.js';
import { day, idArg, LIBRARY_OPTION, printJson, printTable, withStudio } from './studio-session.js';

export const CLIENT_USAGE = `magicapture client create --name NAME [--email E] [--phone P] [--notes TEXT] [--project NAME]
      [--consent ${CONSENT_SCOPES.join(',')} --signed-by NAME [--release FILE]]
  | client list [--search TEXT] [--sort name|newest|oldest|updated] | client show ID | client delete ID --yes
      (each with [--library DIR] [--json])`;

const OPTIONS = {
  ...LIBRARY_OPTION,
  name: { type: 'string' },
  email: { type: 'string' },
  phone: { type: 'string' },
  notes: { type: 'string' },
  project: { type: 'string' },
  consent: { type: 'string' },
  'signed-by': { type: 'string' },
  release: { type: 'string' },
  search: { type: 'string' },
  sort: { type: 'string' },
  yes: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function printDetail({ client, consents, projects, jobs }: ClientDetail): void {
  process.stdout.write(`client ${client.id}  ${client.name}${client.email ? `  <${client.email}>` : ''}${client.phone ? `  ${client.phone}` : ''}\n`);
  if (client.notes) process.stdout.write(`  notes: ${client.notes}\n`);
  for (const c of consents) {
    const state = c.revokedAt !== null ? `revoked ${day(c.revokedAt)}` : c.expiresAt !== null ? `until ${day(c.expiresAt)}` : 'in force';
    process.stdout.write(`  consent ${c.id}: ${c.scope.join(', ')}, signed by ${c.signedBy} on ${day(c.signedAt)} (${state})\n`);
  }
  if (consents.length === 0) process.stdout.write('  no consent recorded: training and generation are refused until one is\n');
  for (const p of projects) process.stdout.write(`  project ${p.id}: ${p.name} (${p.subjectToken} ${p.styleToken})\n`);
  for (const j of jobs) process.stdout.write(`  job ${j.id}: ${j.kind} ${j.state}${j.error ? ` — ${j.error.message}` : ''}\n`);
}

function consentOf(values: Values) {
  if (values.consent === undefined) {
    if (values['signed-by'] !== undefined || values.release !== undefined) throw new UsageError('expected --consent SCOPES with --signed-by and --release, received no --consent');
    return {};
  }
  const signedBy = values['signed-by'] ?? values.name;
  if (signedBy === undefined) throw new UsageError('expected --signed-by NAME with --consent, received nothing');
  const scope = values.consent.split(',').map((s) => s.trim()) as ConsentScope[];
  return { consent: { signedBy, scope, ...(values.release === undefined ? {} : { releasePath: values.release }) } };
}

async function create(values: Values): Promise<void> {
  if (values.name === undefined) throw new UsageError('expected --name NAME, received nothing');
  const fields = {
    name: values.name,
    ...(values.email === undefined ? {} : { email: values.email }),
    ...(values.phone === undefined ? {} : { phone: values.phone }),
    ...(values.notes === undefined ? {} : { notes: values.notes }),
    ...consentOf(values),
  };
  await withStudio({ library: values.library, hosts: 'none' }, async ({ call }) => {
    let detail = await call('clients.create', fields);
    if (values.project !== undefined) {
      await call('projects.create', { clientId: detail.client.id, name: values.project });
      detail = await call('clients.show', { clientId: detail.client.id });
    }
    if (values.json) printJson(detail);
    else printDetail(detail);
  });
}

export async function clientCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [action, id, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`expected one client id, received ${positionals.slice(1).join(' ')}`);
  const library = values.library;
  switch (action) {
    case 'create':
      return create(values);
    case 'list':
      return withStudio({ library, hosts: 'none' }, async ({ call }) => {
        const clients = await call('clients.list', { ...(values.search === undefined ? {} : { search: values.search }), ...(values.sort === undefined ? {} : { sort: values.sort as 'name' }) });
        if (values.json) return printJson(clients);
        if (clients.length === 0) process.stderr.write(values.search ? `no client matches ${JSON.stringify(values.search)}\n` : 'no clients yet: magicapture client create --name NAME\n');
        printTable(clients.map((c) => [String(c.id), c.name, c.email ?? '', day(c.createdAt)]));
      });
    case 'show':
      return withStudio({ library, hosts: 'none' }, async ({ call }) => {
        const detail = await call('clients.show', { clientId: idArg(id, 'the client') });
        if (values.json) printJson(detail);
        else printDetail(detail);
      });
    case 'delete': {
      const clientId = idArg(id, 'the client');
      if (!values.yes) throw new UsageError(`expected --yes to delete client ${clientId} with every photo, mask, model and portrait of theirs (this cannot be undone)`);
      return withStudio({ library, hosts: 'none' }, async ({ call }) => {
        const { client } = await call('clients.show', { clientId });
        const removed = await call('clients.delete', { clientId });
        if (values.json) return printJson(removed);
        process.stdout.write(`deleted client ${clientId} (${client.name}): ${removed.removedFiles} files removed, ${removed.keptSharedFiles} shared files kept\n`);
      });
    }
    default:
      throw new UsageError(`expected create, list, show or delete, received ${action === undefined ? 'nothing' : JSON.stringify(action)}`);
  }
}
