// `magicapture info`: what a checkpoint holds (layout, configs, sizes, unused keys, tokenizer).
import { parseArgs } from 'node:util';

import { Engine, type ModelInfo } from '../../native/lib/engine.js';
import { requireString } from './args.js';

export const INFO_USAGE = 'magicapture info --model PATH [--tokenizer DIR] [--json]';

function millions(n: number): string {
  return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)}M`;
}

export function describeModel(info: ModelInfo): string {
  const u = info.unetConfig;
  const lines = [
    `checkpoint   ${info.path}`,
    `layout       ${info.layout === 'ldm' ? 'single file (LDM / CompVis keys)' : 'diffusers folder'}`,
    `UNet         ${millions(info.unet.parameters)} parameters, channels ${u.blockOutChannels.join('/')}, ` +
      `${u.layersPerBlock} layers per block, heads ${u.attentionHeads.join('/')}, cross-attention ${u.crossAttentionDim} ` +
      `(config ${info.unet.configSource})`,
    `VAE          ${millions(info.vae.parameters)} parameters, channels ${info.vaeConfig.blockOutChannels.join('/')}, ` +
      `scaling factor ${info.vaeConfig.scalingFactor} (config ${info.vae.configSource})`,
    `text encoder ${millions(info.textEncoder.parameters)} parameters, ${info.textConfig.layers} layers, ` +
      `width ${info.textConfig.hiddenSize}, vocabulary ${info.textConfig.vocabSize} (config ${info.textEncoder.configSource})`,
    `tokenizer    ${info.tokenizerDir}`,
    `device       ${info.device} ${info.dtype}, loaded in ${info.loadSeconds.toFixed(1)} s`,
  ];
  const unused = [
    ...info.unusedKeys,
    ...info.unet.unusedKeys.map((k) => `unet/${k}`),
    ...info.vae.unusedKeys.map((k) => `vae/${k}`),
    ...info.textEncoder.unusedKeys.map((k) => `text_encoder/${k}`),
  ];
  lines.push(`unused keys  ${unused.length === 0 ? 'none' : `${unused.length}: ${unused.slice(0, 8).join(', ')}`}`);
  return lines.join('\n');
}

export async function infoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { model: { type: 'string' }, tokenizer: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const engine = await Engine.open(requireString(values, 'model'), values.tokenizer ? { tokenizerDir: values.tokenizer } : {});
  try {
    process.stdout.write(values.json ? `${JSON.stringify(engine.info, null, 2)}\n` : `${describeModel(engine.info)}\n`);
  } finally {
    engine.close();
  }
}
