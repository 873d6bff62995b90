// Installs, imports and removes the optional stronger models (manifest.ts). A model file lands in the library's
// models/ folder only after its SHA-256 matched, written to a ".partial" file and renamed (atomic on one
// filesystem); the catalog row commits after the rename, so a crash never leaves a row without its file. Two
// things need the photographer's explicit yes: an entry whose published hash nobody verified, and a licence
// that forbids commercial use (recorded in the catalog, shown before every paid delivery).
import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import type { OnnxModelRef } from '../../common/protocol/media-models.js';
import type { InstalledModel, ModelsRepository } from '../catalog/models-repository.js';
import { downloadResumable, type DownloadOptions, hashFile } from './download.js';
import { CATALOG_PURPOSE, type ManifestEntry, type ManifestPurpose } from './manifest.js';
import { ModelError } from './model-error.js';

export const MODELS_DIR = 'models';
const PARTIAL_DIR = '.partial';

export interface Consent {
  /** Install although the manifest has no verified SHA-256 for this file (the hash actually seen is recorded). */
  acceptUnverified?: boolean;
  /** The photographer has read that the licence forbids commercial use. */
  acknowledgeNonCommercial?: boolean;
}

export interface ModelListing extends ManifestEntry {
  installed: InstalledModel | null;
}

export interface ImportRequest extends Consent {
  path: string;
  /** A manifest name (its hash, licence and purpose apply) or a new name with the fields below. */
  name: string;
  purpose?: ManifestPurpose;
  licence?: string;
  commercialUse?: boolean;
  sha256?: string;
}

