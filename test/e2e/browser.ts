// Debian's Chromium driven by playwright-core (no browser download, ENVIRONMENT.md §4), and a studio server on a
// temp library serving the built renderer. Tests skip with the reason printed when Chromium is missing.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';

import { ApiDispatcher } from '../../src-main/server/api/dispatcher.js';
import { StagingArea } from '../../src-main/server/api/staging.js';
import { startStudioServer, type StudioServer } from '../../src-main/server/studio-server.js';
import { Studio, type StudioOptions } from '../../src-main/services/studio/index.js';
import { repoRoot } from '../helpers/golden.js';

export const chromiumPath = '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);
export const rendererDir = join(repoRoot, 'dist-renderer');
export const artifactsDir = join(repoRoot, 'test-results', 'e2e');

if (!hasChromium) console.warn(`[e2e] skipped: ${chromiumPath} is missing (apt-get install -y --no-install-recommends chromium)`);

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
}

export interface StudioSite {
  root: string;
  studio: Studio;
  server: StudioServer;
  url: string;
  close(): Promise<void>;
}

export async function openStudioSite(prefix: string, options: Partial<StudioOptions> = {}): Promise<StudioSite> {
  const root = mkdtempSync(join(tmpdir(), `magicapture-e2e-${prefix}-`));
  const studio = await Studio.open({ libraryDir: join(root, 'library'), userDataDir: join(root, 'user-data'), hosts: 'none', env: {}, ...options });
  const staging = new StagingArea(join(root, 'staging'));
  const dispatcher = new ApiDispatcher({ studio, staging, mode: 'server' });
  const server = await startStudioServer({ dispatcher, library: studio.library, staging, port: 0, rendererDir });
  return {
    root,
    studio,
    server,
    url: `http://127.0.0.1:${server.port}/`,
    close: async () => {
      await server.close();
      dispatcher.close();
      await studio.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Page errors, console errors (a CSP violation shows up as one) and failed requests, for the test to assert none. */
export function watchPage(page: Page, allowed: RegExp[] = []): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // Failed requests are judged below by their address; the console line does not name it.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !/favicon/.test(r.url()) && !allowed.some((re) => re.test(r.url()))) problems.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return problems;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
