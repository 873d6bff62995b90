// The whole studio in Chromium against a real studio server with the engine and media hosts on the tiny model:
// a new client with consent → photos imported through the file chooser → masks painted with real mouse strokes
// (undo/redo, two saved versions, checked in the saved PNG's pixels) → a tiny training watched to the end →
// portraits generated → favourite and pick → exported files on disk.
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';

import type { Generation, Mask, Photo } from '../../src-main/common/api/index.js';
import { built, studioOptions, writeShoot } from '../helpers/studio-fixtures.js';
import { hasChromium, launchChromium, openStudioSite, screenshot, watchPage, type StudioSite } from './browser.js';

let site: StudioSite;
let browser: Browser;
let page: Page;
let problems: string[];
const timings: Record<string, number> = {};

if (hasChromium && !built) console.warn('[e2e] studio flow skipped: the hosts are not compiled (npx tsc -p tsconfig.json)');

async function api<T>(method: string, params: unknown): Promise<T> {
  const res = await fetch(`${site.url}api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(params) });
  const body = (await res.json()) as { result: T };
  if (res.status !== 200) throw new Error(`${method}: ${JSON.stringify(body)}`);
  return body.result;
}

async function maskPixels(photoId: number): Promise<{ masks: Mask[]; at(x: number, y: number): number }> {
  const masks = await api<Mask[]>('masks.list', { photoId });
  const png = Buffer.from(await (await fetch(`${site.url}files/${(masks.at(-1) as Mask).blob}`)).arrayBuffer());
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { masks, at: (x, y) => data[(y * info.width + x) * info.channels] as number };
}

/** A mouse stroke over the mask canvas between two points in image pixels. */
async function stroke(photo: Photo, from: [number, number], to: [number, number]): Promise<void> {
  const box = await page.getByTestId('mask-canvas').boundingBox();
  if (!box) throw new Error('the mask canvas is not on screen');
  const screen = ([x, y]: [number, number]) => [box.x + ((x + 0.5) / photo.width) * box.width, box.y + ((y + 0.5) / photo.height) * box.height] as const;
  await page.mouse.move(...screen(from));
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(...screen([from[0] + ((to[0] - from[0]) * i) / 12, from[1] + ((to[1] - from[1]) * i) / 12]));
  await page.mouse.up();
}

async function timed<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings[name] = Date.now() - started;
  }
}

describe.skipIf(!hasChromium || !built)('the studio flow in Chromium (tiny model)', () => {
  beforeAll(async () => {
    // The tiny model and spawned hosts; the library stays the site's own temp folder.
    const { baseModel, hostOptions, hosts } = studioOptions('');
    site = await openStudioSite('flow', { baseModel, hostOptions, hosts });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    problems = watchPage(page);
  });
  afterAll(async () => {
    console.log(`[e2e] studio flow timings (ms): ${JSON.stringify(timings)}`);
    await browser?.close();
    await site?.close();
  });

  it('goes from a new client to exported portraits', async () => {
    let previewed = '';
    const shootDir = mkdtempSync(join(site.root, 'shoot-'));
    const shoot = await writeShoot(shootDir);

    await timed('create client', async () => {
      await page.goto(site.url);
      await page.getByRole('button', { name: 'New client' }).click();
      const dialog = page.getByRole('dialog', { name: 'New client' });
      await dialog.getByLabel('Name').fill('Chloé Martin');
      await dialog.getByRole('button', { name: 'Create client' }).click();
      await page.waitForURL(/#\/project\/\d+\/photos/);
    });
    const projectId = Number(/project\/(\d+)/.exec(page.url())?.[1]);

    await timed('import', async () => {
      for (const [role, files] of [['source', shoot.sources], ['reference', shoot.references]] as const) {
        const section = page.locator(`section[data-role=${role}]`);
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), section.getByText('Choose photos…').click()]);
        await chooser.setFiles(files.map((f) => f.photo));
        await expect.poll(() => section.locator('.photo-card').count(), { timeout: 30_000 }).toBe(files.length);
      }
    });
    await page.getByText('3 photo(s) without a face mask.').waitFor();
    await screenshot(page, 'project-photos');
    const photos = await api<Photo[]>('photos.list', { projectId });
    expect(photos).toHaveLength(3);

    await timed('masks', async () => {
      for (const [i, photo] of photos.entries()) {
        await page.getByRole('link', { name: `Edit the mask of ${photo.originalName}` }).click();
        await page.getByText('New mask').waitFor();
        await stroke(photo, [30, 30], [50, 30]);
        if (i === 0) {
          await page.keyboard.press('Control+z');
          expect(await page.getByRole('button', { name: 'Undo' }).isDisabled()).toBe(true);
          await page.keyboard.press('Control+Shift+z');
          await screenshot(page, 'mask-editor');
        }
        await page.getByRole('button', { name: 'Save new version' }).click();
        await page.getByText('Mask saved as a new version').first().waitFor();
        if (i === 0) {
          // A second edit, with the lasso, saved as version 2; version 1 stays.
          await page.keyboard.press('l');
          const box = await page.getByTestId('mask-canvas').boundingBox();
          if (!box) throw new Error('no canvas');
          const s = (x: number, y: number) => [box.x + (x / photo.width) * box.width, box.y + (y / photo.height) * box.height] as const;
          await page.mouse.move(...s(30, 40));
          await page.mouse.down();
          for (const [x, y] of [[50, 40], [50, 50], [30, 50], [30, 41]] as const) await page.mouse.move(...s(x, y), { steps: 4 });
          await page.mouse.up();
          await page.keyboard.press('Control+s');
          await expect.poll(async () => (await api<Mask[]>('masks.list', { photoId: photo.id })).length, { timeout: 20_000 }).toBe(2);
          await page.getByText('Version 1 is kept.').waitFor();
        }
        await page.getByRole('link', { name: 'Back to the photos' }).click();
      }
    });
    const first = await maskPixels((photos[0] as Photo).id);
    expect(first.masks.map((m) => [m.version, m.origin])).toEqual([[1, 'edited'], [2, 'edited']]);
    expect(new Set(first.masks.map((m) => m.blob)).size).toBe(2);
    expect([first.at(40, 30), first.at(32, 30), first.at(48, 30), first.at(40, 45)]).toEqual([255, 255, 255, 255]);
    expect([first.at(2, 2), first.at(40, 20), first.at(60, 30), first.at(40, 58)]).toEqual([0, 0, 0, 0]);
    const second = await maskPixels((photos[1] as Photo).id);
    expect([second.masks.length, second.at(40, 30), second.at(40, 45)]).toEqual([1, 255, 0]);
    await page.getByText('Every photo has a face mask.').waitFor();

    await timed('training', async () => {
      await page.getByRole('tab', { name: 'Training' }).click();
      await page.getByLabel('Quick preview').check();
      await page.getByText('Advanced settings').click();
      for (const [label, value] of [['Phase 1 steps', '3'], ['Phase 2 steps', '3'], ['Training resolution', '64'], ['Seed', '3'], ['Checkpoint every', '1']] as const) {
        await page.getByLabel(label).fill(value);
      }
      await page.getByLabel('Initializer word').fill('a');
      await page.getByTestId('estimate').getByText('3 + 3 = 6 steps').waitFor();
      await page.getByRole('button', { name: 'Start training' }).click();
      await page.locator('.run-live').first().waitFor();
      await screenshot(page, 'training-live');
      await page.locator('table tr[data-state=done]').waitFor({ timeout: 90_000 });
    });
    await screenshot(page, 'training-done');

    await timed('generate', async () => {
      await page.getByRole('tab', { name: 'Generate' }).click();
      await page.getByRole('button', { name: /identity$/ }).click();
      await page.getByRole('button', { name: 'Smiling' }).click();
      for (const [label, value] of [['Steps', '2'], ['Width', '64'], ['Height', '64'], ['Number of images', '2']] as const) await page.getByLabel(label, { exact: true }).fill(value);
      await page.getByLabel('Lock seed').check();
      await page.getByLabel('Seed', { exact: true }).fill('42');
      await screenshot(page, 'prompt-panel');
      await page.getByRole('button', { name: 'Generate' }).click();
      await page.getByText('Portraits ready').waitFor({ timeout: 90_000 });
      await page.getByRole('tab', { name: 'Results' }).click();
      await expect.poll(() => page.locator('.result-card').count(), { timeout: 20_000 }).toBe(2);
    });
    const { items } = await api<{ items: Generation[] }>('generations.list', { projectId });
    expect(items.map((g) => g.recipe.seed).sort()).toEqual([42, 43]);
    expect(items.every((g) => g.recipe.prompt.includes('smiling'))).toBe(true);

    const chosen = items[0] as Generation;
    await timed('review and export', async () => {
      await page.getByRole('button', { name: `Favourite portrait ${chosen.id}` }).click();
      await page.getByRole('button', { name: `Client's pick: portrait ${chosen.id}` }).click();
      await expect.poll(async () => (await api<Generation>('generations.show', { generationId: chosen.id })).review).toMatchObject({ favourite: true, picked: true });
      await page.getByRole('group', { name: `Rating of portrait ${chosen.id}` }).getByRole('button', { name: '4 stars' }).click();
      for (const g of items) await page.getByLabel(`Select portrait ${g.id}`).check();
      await page.getByRole('button', { name: 'Compare' }).click();
      await page.getByRole('button', { name: 'Zoom in' }).click();
      const scales = await page.locator('[data-compare-id]').evaluateAll((els) => els.map((e) => (e as HTMLElement).style.transform));
      expect(new Set(scales).size).toBe(1);
      expect(scales[0]).toContain('scale(1.25)');
      await screenshot(page, 'results-compare');
      await page.getByRole('button', { name: 'Back to the grid' }).click();
      await page.getByLabel(`Select portrait ${(items[1] as Generation).id}`).uncheck();
      await screenshot(page, 'results-grid');
      await page.getByRole('button', { name: 'Export…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Export portraits' });
      await dialog.getByLabel('Folder on the studio computer').fill(join(site.root, 'delivery'));
      // The preview is the name the job writes (one portrait: {n} is "1").
      const names = dialog.getByRole('list', { name: 'First file names' });
      await names.getByText(/-1\.jpg$/).waitFor();
      previewed = (await names.locator('li').first().textContent()) ?? '';
      await dialog.getByRole('button', { name: 'Export' }).click();
      await page.getByText('Export finished').waitFor({ timeout: 60_000 });
      await screenshot(page, 'export-done');
    });
    const delivered = existsSync(join(site.root, 'delivery')) ? readdirSync(join(site.root, 'delivery')) : [];
    expect(delivered.filter((f) => f.endsWith('.jpg') || f.endsWith('.jpeg'))).toEqual([previewed]);
    expect(problems).toEqual([]);
  });
});
