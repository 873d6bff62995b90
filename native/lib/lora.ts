// LoRA adapters and placeholder tokens: the facade over native/binding/lora_binding.cpp. The Engine class
// (engine.ts) exposes these as loadLora / setLoraScales / clearLora / saveLora / loraStatus.
//
// Formats (native/src/lora/formats.h): "magicapture" (the official MagiCapture file: unet:{i}:up/down,
// text_encoder:{i}:up/down, token embeddings), "kohya" (kohya-ss / A1111 lora_unet_... files) and "embedding"
// (an A1111 textual-inversion file, emb_params). Inference scales default to MagiCapture's 0.6 (UNet) and
// 0.9 (text encoder); adapters never use dropout at inference.
import { addon, type NativeEngineHandle } from './addon.js';
import { badArgument, describe, EngineError, fromNative } from './errors.js';
import type { ClipTokenizer } from './tokenizer/index.js';

export type LoraFormat = 'magicapture' | 'kohya' | 'embedding';
export const LORA_FORMATS: readonly LoraFormat[] = ['magicapture', 'kohya', 'embedding'];
export const DEFAULT_UNET_SCALE = 0.6;
export const DEFAULT_TEXT_SCALE = 0.9;
const MAX_SCALE = 10;

/** What a file holds, read from its header alone. */
export interface LoraFileSummary {
  format: LoraFormat;
  unetAdapters: number;
  textAdapters: number;
  /** The largest adapter rank (0 for an embedding-only file). */
  rank: number;
  /** Placeholder tokens the file embeds, e.g. ["<sks>", "<style1>"]. */
  tokens: string[];
  metadata: Record<string, string>;
}

/** What an engine currently has attached. */
export interface LoraStatus {
  /** The format of the last file loaded; "" when adapters were injected or nothing is loaded. */
  format: LoraFormat | '';
  unetAdapters: number;
  textAdapters: number;
  rank: number;
  unetScale: number;
  textScale: number;
  tokens: Array<{ token: string; id: number }>;
}

export interface LoadLoraOptions {
  /** Multiplier of the UNet adapters, default 0.6 (MagiCapture's inference value). */
  unetScale?: number;
  /** Multiplier of the text-encoder adapters, default 0.9. */
  textScale?: number;
  /** Embedding files only: the token to load the vector as (default: the file's "name", else its file name). */
  token?: string;
}

export interface SaveLoraOptions {
  /** Format "embedding": which placeholder token to write (default: the only one loaded). */
  token?: string;
}

export interface LoraTarget {
  path: string;
  in: number;
  out: number;
  adapter: { rank: number; scale: number } | null;
}

export interface InjectLoraOptions {
  rank?: number;
  scale?: number;
  seed?: number;
}

interface NativeStatus extends Omit<LoraStatus, 'format'> {
  format: string;
}

/** The raw functions (lora_binding.cpp); only this module calls them. */
interface LoraNative {
  loraInspect(path: string, token?: string): LoraFileSummary;
  loraTargets(handle: NativeEngineHandle): { unet: LoraTarget[]; textEncoder: LoraTarget[] };
  loraLoad(
    handle: NativeEngineHandle,
    path: string,
    options: { unetScale: number; textScale: number; tokenIds: Record<string, number>; token?: string },
  ): Promise<NativeStatus>;
  loraSetScales(handle: NativeEngineHandle, unetScale: number, textScale: number): Promise<NativeStatus>;
  loraClear(handle: NativeEngineHandle): Promise<NativeStatus>;
  loraStatus(handle: NativeEngineHandle): Promise<NativeStatus>;
  loraInject(handle: NativeEngineHandle, options: { rank: number; scale: number; seed: number }): Promise<NativeStatus>;
  loraSave(handle: NativeEngineHandle, path: string, format: LoraFormat, token?: string): Promise<void>;
}

function native(): LoraNative {
  return addon() as unknown as LoraNative;
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fromNative(error);
  }
}

function checkPath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) {
    throw badArgument(`expected a file path, received ${describe(path)}`);
  }
  return path;
}

function checkScale(value: unknown, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > MAX_SCALE) {
    throw badArgument(
      `expected the ${what} LoRA scale to be a number from -${MAX_SCALE} to ${MAX_SCALE}, received ${describe(value)}`,
    );
  }
  return value;
}

function checkToken(token: unknown): string | undefined {
  if (token === undefined) return undefined;
  if (typeof token !== 'string' || token.length === 0 || token.length > 100 || /[\s\p{Cc}]/u.test(token)) {
    throw badArgument(`expected a token of 1 to 100 characters without spaces, received ${describe(token)}`);
  }
  return token;
}

function status(s: NativeStatus): LoraStatus {
  return { ...s, format: s.format as LoraFormat | '' };
}

// One adapter call at a time per engine: token ids are planned from the tokenizer before the native load and
// registered after it, so two loads must not interleave.
const queues = new WeakMap<object, Promise<unknown>>();

function serialised<T>(handle: NativeEngineHandle, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(handle) ?? Promise.resolve();
  const next = previous.then(work, work);
  queues.set(
    handle,
    next.catch(() => undefined),
  );
  return next;
}

