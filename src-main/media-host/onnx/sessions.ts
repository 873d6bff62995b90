// onnxruntime-node sessions, one per model file, created on first use and kept: creating a session parses the
// graph and plans memory (tens of ms for small models, seconds for a 250 MB ArcFace R100). CUDA is tried first
// because users with an NVIDIA card get it for free; when its provider library is absent (the npm package ships
// only the CPU provider unless its install script downloaded CUDA) the session falls back to the CPU and the
// reason is logged once and kept, so a capability report can say why a result came from the CPU.
import ort from 'onnxruntime-node';

import { MediaError } from '../media-error.js';

export type Provider = 'cuda' | 'cpu';

export interface CachedSession {
  session: ort.InferenceSession;
  provider: Provider;
}

export interface SessionOptions {
  /** Try the CUDA provider first (default true). */
  preferCuda?: boolean;
  log?: (line: string) => void;
}

const sessions = new Map<string, Promise<CachedSession>>();
let cudaUnavailable: string | null = null;

/** Why the last CUDA attempt failed, or null when it never failed. */
export function cudaFallbackReason(): string | null {
  return cudaUnavailable;
}

async function create(path: string, options: SessionOptions): Promise<CachedSession> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const threads = { intraOpNumThreads: 0, graphOptimizationLevel: 'all' as const };
  if ((options.preferCuda ?? true) && cudaUnavailable === null) {
    try {
      return { session: await ort.InferenceSession.create(path, { ...threads, executionProviders: ['cuda'] }), provider: 'cuda' };
    } catch (error) {
      cudaUnavailable = (error as Error).message.split('\n')[0] ?? 'unknown';
      log(`onnx: CUDA provider unavailable, using the CPU: ${cudaUnavailable}`);
    }
  }
  try {
    return { session: await ort.InferenceSession.create(path, { ...threads, executionProviders: ['cpu'] }), provider: 'cpu' };
  } catch (error) {
    throw new MediaError('E_BAD_ARGUMENT', `expected an ONNX model at ${path}, received a file onnxruntime cannot load: ${(error as Error).message}`, 'Reinstall the model from the model manager.');
  }
}

/** The cached session for a model file (keyed by path and hash: a reinstalled file gets a new session). */
export function sessionFor(path: string, sha256: string, options: SessionOptions = {}): Promise<CachedSession> {
  const key = `${sha256}:${path}`;
  let pending = sessions.get(key);
  if (!pending) {
    pending = create(path, options);
    pending.catch(() => sessions.delete(key));
    sessions.set(key, pending);
  }
  return pending;
}

export async function releaseSessions(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  await Promise.all(all.map(async (p) => (await p.catch(() => null))?.session.release()));
}

/** Runs a one-input, one-output model; checks the output's shape against what the caller's post-processing needs. */
export async function runSingle(cached: CachedSession, input: ort.Tensor, what: string): Promise<ort.Tensor> {
  const { session } = cached;
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  if (inputName === undefined || outputName === undefined) throw new MediaError('E_BAD_ARGUMENT', `expected ${what} to have an input and an output, received ${session.inputNames.length} inputs and ${session.outputNames.length} outputs`);
  const out = await session.run({ [inputName]: input });
  return out[outputName]!;
}
