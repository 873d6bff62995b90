// The two hosts of DESIGN.md §1 with their defaults, and where their compiled entries live. A forked host runs
// the JavaScript that `npx tsc -p tsconfig.json` wrote to dist/, whether the broker itself runs from dist/ or
// from the TypeScript sources (tests).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { EngineCapabilities, EngineMethods } from '../../common/protocol/engine.js';
import type { MediaCapabilities, MediaMethods } from '../../common/protocol/media.js';
import type { HostName } from '../../common/protocol/messages.js';
import { HostSupervisor, type SupervisorOptions } from './supervisor.js';

export type EngineHost = HostSupervisor<EngineMethods, EngineCapabilities>;
export type MediaHost = HostSupervisor<MediaMethods, MediaCapabilities>;
export type HostOptions = Partial<Omit<SupervisorOptions, 'host'>>;

const here = dirname(fileURLToPath(import.meta.url));

/** dist/src-main/<host>-host/index.js, found from dist/src-main/services/processes or src-main/services/processes. */
export function hostEntry(host: HostName): string {
  const relative = join(`${host}-host`, 'index.js');
  const candidates = [join(here, '..', '..', relative), join(here, '..', '..', '..', 'dist', 'src-main', relative)];
  return candidates.find((c) => existsSync(c)) ?? (candidates[0] as string);
}

export function createEngineHost(options: HostOptions = {}): EngineHost {
  return new HostSupervisor({
    host: 'engine',
    entry: hostEntry('engine'),
    readyTimeoutMs: 30_000,
    ...options,
    // Passive OpenMP workers sleep instead of spinning between parallel regions. On a busy 2-core machine a
    // tiny 20-step sample took 45 s with spinning workers and 1 s without, and spinning steals the broker's
    // CPU too. libgomp reads this once at load, which is why it is set for the child, not by the addon.
    env: { OMP_WAIT_POLICY: process.env['OMP_WAIT_POLICY'] ?? 'PASSIVE', ...options.env },
  });
}

export function createMediaHost(options: HostOptions = {}): MediaHost {
  return new HostSupervisor({ host: 'media', entry: hostEntry('media'), readyTimeoutMs: 15_000, ...options });
}
