// --flags of `magicapture train`: where the official MagiCapture code and the paper disagree (METHOD.md §10, §12),
// the engine defaults to the fixed behaviour; "official" restores every official choice, and single switches
// override either.
import type { TrainConfigInput } from '../../native/lib/training.js';
import { UsageError } from './args.js';

type Switch = keyof Pick<
  TrainConfigInput,
  'attentionLoss' | 'onlyPlaceholderRows' | 'resampleAugmentation' | 'idLossOnInstance' | 'schedulerBeforeUpdate'
>;

const SWITCHES: Record<string, [Switch, boolean]> = {
  'attention-loss': ['attentionLoss', true], // B1: AR with a gradient, as the paper describes (default)
  'no-attention-loss': ['attentionLoss', false], // B1: the official run's AR has no gradient
  'placeholder-rows': ['onlyPlaceholderRows', true], // B4: phase 2 updates only <sks> and <style1> (default)
  'whole-embedding': ['onlyPlaceholderRows', false], // B4: official, every word embedding drifts
  'resample-augmentation': ['resampleAugmentation', true], // B8: new jitter, flip and latent every step
  'cached-augmentation': ['resampleAugmentation', false], // B8: official, one per item (default)
  'id-loss-on-sources': ['idLossOnInstance', true], // B5: official (default)
  'id-loss-composed-only': ['idLossOnInstance', false], // B5: the paper
  'scheduler-before-update': ['schedulerBeforeUpdate', true], // B17: official
  'scheduler-after-update': ['schedulerBeforeUpdate', false], // B17: fixed (default)
};

export const FLAG_NAMES = ['official', ...Object.keys(SWITCHES)];

/** "official,no-attention-loss" -> the config fields; the engine applies "official" first, then the switches. */
export function parseTrainFlags(text: string | undefined): { names: string[]; config: TrainConfigInput } {
  if (text === undefined) return { names: [], config: {} };
  const names = text.split(',').map((n) => n.trim());
  const config: TrainConfigInput = {};
  for (const name of names) {
    if (name === 'official') {
      config.official = true;
      continue;
    }
    const entry = SWITCHES[name];
    if (!entry) {
      throw new UsageError(`expected --flags to be a comma-separated list of ${FLAG_NAMES.join(', ')}, received ${JSON.stringify(name)}`);
    }
    const [key, value] = entry;
    if (config[key] === !value) throw new UsageError(`expected one of the two settings of ${key} in --flags, received both`);
    config[key] = value;
  }
  return { names, config };
}
