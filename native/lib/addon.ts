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
  if (!loaded) {
    preferPassiveOpenMpThreads();
    loaded = createRequire(import.meta.url)(addonPath()) as NativeAddon;
  }
  return loaded;
}

/**
 * OpenMP's default lets idle worker threads spin for a while after each parallel region. Between the engine's
 * thousands of small ops they spin while the next op's workers wait for a core: a 20-step tiny sample took 45.8 s
 * instead of 1.1 s on a busy 2-core machine, and an SD1.5-shaped UNet forward burnt 1.6x the CPU time of diffusers.
 * libgomp reads the variable once, when the addon's libraries are loaded, so it is set just before; a value the
 * user chose is kept.
 */
function preferPassiveOpenMpThreads(): void {
  process.env['OMP_WAIT_POLICY'] ??= 'PASSIVE';
}
