// The client gallery in Chromium against a studio server whose catalog holds 10,000 clients: the list scrolls to
// the end while the DOM keeps a bounded number of cards; search, create with a consent record, delete with the
// list of what goes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';

import { hasChromium, launchChromium, openStudioSite, screenshot, watchPage, type StudioSite } from './browser.js';

const COUNT = 10_000;
let site: StudioSite;
let browser: Browser;
let page: Page;
let problems: string[];

describe.skipIf(!hasChromium)('client gallery (Chromium)', () => {
  beforeAll(async () => {
    site = await openStudioSite('gallery');
    const { catalog } = site.studio;
    catalog.transaction(() => {
      for (let i = 0; i < COUNT; i++) catalog.clients.create({ name: `Client ${String(i).padStart(5, '0')}`, email: null, phone: null, notes: '' });
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    problems = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('scrolls 10,000 clients to the end with a bounded DOM', async () => {
    await page.goto(site.url);
    await page.getByText(`${COUNT} clients`).waitFor();
    await page.getByLabel('Sort').selectOption('name');
    const cards = page.locator('.client-card');
    await cards.first().waitFor();
    const initial = await cards.count();
    expect(initial).toBeGreaterThan(4);
    expect(initial).toBeLessThan(80);
    await screenshot(page, 'gallery-top');

    const scroller = page.getByTestId('virtual-scroll');
    const started = Date.now();
    // Scroll in screen-sized steps for a while (as a wheel would), then jump to the end.
    for (let i = 0; i < 20; i++) await scroller.evaluate((el) => el.scrollBy(0, el.clientHeight));
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByText('Client 09999').waitFor();
    const scrollMs = Date.now() - started;
    const atEnd = await cards.count();
    expect(atEnd).toBeLessThan(80);
    const nodes = await page.evaluate(() => document.querySelectorAll('*').length);
    expect(nodes).toBeLessThan(2500);
    console.log(`[e2e] gallery: ${initial} cards at the top, ${atEnd} at the end, ${nodes} DOM nodes, scrolled in ${scrollMs} ms`);
    await screenshot(page, 'gallery-end');
  });

  it('searches, creates a client with a consent record, and deletes one after showing what goes', async () => {
    await page.getByLabel('Search clients').fill('Client 0421');
    await page.getByText('10 clients').waitFor();

    await page.getByRole('button', { name: 'New client' }).click();
    const dialog = page.getByRole('dialog', { name: 'New client' });
    await dialog.getByLabel('Name').fill('Ada Lovelace');
    await dialog.getByLabel('Signed by').fill('Ada Lovelace');
    await dialog.getByLabel('Marketing').check();
    await screenshot(page, 'gallery-new-client');
    await dialog.getByRole('button', { name: 'Create client' }).click();
    await page.waitForURL(/#\/project\/\d+\/photos/);
    const created = site.studio.catalog.clients.list().find((c) => c.name === 'Ada Lovelace');
    expect(created).toBeDefined();
    const consents = site.studio.catalog.consents.listByClient((created as { id: number }).id);
    expect(consents.map((c) => c.scope.sort())).toEqual([['generation', 'marketing', 'training']]);

    await page.goto(`${site.url}#/`);
    await page.getByLabel('Search clients').fill('Client 00007');
    await page.getByRole('button', { name: 'Delete Client 00007' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Client 00007?' });
    await confirm.getByText('0 generated portrait(s)').or(confirm.getByText('… generated portrait(s)')).first().waitFor();
    const erase = confirm.getByRole('button', { name: 'Delete everything' });
    expect(await erase.isDisabled()).toBe(true);
    await confirm.getByLabel('Type Client 00007 to confirm').fill('Client 00007');
    await screenshot(page, 'gallery-delete');
    await erase.click();
    await page.getByText('Client 00007 was deleted').waitFor();
    expect(site.studio.catalog.clients.list().some((c) => c.name === 'Client 00007')).toBe(false);
    expect(problems).toEqual([]);
  });
});
