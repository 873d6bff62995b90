// Installed ONNX models as the media host sees them: the broker (services/models) tells the host which files
// are installed; the host picks the best one for each step and reports its choice, and every face result names
// the model that made it (FaceModels), so a stored mask or score says where it came from.
import type { MethodSpec, ParamValidators } from './messages.js';
import type { FaceMask } from './media-faces.js';
import { type ImageSource, imageSource } from './media-source.js';
import { fail, integer, list, oneOf, optional, record, text } from './validate.js';

export const ONNX_PURPOSES = ['detector', 'parsing', 'recognition', 'restoration', 'upscaler'] as const;
export type OnnxPurpose = (typeof ONNX_PURPOSES)[number];

export interface OnnxModelRef {
  name: string;
  purpose: OnnxPurpose;
  /** Absolute path of the verified file in the library's models/ folder. */
  path: string;
  sha256: string;
}

/** The model each step uses: an installed ONNX model's name, or the embedded default's. */
export interface ModelChoice {
  detector: string;
  parsing: string;
  recognition: string;
  restoration: string;
  upscaler: string;
  /** Why CUDA was not used (its provider library missing, no device), or null. */
  cudaFallback: string | null;
}

export interface ParsedMask {
  /** The soft face mask (identity photos) and its inverse (style references), framed like the upright image. */
  mask: FaceMask;
  inverse: FaceMask;
  model: string;
}

export type ModelMethods = {
  /** Replaces the set of installed models the host may use; answers with the choice per step. */
  'models.use': MethodSpec<{ models: OnnxModelRef[] }, ModelChoice>;
  /** The main face's mask and its inverse, from parsing when a parsing model is installed, else the mesh oval. */
  'faces.mask': MethodSpec<{ source: ImageSource; maskSize?: number }, ParsedMask>;
};

function modelRef(value: unknown, path: string): OnnxModelRef {
  const r = record(value, path);
  const sha256 = text(r['sha256'], `${path}.sha256`);
  if (!/^[0-9a-f]{64}$/.test(sha256)) fail(`${path}.sha256`, '64 lowercase hex digits', sha256);
  const file = text(r['path'], `${path}.path`);
  if (!(file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file))) fail(`${path}.path`, 'an absolute path', file);
  return { name: text(r['name'], `${path}.name`), purpose: oneOf(r['purpose'], `${path}.purpose`, ONNX_PURPOSES), path: file, sha256 };
}

export const modelParams: ParamValidators<ModelMethods> = {
  'models.use': (p) => ({ models: list(record(p, 'params')['models'], 'models', 0, 64, (v, q) => modelRef(v, q)) }),
  'faces.mask': (p) => {
    const r = record(p, 'params');
    const maskSize = optional(r['maskSize'], (v) => integer(v, 'maskSize', 16, 8192));
    return { source: imageSource(r['source']), ...(maskSize === undefined ? {} : { maskSize }) };
  },
};
