// `magicapture jobs list|cancel|pause|resume`: the library's job queue. A resumed job runs when a studio is open
// on the library (the app, `magicapture serve`), or here and now with --wait.
import { parseArgs } from 'node:util';

import { JOB_KINDS, JOB_STATES, type Job, type JobKind, type JobState } from '../common/api/types.js';
import { formatSeconds } from './progress-bar.js';
import { UsageError } from './args.js';
import { idArg, LIBRARY_OPTION, printJson, printTable, withStudio } from './studio-session.js';

export const JOBS_USAGE = `magicapture jobs list [--state ${JOB_STATES.join('|')}] [--kind ${JOB_KINDS.join('|')}] [--client ID]
  | jobs cancel ID | jobs pause ID | jobs resume ID [--wait]   (each with [--library DIR] [--json])`;

const OPTIONS = { ...LIBRARY_OPTION, state: { type: 'string' }, kind: { type: 'string' }, client: { type: 'string' }, wait: { type: 'boolean' } } as const;

function describe(job: Job): string[] {
  const p = job.progress;
  const progress = p && job.state !== 'done' ? `${p.done}/${p.total}${p.etaSeconds !== null && job.state === 'running' ? ` ETA ${formatSeconds(p.etaSeconds)}` : ''}` : '';
  return [`job ${job.id}`, job.kind, job.state, job.clientId === null ? '' : `client ${job.clientId}`, progress, job.error ? `${job.error.message}${job.error.hint ? ` (${job.error.hint})` : ''}` : ''];
}

export async function jobsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  const [action, id, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`expected one job id, received ${positionals.slice(1).join(' ')}`);
  const library = values.library;
  if (action === 'list') {
    return withStudio({ library, hosts: 'none' }, async ({ call }) => {
      const jobs = await call('jobs.list', {
        ...(values.state === undefined ? {} : { state: values.state as JobState }),
        ...(values.kind === undefined ? {} : { kind: values.kind as JobKind }),
        ...(values.client === undefined ? {} : { clientId: idArg(values.client, '--client') }),
      });
      if (values.json) return printJson(jobs);
      if (jobs.length === 0) process.stderr.write('no jobs\n');
      printTable(jobs.map(describe));
    });
  }
  if (action !== 'cancel' && action !== 'pause' && action !== 'resume') {
    throw new UsageError(`expected list, cancel, pause or resume, received ${action === undefined ? 'nothing' : JSON.stringify(action)}`);
  }
  const jobId = idArg(id, 'the job');
  if (values.wait && action !== 'resume') throw new UsageError('expected --wait with resume only');
  // Waiting runs the job here, so it needs the hosts (training, generation and export run in them).
  return withStudio({ library, hosts: values.wait ? 'spawn' : 'none' }, async ({ call, follow }) => {
    let job = await call(`jobs.${action}`, { jobId });
    if (values.wait) job = await follow(job, `${job.kind} job ${job.id}`);
    if (values.json) return printJson(job);
    printTable([describe(job)]);
    if (action === 'resume' && !values.wait) process.stderr.write('queued: it runs while the studio is open on this library, or now with `magicapture jobs resume ID --wait`\n');
  });
}
