// Shared by the API, studio server and CLI tests: a real studio on a temp library (no host processes: imports and
// masks run, engine jobs wait), the dispatcher over it, and a fingerprint of everything the catalog holds, so a
// refused call can be shown to have changed nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ApiDispatcher } from '../../src-main/server/api/dispatcher.js';
import { StagingArea } from '../../src-main/server/api/staging.js';
import { Studio } from '../../src-main/services/studio/index.js';

export interface ApiHarness {
  root: string;
  studio: Studio;
  staging: StagingArea;
  dispatcher: ApiDispatcher;
  close(): Promise<void>;
}

export async function openApiHarness(prefix: string): Promise<ApiHarness> {
  const root = mkdtempSync(join(tmpdir(), `magicapture-${prefix}-`));
  const studio = await Studio.open({ libraryDir: join(root, 'library'), userDataDir: join(root, 'user-data'), hosts: 'none', env: {} });
  const staging = new StagingArea(join(root, 'staging'));
  const dispatcher = new ApiDispatcher({ studio, staging, mode: 'server' });
  return {
    root,
    studio,
    staging,
    dispatcher,
    close: async () => {
      dispatcher.close();
      await studio.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Every row of every table (ids and contents), as one string: equal before and after means nothing changed. */
export function catalogFingerprint(studio: Studio): string {
  const { db } = studio.catalog;
  const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
  const rows = (table: string) => db.prepare(`SELECT * FROM "${table}"`).all().map((row) => JSON.stringify(row)).sort();
  return JSON.stringify(tables.map((table) => [table, rows(table)]));
}
