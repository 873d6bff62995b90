// Pre-flight in the Photos tab of Chromium against a real studio server and media host: selfies imported (real
// face photos), then each card shows the host's advice in place — good to train with its measurements, the
// stranger doubted, the photo without a face refused — and "Run pre-flight" runs it again.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';

import { built, consentToEverything, expectDone, studioOptions } from '../helpers/studio-fixtures.js';
import { hasChromium, launchChromium, openStudioSite, screenshot, watchPage, type StudioSite } from './browser.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'faces');
let site: StudioSite;
let browser: Browser;
let page: Page;
let problems: string[];

describe.skipIf(!hasChromium || !built)('pre-flight in the Photos tab (real media host)', () => {
  beforeAll(async () => {
    const { baseModel, hostOptions, hosts } = studioOptions('');
    site = await openStudioSite('preflight', { baseModel, hostOptions, hosts });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    problems = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('shows each selfie’s advice on its card', async () => {
    const { studio } = site;
    const { client } = await studio.clients.create({ name: 'Flight Check', consent: consentToEverything });
    const project = studio.projects.create({ clientId: client.id, name: 'Selfies' });
    const names = ['astronaut.jpg', 'camera.png', 'coffee.jpg'];
    const paths = names.map((name) => {
      copyFileSync(join(fixtures, name), join(site.root, name));
      return join(site.root, name);
    });
    await expectDone(studio, studio.projects.importPhotos(project.id, 'source', paths));

    await page.goto(`${site.url}#/project/${project.id}/photos`);
    const card = (name: string) => page.getByRole('list', { name: `Pre-flight of ${name}` });
    await expect.poll(() => card('coffee.jpg').textContent(), { timeout: 10_000 }).toMatch(/No face was found/);
    expect(await card('coffee.jpg').locator('li.pf-error').count()).toBeGreaterThan(0);
    expect(await card('camera.png').textContent()).toMatch(/person/i);
    expect(await card('astronaut.jpg').textContent()).not.toMatch(/Pre-flight not run yet/);
    await screenshot(page, 'preflight-cards');

    await page.getByRole('button', { name: 'Run pre-flight' }).click();
    await expect.poll(() => page.getByText('1 of 3 selfies cannot train').count(), { timeout: 20_000 }).toBe(1);
    expect(problems).toEqual([]);
  });
});