async function syncFolder(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function checkConsent(entry: Pick<ManifestEntry, 'name' | 'sha256' | 'licence' | 'commercialUse'>, consent: Consent): void {
  if (entry.sha256 === null && !consent.acceptUnverified) {
    throw new ModelError('needs_confirmation', `expected a verified SHA-256 for ${entry.name}, received none in the manifest`, 'Confirm (acceptUnverified) to install it anyway; the hash of the file received is recorded.');
  }
  if (!entry.commercialUse && !consent.acknowledgeNonCommercial) {
    throw new ModelError('needs_confirmation', `expected an acknowledgement of ${entry.name}'s licence ("${entry.licence}"), which forbids commercial use, received none`, 'Confirm (acknowledgeNonCommercial): results it makes must not be sold.');
  }
}

export class ModelManager {
  readonly dir: string;

  constructor(
    libraryDir: string,
    private readonly repository: ModelsRepository,
    private readonly manifest: readonly ManifestEntry[],
  ) {
    this.dir = join(libraryDir, MODELS_DIR);
  }

  list(): ModelListing[] {
    const installed = new Map(this.repository.list().map((m) => [m.name, m]));
    return this.manifest.map((e) => ({ ...e, installed: installed.get(e.name) ?? null }));
  }

  entry(name: string): ManifestEntry {
    const found = this.manifest.find((e) => e.name === name);
    if (!found) throw new ModelError('unknown_model', `expected a model from the manifest (${this.manifest.map((e) => e.name).join(', ')}), received ${JSON.stringify(name)}`);
    return found;
  }

  /** Downloads (resuming a partial file left by an interruption), verifies and records a manifest model. */
  async install(name: string, consent: Consent = {}, options: DownloadOptions = {}): Promise<InstalledModel> {
    const entry = this.entry(name);
    checkConsent(entry, consent);
    this.refuseInstalled(name);
    const part = await this.partialPath(name);
    await downloadResumable(entry.url, part, options);
    return this.commit(part, entry, true, extensionOf(new URL(entry.url).pathname));
  }

  /** Copies a file the photographer downloaded themselves, with the same checks as a download. */
  async importFile(request: ImportRequest): Promise<InstalledModel> {
    const known = this.manifest.find((e) => e.name === request.name);
    const entry: ManifestEntry = known ?? {
      name: request.name,
      purpose: request.purpose ?? fail('purpose', 'one of detector, parsing, recognition, restoration, upscaler for a model not in the manifest', request.purpose),
      url: pathToFileURL(request.path).href,
      sha256: request.sha256 ?? null,
      size: null,
      licence: request.licence ?? fail('licence', "the model's licence text", request.licence),
      commercialUse: request.commercialUse ?? fail('commercialUse', 'true or false', request.commercialUse),
      input: {},
      output: {},
    };
    checkConsent(entry, request);
    this.refuseInstalled(entry.name);
    const part = await this.partialPath(entry.name);
    await copyFile(request.path, part);
    return this.commit(part, entry, false, extensionOf(request.path));
  }

  /** Forgets the model and deletes its file from the library. */
  async uninstall(name: string): Promise<void> {
    const model = this.installed(name);
    this.repository.remove(model.id);
    await rm(model.path, { force: true });
  }

  /** What the media host's models.use takes: the installed files of the purposes it can run through ONNX. */
  hostModels(): OnnxModelRef[] {
    const purposeOf = new Map(Object.entries(CATALOG_PURPOSE).map(([onnx, catalog]) => [catalog, onnx as ManifestPurpose]));
    return this.repository.list().flatMap((m) => {
      const purpose = purposeOf.get(m.purpose);
      // The checkpoint is the engine's (native/), never the media host's.
      return purpose && purpose !== 'checkpoint' ? [{ name: m.name, purpose, path: m.path, sha256: m.sha256 }] : [];
    });
  }

  installed(name: string): InstalledModel {
    const model = this.repository.list().find((m) => m.name === name);
    if (!model) throw new ModelError('not_found', `expected an installed model named ${JSON.stringify(name)}, received no such model`);
    return model;
  }

  private refuseInstalled(name: string): void {
    if (this.repository.list().some((m) => m.name === name)) {
      throw new ModelError('already_installed', `expected ${name} not to be installed yet, received an installed copy`, 'Uninstall it first to replace it.');
    }
  }

  private async partialPath(name: string): Promise<string> {
    const dir = join(this.dir, PARTIAL_DIR);
    await mkdir(dir, { recursive: true });
    return join(dir, `${name}.part`);
  }

  /** Verifies the partial file; on success renames it into place and records it, otherwise deletes it. */
  private async commit(part: string, entry: ManifestEntry, keepOnSizeShortfall: boolean, extension: string): Promise<InstalledModel> {
    const size = (await stat(part)).size;
    if (entry.size !== null && size !== entry.size) {
      if (!(keepOnSizeShortfall && size < entry.size)) await rm(part, { force: true });
      throw new ModelError('size_mismatch', `expected ${entry.size} bytes for ${entry.name}, received ${size}`, size < entry.size ? 'Try again: the download resumes.' : 'The file is not the published release.');
    }
    const sha256 = await hashFile(part);
    if (entry.sha256 !== null && sha256 !== entry.sha256) {
      await rm(part, { force: true });
      throw new ModelError('hash_mismatch', `expected SHA-256 ${entry.sha256} for ${entry.name}, received ${sha256}`, 'The file is damaged or not the published release; nothing was installed.');
    }
    const final = join(this.dir, `${sha256.slice(0, 16)}-${entry.name}${extension}`);
    await syncFile(part);
    await rename(part, final);
    await syncFolder(this.dir);
    try {
      return this.repository.install({ name: entry.name, purpose: CATALOG_PURPOSE[entry.purpose], path: final, sha256, licence: entry.licence, commercialUse: entry.commercialUse });
    } catch (error) {
      await rm(final, { force: true });
      throw error;
    }
  }
}

/** The file's extension (.onnx, .safetensors), so the installed file says what it is; .bin when unknown. */
function extensionOf(path: string): string {
  const ext = extname(path).toLowerCase();
  return /^\.[a-z0-9]{1,12}$/.test(ext) ? ext : '.bin';
}

function fail(field: string, expected: string, received: unknown): never {
  throw new ModelError('unknown_model', `expected ${field} to be ${expected}, received ${JSON.stringify(received)}`);
}
