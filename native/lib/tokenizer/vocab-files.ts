// Reads and validates the files of a CLIP tokenizer: vocab.json, merges.txt and the optional added_tokens.json.
// Every error names the file and says what was expected and what was found.

import { readFileSync } from 'node:fs';
import { pairKey } from './bpe.js';
import { pySplit, pyStrip } from './text-cleaning.js';

// CLIPTokenizer reads merges.txt lines [1, 49152 - 256 - 2] only: the first line is the header, whatever it says.
const MERGES_LIMIT = 49152 - 256 - 2;

export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`CLIP tokenizer: ${what} not found at ${path}`);
    throw new Error(`CLIP tokenizer: cannot read ${what} at ${path}: ${(err as Error).message}`);
  }
}

function parseJsonObject(text: string, path: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`CLIP tokenizer: ${what} at ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new Error(`CLIP tokenizer: ${what} at ${path} must be a JSON object of token → id, received ${got}`);
  }
  return value as Record<string, unknown>;
}

function checkId(id: unknown, token: string, path: string, what: string): number {
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0) {
    throw new Error(
      `CLIP tokenizer: ${what} at ${path}: expected a non-negative integer id for ${JSON.stringify(token)}, ` +
        `received ${JSON.stringify(id)}`,
    );
  }
  return id;
}

/** vocab.json: token → id, ids unique. */
export function parseVocab(text: string, path: string): Map<string, number> {
  const raw = parseJsonObject(text, path, 'vocab.json');
  const encoder = new Map<string, number>();
  const owner = new Map<number, string>();
  for (const token in raw) {
    const id = checkId(raw[token], token, path, 'vocab.json');
    const previous = owner.get(id);
    if (previous !== undefined) {
      throw new Error(
        `CLIP tokenizer: vocab.json at ${path}: id ${id} is given to both ${JSON.stringify(previous)} and ` +
          `${JSON.stringify(token)}; expected one token per id`,
      );
    }
    owner.set(id, token);
    encoder.set(token, id);
  }
  if (encoder.size === 0) {
    throw new Error(`CLIP tokenizer: vocab.json at ${path} is empty; expected token → id entries`);
  }
  return encoder;
}

/** merges.txt: pair key → rank. A pair listed twice keeps its later rank, as Python's dict(zip(...)) does. */
export function parseMerges(text: string, path: string): Map<string, number> {
  const lines = pyStrip(text).split('\n').slice(1, MERGES_LIMIT + 1);
  const ranks = new Map<string, number>();
  lines.forEach((line, i) => {
    const symbols = pySplit(line);
    if (symbols.length !== 2) {
      throw new Error(
        `CLIP tokenizer: merges.txt at ${path}, line ${i + 2}: expected two symbols separated by a space, ` +
          `received ${JSON.stringify(line)}`,
      );
    }
    ranks.set(pairKey(symbols[0]!, symbols[1]!), i);
  });
  return ranks;
}

/** added_tokens.json (transformers' legacy file): token → id. */
export function parseAddedTokens(text: string, path: string): Map<string, number> {
  const raw = parseJsonObject(text, path, 'added_tokens.json');
  const added = new Map<string, number>();
  for (const [token, value] of Object.entries(raw)) {
    if (!token) throw new Error(`CLIP tokenizer: added_tokens.json at ${path} contains an empty token`);
    added.set(token, checkId(value, token, path, 'added_tokens.json'));
  }
  return added;
}
