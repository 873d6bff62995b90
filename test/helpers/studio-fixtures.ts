// Shared by the studio and job tests: synthetic portraits with their face masks (a disk "face" on a striped
// background, as in cli-train.test.ts), the tiny model's training settings, and a client with a masked project.
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

import sharp from 'sharp';

import type { JobEvent, JobView } from '../../src-main/services/jobs/index.js';
import { hostEntry } from '../../src-main/services/processes/hosts.js';
import type { Studio, StudioOptions, TrainingSettings } from '../../src-main/services/studio/index.js';
import { tinyDiffusers } from './golden.js';

export type Rgb = [number, number, number];
type Face = [cx: number, cy: number, r: number];

/** The hosts run the compiled JavaScript (npx tsc -p tsconfig.json). */
export const built = existsSync(hostEntry('engine')) && existsSync(hostEntry('media'));

/** Options for a studio on the tiny model; host output is dropped (crash tests kill hosts on purpose). */
export function studioOptions(libraryDir: string, extra: Partial<StudioOptions> = {}): StudioOptions {
  return { libraryDir, hosts: 'spawn', baseModel: { path: tinyDiffusers }, hostOptions: { onOutput: () => undefined, restart: { backoffMs: [100] } }, ...extra };
}

/** The tiny model trains in milliseconds per step at 64 px; it needs a one-token initializer of its vocabulary. */
export function tinyTraining(steps: [ti: number, lora: number], extra: TrainingSettings = {}): TrainingSettings {
  return { stepsTi: steps[0], stepsLora: steps[1], resolution: 64, initializerToken: 'a', checkpointEvery: 1, seed: 3, ...extra };
}

export const tinyRecipe = { width: 64, height: 64, steps: 2 };

export async function writePortrait(path: string, size: [number, number], face: Face, colours: [Rgb, Rgb]): Promise<string> {
  const [w, h] = size;
  const [cx, cy, r] = face;
  const pixels = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inside = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
      const shade = inside ? 1 : (x + y) % 16 < 8 ? 1 : 0.8;
      for (let c = 0; c < 3; c++) pixels[(y * w + x) * 3 + c] = Math.round(255 * colours[inside ? 0 : 1][c]! * shade);
    }
  }
  const image = sharp(pixels, { raw: { width: w, height: h, channels: 3 } });
  await (path.endsWith('.png') ? image.png() : image.jpeg()).toFile(path);
  return path;
}

export async function writeMask(path: string, size: [number, number], face: Face): Promise<string> {
  const [w, h] = size;
  const [cx, cy, r] = face;
  const pixels = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) pixels[y * w + x] = (x - cx) ** 2 + (y - cy) ** 2 < r * r ? 255 : 0;
  await sharp(pixels, { raw: { width: w, height: h, channels: 1 } }).png().toFile(path);
  return path;
}

export interface ShootFile {
  photo: string;
  mask: string;
}

/** Two selfies and one style reference with their masks, written into `dir`; `tint` makes another client's shoot. */
export async function writeShoot(dir: string, tint = 0): Promise<{ sources: ShootFile[]; references: ShootFile[] }> {
  const skin: Rgb = [0.9, 0.7 - tint, 0.6];
  const size: [number, number] = [80, 64];
  // Another tint also moves the faces, so that two clients share no file (not even a mask).
  const shift = Math.round(tint * 20);
  const item = async (name: string, [cx, cy, r]: Face, colours: [Rgb, Rgb]) => ({
    photo: await writePortrait(join(dir, `${name}.jpg`), size, [cx + shift, cy, r], colours),
    mask: await writeMask(join(dir, `${name}-mask.png`), size, [cx + shift, cy, r]),
  });
  return {
    sources: [await item('selfie-1', [40, 30, 14], [skin, [0.3, 0.3, 0.3 + tint]]), await item('selfie-2', [38, 34, 16], [skin, [0.3, 0.35, 0.3 + tint]])],
    references: [await item('style-1', [40, 30, 15], [[0.5, 0.5, 0.5], [0.1 + tint, 0.2, 0.8]])],
  };
}

export const consentToEverything = { signedBy: 'the client', scope: ['training', 'generation', 'portfolio'] as Array<'training' | 'generation' | 'portfolio'> };

export async function expectDone(studio: Studio, job: JobView): Promise<JobView> {
  const settled = await studio.jobs.waitFor(job.id);
  if (settled.state !== 'done') throw new Error(`expected job ${job.id} (${job.kind}) to be done, received ${settled.state}: ${settled.error?.message ?? ''}`);
  return settled;
}

/** A client (consenting to training and generation) with a project whose photos are imported and masked. */
export async function maskedProject(studio: Studio, dir: string, name: string, tint = 0): Promise<{ clientId: number; projectId: number }> {
  const { client } = await studio.clients.create({ name, consent: consentToEverything });
  const project = studio.projects.create({ clientId: client.id, name: `${name}'s portraits` });
  const shoot = await writeShoot(dir, tint);
  const files = [...shoot.sources, ...shoot.references];
  const imports = [
    studio.projects.importPhotos(project.id, 'source', shoot.sources.map((s) => s.photo)),
    studio.projects.importPhotos(project.id, 'reference', shoot.references.map((s) => s.photo)),
  ];
  for (const job of imports) await expectDone(studio, job);
  const masks = studio.projects.photos(project.id).map((photo) => {
    const file = files.find((f) => f.photo.endsWith(photo.originalName)) as ShootFile;
    return studio.projects.addMask(photo.id, file.mask);
  });
  for (const job of masks) await expectDone(studio, job);
  return { clientId: client.id, projectId: project.id };
}

/** Every event of the queue, in order. */
export function recordEvents(studio: Studio): JobEvent[] {
  const events: JobEvent[] = [];
  studio.jobs.on((event) => events.push(event));
  return events;
}

export function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}
