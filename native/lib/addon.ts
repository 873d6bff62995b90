// Loads the native addon once. The raw functions are typed here and used only by the facade modules in this
// folder, which validate every argument before the single native crossing.
import { createRequire } from 'node:module';

import { addonPath } from './paths.js';

export interface NativeTensor {
  data: Float32Array;
  shape: number[];
}

export interface NativeAttentionMap extends NativeTensor {
  layer: string;
  step: number;
  height: number;
  width: number;
}

export interface NativeSampleResult {
  images: NativeTensor;
  latents?: NativeTensor;
  timesteps: number[];
  attention: NativeAttentionMap[];
}

export interface NativeProgress {
  step: number;
  total: number;
  elapsedSeconds: number;
}

export interface NativeEngineHandle {
  info(): unknown;
  sample(request: object, onProgress: ((p: NativeProgress) => void) | undefined, jobId: number): Promise<NativeSampleResult>;
  cancel(jobId: number): boolean;
  close(): void;
  textForward(ids: number[][]): NativeTensor;
  unetForward(
    args: { sample: NativeTensor; timestep: NativeTensor; context: NativeTensor },
    captureAttention: boolean,
  ): { out: NativeTensor; attention: Record<string, NativeTensor> };
  vaeEncode(image: NativeTensor, seed: number): { mean: NativeTensor; logvar: NativeTensor; sample: NativeTensor };
  vaeDecode(latents: NativeTensor): NativeTensor;
}

export interface NativeAddon {
  torchVersion: string;
  openEngine(path: string, options: { device: string; dtype: string }): Promise<NativeEngineHandle>;
  cudaAvailable(): boolean;
  [name: string]: unknown;
}

let loaded: NativeAddon | undefined;

export function addon(): NativeAddon {
  if (!loaded) loaded = createRequire(import.meta.url)(addonPath()) as NativeAddon;
  return loaded;
}
