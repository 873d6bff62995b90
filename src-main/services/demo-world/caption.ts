// Stable Diffusion-style captions from attributes. A partial record gives a partial caption (what a prompt for
// a held-out combination needs); a full record names every attribute, except glasses when there are none.
// Full captions stay within CLIP's 77 tokens (a test checks it with the studio's tokenizer).
import type { Attributes, FaceShape, HairStyle, LightDirection } from './attributes.js';

const FACE_WORDS: Record<FaceShape, string> = {
  oval: 'an oval face', round: 'a round face', square: 'a square face', heart: 'a heart-shaped face', long: 'a long face',
};

function hairWords(style: HairStyle | undefined, colour: string | undefined): string | undefined {
  const c = colour ? `${colour} ` : '';
  switch (style) {
    case undefined: return colour ? `${colour} hair` : undefined;
    case 'short': return `short ${c}hair`;
    case 'long': return `long ${c}hair`;
    case 'curly': return `curly ${c}hair`;
    case 'bob': return `a ${c}bob`;
    case 'bun': return `${c}hair in a bun`;
    case 'buzz': return `a ${c}buzz cut`;
  }
}

function lightWords(direction: LightDirection | undefined, strength: string | undefined): string | undefined {
  if (!direction) return strength ? `${strength} light` : undefined;
  const s = strength ? `${strength} ` : '';
  return direction === 'front' ? `${s}frontal light` : `${s}light from ${direction === 'above' ? 'above' : `the ${direction}`}`;
}

function listed(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function withArticle(words: string): string {
  return /^[aeiou]/.test(words) ? `an ${words}` : `a ${words}`;
}

export function captionOf(a: Partial<Attributes>): string {
  const framing = a.framing === 'close-up' ? 'a close-up photo of' : a.framing === 'portrait' ? 'a portrait photo of' : 'a photo of';
  const subject = a.gender ? `a ${a.gender}` : 'a person';
  const features: string[] = [];
  if (a.faceShape) features.push(FACE_WORDS[a.faceShape]);
  if (a.skinTone) features.push(`${a.skinTone} skin`);
  const eyes = [a.eyeColor, a.eyeShape].filter((w) => w !== undefined).join(' ');
  if (eyes) features.push(`${eyes} eyes`);
  if (a.nose) features.push(`a ${a.nose} nose`);
  if (a.mouth) features.push(a.mouth === 'full' ? 'full lips' : `a ${a.mouth} mouth`);
  const hair = hairWords(a.hairStyle, a.hairColor);
  if (hair) features.push(hair);
  if (a.glasses && a.glasses !== 'none') features.push(`${a.glasses} glasses`);

  const parts = [features.length > 0 ? `${framing} ${subject} with ${listed(features)}` : `${framing} ${subject}`];
  const garment = [a.clothingColor, a.clothingType].filter((w) => w !== undefined).join(' ');
  if (garment) parts.push(`wearing ${a.clothingType ? withArticle(garment) : `${garment} clothes`}`);
  const backdrop = [a.backgroundPattern === 'dotted' ? 'polka-dot' : a.backgroundPattern, a.backgroundColor]
    .filter((w) => w !== undefined).join(' ');
  if (backdrop) parts.push(`in front of ${withArticle(backdrop)} background`);
  const light = lightWords(a.lightDirection, a.lightStrength);
  if (light) parts.push(light);
  if (a.headTurn) parts.push(a.headTurn === 'front' ? 'facing the camera' : `head turned to the ${a.headTurn}`);
  return parts.join(', ');
}
