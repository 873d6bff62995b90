// The magicapture command line. Each command prints progress on stderr, results on stdout, and exits non-zero
// with a message that says what to do when anything fails.
import { EngineError } from '../../native/lib/errors.js';
import { UsageError } from './args.js';
import { CLIENT_USAGE, clientCommand } from './client-command.js';
import { DOCTOR_USAGE, doctorCommand } from './doctor-command.js';
import { EXPORT_USAGE, exportCommand } from './export-command.js';
import { GENERATE_USAGE, generateCommand } from './generate-command.js';
import { IMPORT_USAGE, importCommand } from './import-command.js';
import { INFO_USAGE, infoCommand } from './info-command.js';
import { InputError } from './input-error.js';
import { JOBS_USAGE, jobsCommand } from './jobs-command.js';
import { MASKS_USAGE, masksCommand } from './masks-command.js';
import { SAMPLE_USAGE, sampleCommand } from './sample-command.js';
import { SERVE_USAGE, serveCommand } from './serve-command.js';
import { STUDIO_USAGE, studioCommand } from './studio-command.js';
import { TRAIN_USAGE, trainCommand } from './train-command.js';

/** A command resolves to its exit code, or to nothing for 0. */
const COMMANDS: Record<string, { usage: string; run: (argv: string[]) => Promise<number | void> }> = {
  sample: { usage: SAMPLE_USAGE, run: sampleCommand },
  train: { usage: TRAIN_USAGE, run: trainCommand },
  info: { usage: INFO_USAGE, run: infoCommand },
  client: { usage: CLIENT_USAGE, run: clientCommand },
  import: { usage: IMPORT_USAGE, run: importCommand },
  masks: { usage: MASKS_USAGE, run: masksCommand },
  generate: { usage: GENERATE_USAGE, run: generateCommand },
  export: { usage: EXPORT_USAGE, run: exportCommand },
  jobs: { usage: JOBS_USAGE, run: jobsCommand },
  doctor: { usage: DOCTOR_USAGE, run: doctorCommand },
  studio: { usage: STUDIO_USAGE, run: studioCommand },
  serve: { usage: SERVE_USAGE, run: serveCommand },
};

function usage(): string {
  return `usage:\n${Object.values(COMMANDS)
    .map((c) => `  ${c.usage}`)
    .join('\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`magicapture: unknown command ${JSON.stringify(name)}\n${usage()}`);
    return 2;
  }
  try {
    return (await command.run(rest)) ?? 0;
  } catch (error) {
    if (error instanceof EngineError || error instanceof InputError) {
      process.stderr.write(`magicapture ${name}: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
      return 1;
    }
    const e = error as Error & { code?: string };
    if (error instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`magicapture ${name}: ${e.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`magicapture ${name}: ${e.stack ?? String(error)}\n`);
    return 1;
  }
}
