// The executors of each job kind, wired to a library and (when the studio runs them) the two host processes.
// Without hosts only the broker-side kinds exist: import and drawn masks; engine and export jobs stay queued for
// a studio that has its hosts. Post-processing (restoration, super-resolution) has no runner yet.
import type { Library } from '../../library/library.js';
import type { EngineHost, MediaHost } from '../../processes/hosts.js';
import type { JobRunners } from '../job-types.js';
import { exportRunner } from './export-runner.js';
import { generateRunner } from './generate-runner.js';
import { HostAccess } from './host-access.js';
import { importRunner } from './import-runner.js';
import { masksRunner } from './masks-runner.js';
import { trainRunner } from './train-runner.js';

export function createJobRunners(library: Library, hosts?: { engine: EngineHost; media: MediaHost }): JobRunners {
  if (!hosts) return { import: importRunner(library), masks: masksRunner(library) };
  const engine = new HostAccess(hosts.engine);
  const media = new HostAccess(hosts.media);
  return {
    import: importRunner(library, media),
    masks: masksRunner(library, media),
    train: trainRunner(library, engine),
    generate: generateRunner(library, engine, media),
    export: exportRunner(library, media),
  };
}

export { HostAccess } from './host-access.js';
export { CHECKPOINT_FILE } from './train-runner.js';
export { trainedLoraBlob } from './generate-runner.js';
export { preflightProject, type PreflightOutcome } from './preflight.js';
export * from './training-run-config.js';
