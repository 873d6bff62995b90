// Rank-ordered byte-pair merging with an end-of-word suffix on the last symbol.
// transformers: models/clip/tokenization_clip.py CLIPTokenizer.bpe (OpenAI simple_tokenizer.bpe)

const END_OF_WORD = '</w>';
const CACHE_LIMIT = 50_000;

/** Merge rank lookup key for a symbol pair; symbols never contain a space. */
export function pairKey(first: string, second: string): string {
  return `${first} ${second}`;
}

export class Bpe {
  private readonly cache = new Map<string, string[]>();

  /**
   * @param ranks pair key → rank (lower merges first)
   * @param verbatim words returned as one symbol without a suffix (CLIP seeds its cache with the two specials)
   */
  constructor(
    private readonly ranks: ReadonlyMap<string, number>,
    private readonly verbatim: readonly string[],
  ) {
    this.resetCache();
  }

  /** Symbols of one byte-encoded word; the last carries '</w>'. */
  apply(word: string): string[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    if (word.length === 1) return [word + END_OF_WORD];

    let symbols = Array.from(word);
    symbols[symbols.length - 1] += END_OF_WORD;
    while (symbols.length > 1) {
      let best = Infinity;
      let bestFirst = '';
      let bestSecond = '';
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = this.ranks.get(pairKey(symbols[i]!, symbols[i + 1]!));
        if (rank !== undefined && rank < best) {
          best = rank;
          bestFirst = symbols[i]!;
          bestSecond = symbols[i + 1]!;
        }
      }
      if (best === Infinity) break;
      const merged: string[] = [];
      for (let i = 0; i < symbols.length; i++) {
        if (i + 1 < symbols.length && symbols[i] === bestFirst && symbols[i + 1] === bestSecond) {
          merged.push(bestFirst + bestSecond);
          i++;
        } else {
          merged.push(symbols[i]!);
        }
      }
      symbols = merged;
    }

    if (this.cache.size >= CACHE_LIMIT) this.resetCache();
    this.cache.set(word, symbols);
    return symbols;
  }

  private resetCache(): void {
    this.cache.clear();
    for (const word of this.verbatim) this.cache.set(word, [word]);
  }
}
