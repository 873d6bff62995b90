// CLIP BPE tokenizer giving the ids of transformers' slow CLIPTokenizer (BasicTokenizer cleaning, no ftfy).
// transformers: models/clip/tokenization_clip.py CLIPTokenizer, tokenization_utils.py PreTrainedTokenizer

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AddedTokensTrie } from './added-tokens-trie.js';
import { Bpe } from './bpe.js';
import { BYTE_DECODER, encodeBytes } from './bytes-to-unicode.js';
import { splitWords } from './pre-tokenize.js';
import { basicTokenize, pyStrip } from './text-cleaning.js';
import { parseAddedTokens, parseMerges, parseVocab, readTextFile } from './vocab-files.js';

export const BOS_TOKEN = '<|startoftext|>';
export const EOS_TOKEN = '<|endoftext|>';
/** SD1.5's text encoder context: 77 positions. */
export const DEFAULT_MAX_LENGTH = 77;

export interface EncodeOptions {
  /** Length of the padded / truncated sequence, BOS and EOS included. Default 77. */
  maxLength?: number;
  /** Pad with padId up to maxLength. Default true. */
  padding?: boolean;
  /** Keep BOS, the first maxLength − 2 tokens and EOS. Default true. */
  truncation?: boolean;
}

export interface DecodeOptions {
  /** Leave out BOS / EOS / pad (transformers' skip_special_tokens). Default false. */
  skipSpecialTokens?: boolean;
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

function expectString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what}: expected a string, received ${describe(value)}`);
  return value;
}

function expectArray<T>(value: T[], what: string): T[] {
  if (!Array.isArray(value)) throw new TypeError(`${what}: expected an array, received ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

export class ClipTokenizer {
  private readonly decoder = new Map<number, string>();
  private readonly addedEncoder = new Map<string, number>();
  private readonly addedDecoder = new Map<number, string>();
  private readonly trie = new AddedTokensTrie();
  private readonly bpe: Bpe;
  private readonly special: { bos: number; eos: number };

  private constructor(
    private readonly encoder: ReadonlyMap<string, number>,
    ranks: ReadonlyMap<string, number>,
    vocabPath: string,
  ) {
    for (const [token, id] of encoder) this.decoder.set(id, token);
    const bos = encoder.get(BOS_TOKEN);
    const eos = encoder.get(EOS_TOKEN);
    if (bos === undefined || eos === undefined) {
      const missing = bos === undefined ? BOS_TOKEN : EOS_TOKEN;
      throw new Error(`CLIP tokenizer: vocab.json at ${vocabPath} lacks ${missing}; expected a CLIP vocabulary`);
    }
    this.special = { bos, eos };
    this.bpe = new Bpe(ranks, [BOS_TOKEN, EOS_TOKEN]);
    // transformers registers bos/eos/unk/pad as added tokens: they are cut out of raw text before cleaning.
    this.registerAdded(BOS_TOKEN, bos);
    this.registerAdded(EOS_TOKEN, eos);
  }

  /** vocab.json + merges.txt in CLIPTokenizer's format (merges.txt's first line is a header). */
  static fromFiles(vocabJsonPath: string, mergesTxtPath: string): ClipTokenizer {
    expectString(vocabJsonPath, 'ClipTokenizer.fromFiles vocabJsonPath');
    expectString(mergesTxtPath, 'ClipTokenizer.fromFiles mergesTxtPath');
    const encoder = parseVocab(readTextFile(vocabJsonPath, 'vocab.json'), vocabJsonPath);
    const ranks = parseMerges(readTextFile(mergesTxtPath, 'merges.txt'), mergesTxtPath);
    return new ClipTokenizer(encoder, ranks, vocabJsonPath);
  }

