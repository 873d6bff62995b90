// CLIPTokenizer's word pattern, compiled with the `regex` module and re.IGNORECASE:
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// JavaScript's `i` flag folds differently inside classes, so the pattern is written without it:
// - the literal alternatives list the case variants the regex module accepts (ASCII pairs, and ſ U+017F for s);
// - [^\s\p{L}\p{N}] excludes U+0345 COMBINING GREEK YPOGEGRAMMENI, which case-folds to a letter (ι) and so
//   matches no alternative in Python and is silently dropped by findall.
// transformers: models/clip/tokenization_clip.py CLIPTokenizer.pat

const VARIANTS: Readonly<Record<string, string>> = { s: '[sSſ]' };

function caseless(literal: string): string {
  let out = '';
  for (const ch of literal) {
    if (VARIANTS[ch]) out += VARIANTS[ch];
    else if (/[a-z]/.test(ch)) out += `[${ch}${ch.toUpperCase()}]`;
    else out += ch === '|' ? '\\|' : ch;
  }
  return out;
}

const ALTERNATIVES = [
  caseless('<|startoftext|>'),
  caseless('<|endoftext|>'),
  ...["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"].map(caseless),
  '[\\p{L}]+',
  '[\\p{N}]',
  '[^\\s\\p{L}\\p{N}\\u0345]+',
];

const WORD_PATTERN = new RegExp(ALTERNATIVES.join('|'), 'gu');

/** re.findall(CLIPTokenizer.pat, text): the words BPE runs on; characters no alternative matches vanish. */
export function splitWords(text: string): string[] {
  return text.match(WORD_PATTERN) ?? [];
}
