// A recipe as the photographer copies and pastes it: the generate call's recipe, as JSON text.
import { SAMPLERS, type RecipeParams, type Sampler } from '../../../src-main/common/api/index.js';

export const ATTRIBUTE_PRESETS: ReadonlyArray<{ group: string; items: ReadonlyArray<[label: string, words: string]> }> = [
  { group: 'Expression and details', items: [['Smiling', 'smiling'], ['Glasses', 'wearing glasses'], ['Suit', 'wearing a dark suit']] },
  { group: 'Background', items: [['White', 'plain white background'], ['Grey', 'plain grey background'], ['Blue', 'plain blue background'], ['Outdoor', 'soft outdoor background']] },
  { group: 'Looks', items: [['Passport', 'passport photo, front view, neutral expression, even light'], ['Profile', 'profile view, side light'], ['Wedding', 'wedding portrait, soft warm light'], ['Business', 'business headshot, studio lighting']] },
];

export function recipeToText(recipe: RecipeParams): string {
  return JSON.stringify(recipe, null, 2);
}

/** The recipe in pasted text, or an "expected …, received …" error. */
export function recipeFromText(text: string): RecipeParams {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw Object.assign(new Error('expected a recipe copied from the studio (JSON), received text that is not JSON'), { hint: 'Use “Copy recipe” on a portrait or in this panel, then paste here.' });
  }
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof v['prompt'] !== 'string') throw Object.assign(new Error('expected a recipe with a prompt, received none'), { hint: 'Copy the recipe again.' });
  const out: RecipeParams = { prompt: v['prompt'] };
  if (typeof v['negativePrompt'] === 'string') out.negativePrompt = v['negativePrompt'];
  if (typeof v['seed'] === 'number') out.seed = v['seed'];
  if (typeof v['sampler'] === 'string' && (SAMPLERS as readonly string[]).includes(v['sampler'])) out.sampler = v['sampler'] as Sampler;
  for (const k of ['steps', 'cfg', 'width', 'height'] as const) if (typeof v[k] === 'number') out[k] = v[k];
  const scales = v['loraScales'] as Record<string, unknown> | undefined;
  if (scales && typeof scales === 'object') {
    out.loraScales = {};
    if (typeof scales['unet'] === 'number') out.loraScales.unet = scales['unet'];
    if (typeof scales['textEncoder'] === 'number') out.loraScales.textEncoder = scales['textEncoder'];
  }
  return out;
}