/** Reads a LoRA or embedding file's header: its format, adapter counts, rank and tokens (no model needed). */
export function inspectLora(path: string, token?: string): LoraFileSummary {
  checkPath(path);
  const checked = checkToken(token);
  try {
    return checked === undefined ? native().loraInspect(path) : native().loraInspect(path, checked);
  } catch (error) {
    throw fromNative(error);
  }
}

/**
 * Loads a LoRA (replacing the adapters attached now) or an embedding file into an open engine, validating all of
 * it first, and adds its placeholder tokens to the tokenizer so that prompts can use them.
 */
export function loadLora(
  handle: NativeEngineHandle,
  tokenizer: ClipTokenizer,
  path: string,
  options: LoadLoraOptions = {},
): Promise<LoraStatus> {
  checkPath(path);
  if (typeof options !== 'object' || options === null) {
    throw badArgument(`expected options to be an object, received ${describe(options)}`);
  }
  const unetScale = checkScale(options.unetScale, 'UNet', DEFAULT_UNET_SCALE);
  const textScale = checkScale(options.textScale, 'text-encoder', DEFAULT_TEXT_SCALE);
  const token = checkToken(options.token);
  return serialised(handle, async () => {
    const summary = inspectLora(path, token);
    const tokenIds: Record<string, number> = {};
    let next = tokenizer.totalSize;
    for (const t of summary.tokens) {
      const id = tokenizer.tokenToId(t) ?? next++;
      if (id === tokenizer.bosId || id === tokenizer.eosId) {
        throw new EngineError('E_BAD_CHECKPOINT', `${path}: the embedding ${t} would replace a special token`,
          'Rename the token in the file.');
      }
      tokenIds[t] = id;
    }
    const loaded = await call(() =>
      native().loraLoad(handle, path, { unetScale, textScale, tokenIds, ...(token === undefined ? {} : { token }) }),
    );
    const ids = tokenizer.addTokens(summary.tokens);
    ids.forEach((id, i) => {
      const t = summary.tokens[i] as string;
      if (id !== tokenIds[t]) {
        throw new EngineError('E_INTERNAL', `the tokenizer gave ${t} the id ${id}, the engine wrote row ${tokenIds[t]}`);
      }
    });
    return status(loaded);
  });
}

/** Changes the multipliers of the attached adapters (0 and 0 give the base model, placeholder tokens aside). */
export function setLoraScales(handle: NativeEngineHandle, unetScale: number, textScale: number): Promise<LoraStatus> {
  const u = checkScale(unetScale, 'UNet', DEFAULT_UNET_SCALE);
  const t = checkScale(textScale, 'text-encoder', DEFAULT_TEXT_SCALE);
  return serialised(handle, async () => status(await call(() => native().loraSetScales(handle, u, t))));
}

/**
 * Detaches every adapter and restores the token embeddings as opened. The tokenizer keeps knowing the placeholder
 * tokens: a prompt that still uses one fails with "expected token ids below the vocabulary size".
 */
export function clearLora(handle: NativeEngineHandle): Promise<LoraStatus> {
  return serialised(handle, async () => status(await call(() => native().loraClear(handle))));
}

export function loraStatus(handle: NativeEngineHandle): Promise<LoraStatus> {
  return serialised(handle, async () => status(await call(() => native().loraStatus(handle))));
}

/** Writes the attached adapters (and placeholder embeddings, format "magicapture") to a .safetensors file. */
export function saveLora(
  handle: NativeEngineHandle,
  path: string,
  format: LoraFormat = 'magicapture',
  options: SaveLoraOptions = {},
): Promise<void> {
  checkPath(path);
  if (!/\.safetensors$/i.test(path)) throw badArgument(`expected a .safetensors path, received ${describe(path)}`);
  if (!LORA_FORMATS.includes(format)) {
    throw badArgument(`expected a format ${LORA_FORMATS.join(', ')}, received ${describe(format)}`);
  }
  const token = checkToken(options.token);
  return serialised(handle, () =>
    call(() => (token === undefined ? native().loraSave(handle, path, format) : native().loraSave(handle, path, format, token))),
  );
}

/** Every adapter target of the loaded models, in the official order (diagnostics and tests). */
export function loraTargets(handle: NativeEngineHandle): { unet: LoraTarget[]; textEncoder: LoraTarget[] } {
  try {
    return native().loraTargets(handle);
  } catch (error) {
    throw fromNative(error);
  }
}

/** Fresh trainable adapters on every target (down ~ N(0, 1/rank^2), up = 0): the start of a training run. */
export function injectLora(handle: NativeEngineHandle, options: InjectLoraOptions = {}): Promise<LoraStatus> {
  const rank = options.rank ?? 4;
  const scale = checkScale(options.scale, 'training', 1);
  const seed = options.seed ?? 0;
  if (!Number.isSafeInteger(rank) || rank < 1) {
    throw badArgument(`expected a positive integer rank, received ${describe(rank)}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw badArgument(`expected a non-negative integer seed, received ${describe(seed)}`);
  }
  return serialised(handle, async () => status(await call(() => native().loraInject(handle, { rank, scale, seed }))));
}
