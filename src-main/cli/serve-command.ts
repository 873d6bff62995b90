// `magicapture serve`: the studio headless, in a browser (src-main/server). Loopback only unless --host says
// otherwise; then every request needs the access token, printed once here with the address and kept in the
// user data folder. Ctrl-C stops: running jobs pause at a safe point and continue at the next start.
import { parseArgs } from 'node:util';

import { ApiDispatcher } from '../server/api/dispatcher.js';
import { StagingArea } from '../server/api/staging.js';
import { isLoopback } from '../server/http/security.js';
import { openStudio } from '../server/open-studio.js';
import { issueToken } from '../server/server-token.js';
import { DEFAULT_PORT, startStudioServer, type StudioServer } from '../server/studio-server.js';
import { defaultUserDataDir } from '../services/library/library-location.js';
import { optionalInt, UsageError } from './args.js';
import { InputError } from './input-error.js';

export const SERVE_USAGE = `magicapture serve [--library DIR] [--model SD15_PATH] [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--token TOKEN] [--without-hosts]
    (any --host but loopback requires a token: one is generated and printed; $MAGICAPTURE_SERVER_TOKEN sets one)`;

const OPTIONS = {
  library: { type: 'string' },
  model: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  token: { type: 'string' },
  'without-hosts': { type: 'boolean' },
} as const;

const TOKEN_ENV = 'MAGICAPTURE_SERVER_TOKEN';

function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new InputError(`expected port ${port} to be free, received one already in use`, 'Stop what uses it, or pass another --port (0 picks a free one).');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new InputError(`expected an address of this machine for --host, received ${host}`, 'Use 127.0.0.1 (this machine only) or 0.0.0.0 (every network).');
  if (code === 'EACCES') return new InputError(`expected a port this user may open, received ${port}`, 'Ports below 1024 need privileges; use the default.');
  return error;
}

function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OPTIONS, strict: true });
  const host = values.host ?? '127.0.0.1';
  const port = optionalInt(values, 'port') ?? DEFAULT_PORT;
  if (port > 65_535) throw new UsageError(`expected --port to be from 0 to 65535, received ${port}`);
  const given = values.token ?? process.env[TOKEN_ENV];
  if (given !== undefined && given.length < 16) throw new UsageError(`expected a token of at least 16 characters, received ${given.length}`);
  let token: string | null = given ?? null;
  let tokenFile: string | undefined;
  if (token === null && !isLoopback(host)) ({ token, file: tokenFile } = await issueToken(defaultUserDataDir()));

  let opened;
  try {
    opened = await openStudio({ ...(values.library === undefined ? {} : { libraryDir: values.library }), hosts: values['without-hosts'] ? 'none' : 'spawn' }, 'magicapture serve');
  } catch (error) {
    const e = error as { message?: string; hint?: string };
    throw new InputError(`could not open the library: ${e.message ?? String(error)}`, e.hint ?? '');
  }
  const { studio } = opened;
  if (values.model !== undefined) {
    try {
      await studio.chooseBaseModel({ path: values.model });
    } catch (error) {
      await opened.close();
      throw error;
    }
  }
  const staging = StagingArea.forLibrary(studio.library.dir);
  await staging.sweep();
  const dispatcher = new ApiDispatcher({ studio, staging, mode: 'server' });
  let server: StudioServer;
  try {
    server = await startStudioServer({ dispatcher, library: studio.library, staging, host, port, token });
  } catch (error) {
    dispatcher.close();
    await opened.close();
    throw listenError(error, host, port);
  }
  await opened.lock.describe(server.url);
  process.stderr.write(`MagiCapture Studio serving the library ${studio.library.dir}${studio.hosts ? '' : ' (without engine and media hosts: imports and masks only)'}\n`);
  process.stdout.write(`${server.url}\n`);
  if (tokenFile) process.stderr.write(`Anyone with this address can use the studio: keep it private. The token is also in ${tokenFile}.\n`);
  process.stderr.write('Press Ctrl-C to stop.\n');

  const signal = await stopSignal();
  process.stderr.write(`${signal}: stopping (running jobs pause at a safe point and continue at the next start)\n`);
  await server.close();
  dispatcher.close();
  await opened.close();
  return 0;
}
