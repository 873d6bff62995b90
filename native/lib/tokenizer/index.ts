export { BOS_TOKEN, ClipTokenizer, DEFAULT_MAX_LENGTH, EOS_TOKEN } from './clip-tokenizer.js';
export type { DecodeOptions, EncodeOptions } from './clip-tokenizer.js';
