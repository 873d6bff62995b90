// The engines this host keeps open, one per model path, and the adapters attached to each. Requests name the
// model and adapters they need (not a handle), so a job that runs again after a host restart needs nothing
// the dead host held.
import { resolve } from 'node:path';

import { Engine } from '../../native/lib/engine.js';
import { DEFAULT_TEXT_SCALE, DEFAULT_UNET_SCALE } from '../../native/lib/lora.js';
import type { Dtype, LoraRef, ModelRef, OpenModel } from '../common/protocol/engine.js';

interface Entry {
  engine: Engine;
  device: string;
  dtype: Dtype;
  tokenizerDir: string | undefined;
  lora: Required<LoraRef> | null;
  /** False once adapters were loaded: their placeholder tokens stay in the tokenizer. */
  pristine: boolean;
}

export class ModelRegistry {
  private readonly entries = new Map<string, Entry>();

  /** The open engine for ref, opening it (or reopening it on another device/dtype/tokenizer) when needed. */
  async get(ref: ModelRef): Promise<Entry> {
    const path = resolve(ref.path);
    const device = ref.device ?? 'cpu';
    const dtype = ref.dtype ?? 'fp32';
    const existing = this.entries.get(path);
    if (existing && existing.device === device && existing.dtype === dtype && existing.tokenizerDir === ref.tokenizerDir) {
      return existing;
    }
    this.close(path);
    const options = { device, dtype, ...(ref.tokenizerDir === undefined ? {} : { tokenizerDir: ref.tokenizerDir }) };
    const entry: Entry = {
      engine: await Engine.open(path, options),
      device,
      dtype,
      tokenizerDir: ref.tokenizerDir,
      lora: null,
      pristine: true,
    };
    this.entries.set(path, entry);
    return entry;
  }

  /** An engine exactly as loaded from disk, for training (which adds its own tokens and adapters). */
  async pristine(ref: ModelRef): Promise<Entry> {
    const entry = await this.get(ref);
    if (entry.pristine) return entry;
    this.close(ref.path);
    return this.get(ref);
  }

  /** Attaches exactly the adapters asked for (none when lora is undefined), reusing what is already attached. */
  async applyLora(entry: Entry, lora: LoraRef | undefined): Promise<void> {
    const want = lora
      ? { path: resolve(lora.path), unetScale: lora.unetScale ?? DEFAULT_UNET_SCALE, textScale: lora.textScale ?? DEFAULT_TEXT_SCALE }
      : null;
    const have = entry.lora;
    if (want?.path === have?.path && want?.unetScale === have?.unetScale && want?.textScale === have?.textScale) return;
    if (want && have && want.path === have.path) {
      await entry.engine.setLoraScales(want.unetScale, want.textScale);
      entry.lora = want;
      return;
    }
    if (have) {
      await entry.engine.clearLora();
      entry.lora = null;
    }
    if (want) {
      entry.pristine = false;
      await entry.engine.loadLora(want.path, { unetScale: want.unetScale, textScale: want.textScale });
      entry.lora = want;
    }
  }

  close(path: string): boolean {
    const key = resolve(path);
    const entry = this.entries.get(key);
    entry?.engine.close();
    return this.entries.delete(key);
  }

  closeAll(): void {
    for (const path of [...this.entries.keys()]) this.close(path);
  }

  list(): OpenModel[] {
    return [...this.entries].map(([path, e]) => ({ path, device: e.device, dtype: e.dtype, lora: e.lora }));
  }
}
