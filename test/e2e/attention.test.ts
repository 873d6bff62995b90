// The attention viewer in Chromium against a real studio server on the tiny model: a portrait generated with
// captureAttention, opened from Results; both token canvases are drawn, not uniform, differ from the bare photo
// (the heatmap is on it) and follow the opacity slider down to the photo alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';

import type { AttentionMaps, Generation, Job } from '../../src-main/common/api/index.js';
import { built, consentToEverything, studioOptions } from '../helpers/studio-fixtures.js';
import { hasChromium, launchChromium, openStudioSite, screenshot, watchPage, type StudioSite } from './browser.js';

let site: StudioSite;
let browser: Browser;
let page: Page;
let problems: string[];

async function api<T>(method: string, params: unknown): Promise<T> {
  const res = await fetch(`${site.url}api/${method}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(params) });
  const body = (await res.json()) as { result: T };
  if (res.status !== 200) throw new Error(`${method}: ${JSON.stringify(body)}`);
  return body.result;
}

/** RGBA of every canvas in the viewer, read in the page. */
function canvasPixels(): Promise<number[][]> {
  return page.$$eval('.attention-map canvas', (canvases) =>
    (canvases as HTMLCanvasElement[]).map((c) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data)));
}

describe.skipIf(!hasChromium || !built)('the attention viewer in Chromium (tiny model)', () => {
  beforeAll(async () => {
    const { baseModel, hostOptions, hosts } = studioOptions('');
    site = await openStudioSite('attention', { baseModel, hostOptions, hosts });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    problems = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('draws each chosen token’s heatmap over the portrait', async () => {
    const { client } = await api<{ client: { id: number } }>('clients.create', { name: 'Ada Heat', consent: consentToEverything });
    const project = await api<{ id: number }>('projects.create', { clientId: client.id, name: 'Maps' });
    const job = await api<Job>('generations.generate', { projectId: project.id, trainingRunId: null, recipe: { prompt: 'a portrait of a smiling woman', width: 64, height: 64, steps: 4, seed: 9 }, count: 1, captureAttention: true });
    const settled = await site.studio.jobs.waitFor(job.id);
    expect(settled.state).toBe('done');
    const [generation] = (await api<{ items: Generation[] }>('generations.list', { projectId: project.id })).items;

    await page.goto(`${site.url}#/project/${project.id}/results`);
    await page.locator(`li[data-generation-id="${generation!.id}"]`).getByRole('button', { name: 'Attention' }).click();
    const viewer = page.getByRole('region', { name: `Attention maps of portrait ${generation!.id}` });
    await expect.poll(async () => (await canvasPixels()).filter((p) => p.length > 0).length, { timeout: 20_000 }).toBe(2);
    // The tiny model's tokenizer splits words ("por", "trait"): the expected labels come from the API.
    const { tokens } = await api<AttentionMaps>('generations.attention', { generationId: generation!.id });
    const label = (i: number) => `Attention of “${tokens[i]!.replace(/<\/w>$/, '')}” over the portrait`;
    await expect.poll(() => viewer.getByRole('img', { name: label(1) }).count(), { timeout: 10_000 }).toBe(1);
    const last = tokens.length - 2;
    await viewer.getByLabel('Right token').selectOption(String(last));
    await viewer.getByLabel('Layers').selectOption({ index: 0 });
    await viewer.getByLabel('Steps').selectOption({ index: 0 });
    await expect.poll(() => viewer.getByRole('img', { name: label(last) }).count(), { timeout: 10_000 }).toBe(1);
    await screenshot(page, 'attention-viewer');

    const [left, right] = await canvasPixels();
    const distinct = (pixels: number[]) => new Set(Array.from({ length: pixels.length / 4 }, (_, i) => pixels.slice(i * 4, i * 4 + 3).join())).size;
    expect(left!.length).toBe(64 * 64 * 4);
    expect(distinct(left!)).toBeGreaterThan(16);
    expect(distinct(right!)).toBeGreaterThan(16);
    expect(left).not.toEqual(right);

    // Opacity 0 leaves the photo alone, so the heatmap was what made the difference.
    await viewer.getByLabel('Opacity').fill('0');
    await expect.poll(async () => (await canvasPixels())[0], { timeout: 10_000 }).not.toEqual(left);
    const [bareLeft, bareRight] = await canvasPixels();
    expect(bareLeft).toEqual(bareRight);
    expect(problems).toEqual([]);
  });
});