  /** A tokenizer folder: vocab.json, merges.txt and, if present, added_tokens.json (ids as stored there). */
  static fromDirectory(dir: string): ClipTokenizer {
    expectString(dir, 'ClipTokenizer.fromDirectory dir');
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new Error(
        `CLIP tokenizer: directory not found at ${dir}; expected a folder with vocab.json and merges.txt`,
      );
    }
    const tokenizer = ClipTokenizer.fromFiles(join(dir, 'vocab.json'), join(dir, 'merges.txt'));
    const addedPath = join(dir, 'added_tokens.json');
    if (existsSync(addedPath)) {
      const added = parseAddedTokens(readTextFile(addedPath, 'added_tokens.json'), addedPath);
      for (const [token, id] of added) tokenizer.registerStoredToken(token, id, addedPath);
    }
    return tokenizer;
  }

  /** Size of vocab.json (transformers' vocab_size), added tokens not counted. 49,408 for SD1.5. */
  get vocabSize(): number {
    return this.encoder.size;
  }

  /** Every distinct id the tokenizer can produce, added tokens included (transformers' len(tokenizer)). */
  get totalSize(): number {
    let size = this.encoder.size;
    for (const token of this.addedEncoder.keys()) if (!this.encoder.has(token)) size++;
    return size;
  }

  get bosId(): number {
    return this.special.bos;
  }

  get eosId(): number {
    return this.special.eos;
  }

  /** CLIP pads with <|endoftext|>. */
  get padId(): number {
    return this.special.eos;
  }

  /** Unknown symbols become <|endoftext|>. */
  get unkId(): number {
    return this.special.eos;
  }

  /** The id of a token string (added tokens first, then the vocabulary), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.addedEncoder.get(token) ?? this.encoder.get(token);
  }

  /** The token string of an id (added tokens first, then the vocabulary), or undefined. */
  idToToken(id: number): string | undefined {
    return this.addedDecoder.get(id) ?? this.decoder.get(id);
  }

  /**
   * transformers' add_tokens(tokens): a new token gets the next id after everything known; one already in the
   * vocabulary or already added keeps its id. All of them are from then on cut out of raw text, case-sensitively,
   * longest first. Returns the id of each token, in order.
   */
  addTokens(tokens: string[]): number[] {
    expectArray(tokens, 'addTokens');
    tokens.forEach((token, i) => {
      if (typeof token !== 'string' || token === '') {
        throw new TypeError(`addTokens: expected non-empty strings, received ${describe(token)} at index ${i}`);
      }
    });
    return tokens.map((token) => {
      const existing = this.tokenToId(token);
      if (existing !== undefined) {
        this.registerAdded(token, existing);
        return existing;
      }
      const id = this.totalSize;
      const holder = this.idToToken(id);
      if (holder !== undefined) {
        throw new Error(
          `addTokens: the next free id ${id} already belongs to ${JSON.stringify(holder)}; the ids in use have gaps`,
        );
      }
      this.registerAdded(token, id);
      return id;
    });
  }

  /** transformers' tokenize(text): BPE symbols ('</w>' ends a word) and added tokens verbatim. */
  tokenize(text: string): string[] {
    expectString(text, 'tokenize');
    const tokens: string[] = [];
    for (const piece of this.trie.split(text)) {
      if (this.addedEncoder.has(piece)) {
        tokens.push(piece);
        continue;
      }
      for (const word of splitWords(basicTokenize(piece).join(' '))) tokens.push(...this.bpe.apply(encodeBytes(word)));
    }
    return tokens;
  }

  /** BOS, the ids of `text`, EOS, then padding: tokenizer(text, padding="max_length", truncation=True). */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    expectString(text, 'encode');
    const { maxLength, padding, truncation } = checkEncodeOptions(opts);
    let ids = this.tokenize(text).map((token) => this.tokenToId(token) ?? this.unkId);
    if (truncation && ids.length > maxLength - 2) ids = ids.slice(0, maxLength - 2);
    const out = [this.bosId, ...ids, this.eosId];
    while (padding && out.length < maxLength) out.push(this.padId);
    return out;
  }

  encodeBatch(texts: string[], opts: EncodeOptions = {}): number[][] {
    return expectArray(texts, 'encodeBatch').map((text, i) => {
      if (typeof text !== 'string') {
        throw new TypeError(`encodeBatch: expected a string at index ${i}, received ${describe(text)}`);
      }
      return this.encode(text, opts);
    });
  }

  /** transformers' decode(ids, skip_special_tokens): added tokens are joined to the text around them by spaces. */
  decode(ids: number[], opts: DecodeOptions = {}): string {
    expectArray(ids, 'decode');
    const skip = opts.skipSpecialTokens ?? false;
    const texts: string[] = [];
    let run: string[] = [];
    ids.forEach((id, i) => {
      const token = Number.isInteger(id) ? this.idToToken(id) : undefined;
      if (token === undefined) {
        const shown = typeof id === 'number' ? String(id) : describe(id);
        throw new RangeError(`decode: expected token ids 0..${this.maxId()}, received ${shown} at index ${i}`);
      }
      if (skip && (id === this.bosId || id === this.eosId)) return;
      if (this.addedEncoder.has(token) && token !== BOS_TOKEN && token !== EOS_TOKEN) {
        if (run.length) {
          const text = symbolsToText(run);
          if (text) texts.push(text);
          run = [];
        }
        texts.push(token);
      } else {
        run.push(token);
      }
    });
    if (run.length) texts.push(symbolsToText(run));
    return texts.join(' ');
  }

  /** Position of the first `tokenId` in `ids`, or -1: where a placeholder token sits in an encoded prompt. */
  tokenIndex(ids: number[], tokenId: number): number {
    return expectArray(ids, 'tokenIndex').indexOf(tokenId);
  }

  private maxId(): number {
    let max = 0;
    for (const id of this.decoder.keys()) max = Math.max(max, id);
    for (const id of this.addedDecoder.keys()) max = Math.max(max, id);
    return max;
  }

  private registerStoredToken(token: string, id: number, path: string): void {
    const holder = this.idToToken(id);
    const known = this.tokenToId(token);
    if ((holder !== undefined && holder !== token) || (known !== undefined && known !== id)) {
      const why = holder !== undefined ? `id ${id} is ${JSON.stringify(holder)}` : `the token is id ${known}`;
      throw new Error(
        `CLIP tokenizer: added_tokens.json at ${path}: ${JSON.stringify(token)} → ${id} conflicts with the ` +
          `vocabulary (${why})`,
      );
    }
    this.registerAdded(token, id);
  }

  private registerAdded(token: string, id: number): void {
    this.addedEncoder.set(token, id);
    this.addedDecoder.set(id, token);
    this.trie.add(token);
  }
}

