// The base Stable Diffusion model training and generation run on: the studio's option, else the setting saved
// with chooseBaseModel, else the first installed model of purpose "base". Its SHA-256 goes into every recipe, so
// it is computed once per version of the files (a diffusers folder hashes each file, then the list) and cached in
// the settings under a cheap fingerprint of names, sizes and modification times.
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

import { type Dtype, DTYPES } from '../../common/protocol/engine.js';
import type { Catalog } from '../catalog/catalog.js';
import { fields, oneOf, text } from '../catalog/validate.js';
import { absolutePath } from '../jobs/job-request.js';
import type { BaseModel } from '../jobs/job-types.js';
import { sha256OfFile } from '../library/blob-store.js';
import { StudioError } from './studio-error.js';

export interface BaseModelChoice {
  /** A diffusers folder or a single .safetensors checkpoint. */
  path: string;
  tokenizerDir?: string;
  device?: string;
  dtype?: Dtype;
}

const CHOICE_SETTING = 'engine.baseModel';
const HASH_SETTING = 'engine.modelHashes';

export function checkBaseModelChoice(value: unknown): BaseModelChoice {
  const f = fields(value, 'base model', ['path', 'tokenizerDir', 'device', 'dtype']);
  return {
    path: absolutePath(f['path'], 'path'),
    ...(f['tokenizerDir'] === undefined ? {} : { tokenizerDir: absolutePath(f['tokenizerDir'], 'tokenizerDir') }),
    ...(f['device'] === undefined ? {} : { device: text(f['device'], 'device', { max: 20, pattern: /^(cpu|cuda(:\d+)?)$/, patternText: 'cpu or cuda:N' }) }),
    ...(f['dtype'] === undefined ? {} : { dtype: oneOf(f['dtype'], 'dtype', DTYPES) }),
  };
}

async function filesOf(path: string): Promise<Array<{ path: string; name: string; size: number; mtimeMs: number }>> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new StudioError('unavailable', `expected the base model at ${path}, received nothing there`, 'Choose the model again in Settings.');
  if (info.isFile()) return [{ path, name: '', size: info.size, mtimeMs: info.mtimeMs }];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const files = await Promise.all(
    entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map(async (e) => {
      const file = join(e.parentPath, e.name);
      const s = await stat(file);
      return { path: file, name: relative(path, file).split(sep).join('/'), size: s.size, mtimeMs: s.mtimeMs };
    }),
  );
  return files.sort((a, b) => (a.name < b.name ? -1 : 1));
}

async function modelHash(catalog: Catalog, path: string): Promise<string> {
  const files = await filesOf(path);
  const fingerprint = createHash('sha256').update(JSON.stringify(files.map((f) => [f.name, f.size, f.mtimeMs]))).digest('hex');
  const cache = catalog.settings.get<Record<string, { fingerprint: string; sha256: string }>>(HASH_SETTING, {}) ?? {};
  const cached = cache[path];
  if (cached?.fingerprint === fingerprint) return cached.sha256;
  let sha256: string;
  if (files.length === 1 && files[0]?.name === '') sha256 = await sha256OfFile(path);
  else {
    const list = createHash('sha256');
    for (const file of files) list.update(`${file.name}\0${await sha256OfFile(file.path)}\n`);
    sha256 = list.digest('hex');
  }
  catalog.settings.set(HASH_SETTING, { ...cache, [path]: { fingerprint, sha256 } });
  return sha256;
}

/** Saves the photographer's choice of base model (checked to exist). */
export async function chooseBaseModel(catalog: Catalog, choice: BaseModelChoice): Promise<BaseModel> {
  const checked = checkBaseModelChoice(choice);
  const model = { ...checked, sha256: await modelHash(catalog, checked.path) };
  catalog.settings.set(CHOICE_SETTING, checked);
  return model;
}

export async function resolveBaseModel(catalog: Catalog, override: BaseModelChoice | undefined): Promise<BaseModel> {
  const installed = catalog.models.list('base');
  const choice = override ?? catalog.settings.get<BaseModelChoice>(CHOICE_SETTING) ?? (installed[0] && { path: installed[0].path });
  if (!choice) {
    throw new StudioError('unavailable', 'expected a base Stable Diffusion 1.5 model to train and generate with, received none',
      'Choose one in Settings: a diffusers folder or a .safetensors checkpoint.');
  }
  const known = installed.find((model) => model.path === choice.path);
  return { ...choice, sha256: known?.sha256 ?? (await modelHash(catalog, choice.path)) };
}
