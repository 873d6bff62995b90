// The engine host's methods over the native facade. Progress and cancellation go straight to the native job
// (onStep, AbortSignal); results are returned as typed arrays, cloned once over the channel.
import type { ModelInfo } from '../../native/lib/engine.js';
import { train } from '../../native/lib/training.js';
import type { EngineMethods, ModelSummary } from '../common/protocol/engine.js';
import type { HostHandlers } from '../services/processes/host-server.js';
import type { ModelRegistry } from './models.js';

function summary(info: ModelInfo): ModelSummary {
  return {
    path: info.path,
    layout: info.layout,
    device: info.device,
    dtype: info.dtype,
    tokenizerDir: info.tokenizerDir,
    loadSeconds: info.loadSeconds,
    sampleSize: info.unetConfig.sampleSize,
    vocabSize: info.textConfig.vocabSize,
    parameters: { unet: info.unet.parameters, vae: info.vae.parameters, textEncoder: info.textEncoder.parameters },
    unusedKeys: info.unusedKeys,
  };
}

export function engineHandlers(models: ModelRegistry): HostHandlers<EngineMethods> {
  return {
    'engine.open': async ({ model }) => summary((await models.get(model)).engine.info),

    'engine.sample': async ({ model, lora, request }, { progress, signal }) => {
      const entry = await models.get(model);
      await models.applyLora(entry, lora);
      const result = await entry.engine.sample(request, { onStep: progress, signal });
      return {
        images: result.images,
        timesteps: result.timesteps,
        seed: result.request.seed,
        ...(result.latents ? { latents: result.latents } : {}),
        ...(result.attention ? { attention: result.attention } : {}),
      };
    },

    'engine.train': async ({ model, sources, references, options }, { progress, signal }) => {
      const entry = await models.pristine(model);
      try {
        return await train(entry.engine, sources, references, { ...options, onStep: progress, signal });
      } finally {
        // Training leaves its placeholder tokens (and, with an outputDir, the learned rows) on the engine;
        // later samples must start from the checkpoint as stored.
        models.close(model.path);
      }
    },

    'engine.close': async ({ path }) => ({ closed: models.close(path) }),

    'engine.models': async () => models.list(),
  };
}
