// transformers' BERT BasicTokenizer as CLIPTokenizer configures it when ftfy is absent
// (strip_accents=False, do_split_on_punc=False), plus the Python string semantics it relies on.
// transformers: models/clip/tokenization_clip.py BasicTokenizer.tokenize

import { REMOVED_RANGES, SIGMA_CASED_RANGES, SIGMA_CASE_IGNORABLE_RANGES } from './unicode-py311.js';

function inRanges(ranges: readonly number[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[2 * mid]!) hi = mid - 1;
    else if (cp > ranges[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

// Python's str.isspace(): bidi class WS/B/S or category Zs. Stable across Unicode versions since 6.3.
const PY_SPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

// transformers' _is_whitespace: space, \t, \n, \r and category Zs.
const BERT_WHITESPACE = new Set([
  0x09, 0x0a, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
  0x2009, 0x200a, 0x202f, 0x205f, 0x3000,
]);

const CAPITAL_SIGMA = 0x3a3;

/** BasicTokenizer._clean_text: drop \0, U+FFFD and C* characters (Python's Unicode data); whitespace → ' '. */
export function cleanText(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (BERT_WHITESPACE.has(cp)) out += ' ';
    else if (cp !== 0xfffd && !inRanges(REMOVED_RANGES, cp)) out += ch;
  }
  return out;
}

function isCjkIdeograph(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** BasicTokenizer._tokenize_chinese_chars: a space either side of every CJK ideograph (BERT's ranges). */
export function spaceCjk(text: string): string {
  let out = '';
  for (const ch of text) out += isCjkIdeograph(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  return out;
}

// Every Python whitespace character is in the BMP, so scanning UTF-16 code units is exact.
const isPySpace = (text: string, i: number): boolean => PY_SPACE.has(text.charCodeAt(i));

/** Python str.split() with no arguments. */
export function pySplit(text: string): string[] {
  const words: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    if (isPySpace(text, i)) {
      if (start >= 0) words.push(text.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) words.push(text.slice(start));
  return words;
}

/** Python str.strip() with no arguments. */
export function pyStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPySpace(text, start)) start++;
  while (end > start && isPySpace(text, end - 1)) end--;
  return text.slice(start, end);
}

// CPython unicodeobject.c handle_capital_sigma, on Python's Cased / Case_Ignorable data.
function lowerSigma(cps: readonly number[], i: number): string {
  let j = i - 1;
  while (j >= 0 && inRanges(SIGMA_CASE_IGNORABLE_RANGES, cps[j]!)) j--;
  let final = j >= 0 && inRanges(SIGMA_CASED_RANGES, cps[j]!);
  if (final && i + 1 < cps.length) {
    j = i + 1;
    while (j < cps.length && inRanges(SIGMA_CASE_IGNORABLE_RANGES, cps[j]!)) j++;
    final = j === cps.length || !inRanges(SIGMA_CASED_RANGES, cps[j]!);
  }
  return final ? '\u03c2' : '\u03c3';
}

/**
 * Python str.lower(). Per character it equals String.prototype.toLowerCase (full mappings, İ → i̇, no locale);
 * the test suite checks that for every code point against Python. Only Final_Sigma depends on context, and
 * JavaScript decides that context with its own, newer Unicode data, so capital sigma is lowered here.
 */
export function pyLower(text: string): string {
  if (!text.includes('\u03a3')) return text.toLowerCase();
  const cps = Array.from(text, (ch) => ch.codePointAt(0)!);
  let out = '';
  for (let i = 0; i < cps.length; i++) {
    out += cps[i] === CAPITAL_SIGMA ? lowerSigma(cps, i) : String.fromCodePoint(cps[i]!).toLowerCase();
  }
  return out;
}

/**
 * BasicTokenizer(strip_accents=False, do_split_on_punc=False).tokenize: clean, space out CJK, NFC, split on
 * Python whitespace, lower-case each word. Joined by CLIPTokenizer with single spaces before its word pattern.
 */
export function basicTokenize(text: string): string[] {
  const words = pySplit(spaceCjk(cleanText(text)).normalize('NFC'));
  return pySplit(words.map(pyLower).join(' '));
}
