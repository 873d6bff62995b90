// Which installed model each step uses. The broker sends the verified files (models.use); per purpose the
// strongest known release wins (name patterns below, best first), and a step with nothing installed keeps the
// embedded default, so the studio works out of the box and only gets better with downloads. Only steps this
// host can run through ONNX are switched: detection stays on the embedded detector until SCRFD/YuNet decoding
// lands, and the choice reported says so rather than naming a model that did not run.
import type { ModelChoice, OnnxModelRef, OnnxPurpose } from '../../common/protocol/media.js';
import { EMBEDDED_FACE_MODELS } from '../faces/human-models.js';
import { cudaFallbackReason } from './sessions.js';

const PREFERENCE: Record<OnnxPurpose, RegExp[]> = {
  detector: [/scrfd/i, /retinaface/i, /yunet/i],
  parsing: [/bisenet/i],
  recognition: [/r100|glint/i, /r50|w600k/i, /arcface/i],
  restoration: [/codeformer/i, /gfpgan/i],
  upscaler: [/esrgan/i],
};

/** Purposes the host runs through ONNX today. */
export const RUNNABLE: ReadonlySet<OnnxPurpose> = new Set(['parsing', 'recognition', 'restoration', 'upscaler']);

let installed: OnnxModelRef[] = [];

export function useModels(models: OnnxModelRef[]): void {
  installed = [...models];
}

function rank(purpose: OnnxPurpose, name: string): number {
  const at = PREFERENCE[purpose].findIndex((re) => re.test(name));
  return at === -1 ? PREFERENCE[purpose].length : at;
}

/** The installed model a step should use, or undefined for the embedded default. */
export function bestModel(purpose: OnnxPurpose): OnnxModelRef | undefined {
  if (!RUNNABLE.has(purpose)) return undefined;
  return installed
    .filter((m) => m.purpose === purpose)
    .sort((a, b) => rank(purpose, a.name) - rank(purpose, b.name) || a.name.localeCompare(b.name))[0];
}

/** How a result names its model: name plus the hash prefix, so a reinstalled different file is distinguishable. */
export function modelLabel(model: OnnxModelRef): string {
  return `${model.name} (onnx ${model.sha256.slice(0, 12)})`;
}

export function currentChoice(): ModelChoice {
  const pick = (purpose: OnnxPurpose, fallback: string) => {
    const m = bestModel(purpose);
    return m ? modelLabel(m) : fallback;
  };
  return {
    detector: EMBEDDED_FACE_MODELS.detector,
    parsing: pick('parsing', EMBEDDED_FACE_MODELS.mask),
    recognition: pick('recognition', EMBEDDED_FACE_MODELS.embedding),
    restoration: pick('restoration', 'none installed'),
    upscaler: pick('upscaler', 'esrgan-slim (embedded, wasm)'),
    cudaFallback: cudaFallbackReason(),
  };
}
