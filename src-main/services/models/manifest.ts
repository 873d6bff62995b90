// The manifest of installable models (assets/models/manifest.json): what each public release is for, where it
// is published, its hash when someone verified it, and whether its licence allows commercial delivery.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { ModelPurpose } from '../catalog/models-repository.js';
import { ModelError } from './model-error.js';

export const MANIFEST_PURPOSES = ['checkpoint', 'detector', 'parsing', 'recognition', 'restoration', 'upscaler'] as const;
export type ManifestPurpose = (typeof MANIFEST_PURPOSES)[number];

/** The catalog's purpose for each manifest purpose (the catalog also records base checkpoints, LoRAs, …). */
export const CATALOG_PURPOSE: Record<ManifestPurpose, ModelPurpose> = {
  checkpoint: 'base',
  detector: 'face_detection',
  parsing: 'face_parsing',
  recognition: 'face_recognition',
  restoration: 'restoration',
  upscaler: 'super_resolution',
};

export interface ManifestEntry {
  name: string;
  purpose: ManifestPurpose;
  url: string;
  /** null: nobody verified the published file; installing it needs the photographer's confirmation. */
  sha256: string | null;
  size: number | null;
  licence: string;
  commercialUse: boolean;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  unverified?: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

function bad(path: string, expected: string, received: unknown): never {
  throw new ModelError('bad_manifest', `expected ${path} to be ${expected}, received ${JSON.stringify(received)}`, 'Fix assets/models/manifest.json.');
}

function entry(value: unknown, i: number): ManifestEntry {
  const at = `models[${i}]`;
  if (typeof value !== 'object' || value === null) bad(at, 'an object', value);
  const e = value as Record<string, unknown>;
  if (typeof e['name'] !== 'string' || !/^[\w.-]{1,200}$/.test(e['name'])) bad(`${at}.name`, 'a name of letters, digits, ".", "_" or "-"', e['name']);
  if (!MANIFEST_PURPOSES.includes(e['purpose'] as ManifestPurpose)) bad(`${at}.purpose`, `one of ${MANIFEST_PURPOSES.join(', ')}`, e['purpose']);
  if (typeof e['url'] !== 'string' || !/^https?:\/\//.test(e['url'])) bad(`${at}.url`, 'an http(s) URL', e['url']);
  if (e['sha256'] !== null && (typeof e['sha256'] !== 'string' || !SHA256.test(e['sha256']))) bad(`${at}.sha256`, '64 lowercase hex digits or null', e['sha256']);
  if (e['size'] !== null && !(Number.isSafeInteger(e['size']) && (e['size'] as number) > 0)) bad(`${at}.size`, 'a positive byte count or null', e['size']);
  if (typeof e['licence'] !== 'string' || e['licence'] === '') bad(`${at}.licence`, 'the licence text', e['licence']);
  if (typeof e['commercialUse'] !== 'boolean') bad(`${at}.commercialUse`, 'true or false', e['commercialUse']);
  return {
    name: e['name'],
    purpose: e['purpose'] as ManifestPurpose,
    url: e['url'],
    sha256: e['sha256'] as string | null,
    size: e['size'] as number | null,
    licence: e['licence'],
    commercialUse: e['commercialUse'],
    input: (e['input'] ?? {}) as Record<string, unknown>,
    output: (e['output'] ?? {}) as Record<string, unknown>,
    ...(typeof e['unverified'] === 'string' ? { unverified: e['unverified'] } : {}),
  };
}

export function parseManifest(json: unknown): ManifestEntry[] {
  const models = (json as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) bad('the manifest', '{"models": [...]}', json);
  const entries = models.map(entry);
  const names = new Set<string>();
  for (const e of entries) {
    if (names.has(e.name)) bad('model names', 'unique', e.name);
    names.add(e.name);
  }
  return entries;
}

/** Walks up from this file: it runs from the sources (tests) and compiled under dist/, at different depths. */
export function manifestPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'assets', 'models', 'manifest.json');
    if (existsSync(file)) return file;
    const parent = dirname(dir);
    if (parent === dir) throw new ModelError('bad_manifest', 'expected assets/models/manifest.json above the studio\'s code, received no such file');
    dir = parent;
  }
}

export function loadManifest(path = manifestPath()): ManifestEntry[] {
  return parseManifest(JSON.parse(readFileSync(path, 'utf8')));
}