function checkEncodeOptions(opts: EncodeOptions): Required<EncodeOptions> {
  if (typeof opts !== 'object' || opts === null) {
    throw new TypeError(`encode: expected an options object, received ${describe(opts)}`);
  }
  const maxLength = opts.maxLength ?? DEFAULT_MAX_LENGTH;
  if (!Number.isSafeInteger(maxLength) || maxLength < 2) {
    throw new RangeError(
      `encode: expected maxLength to be an integer of at least 2 (BOS + EOS), received ${maxLength}`,
    );
  }
  return { maxLength, padding: opts.padding ?? true, truncation: opts.truncation ?? true };
}

// CLIPTokenizer.convert_tokens_to_string: stand-ins back to bytes, UTF-8 with replacement, '</w>' → ' ', strip.
function symbolsToText(symbols: readonly string[]): string {
  const joined = symbols.join('');
  const bytes = new Uint8Array(joined.length);
  for (let i = 0; i < joined.length; i++) {
    const byte = BYTE_DECODER.get(joined.charCodeAt(i));
    if (byte === undefined) {
      const ch = JSON.stringify(joined[i]);
      throw new Error(`decode: token text ${JSON.stringify(joined)} contains ${ch}, which stands for no byte`);
    }
    bytes[i] = byte;
  }
  return pyStrip(utf8.decode(bytes).replaceAll('</w>', ' '));
}
