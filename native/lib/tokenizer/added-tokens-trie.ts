// Splits raw text on added tokens, longest match first, exactly like transformers' Trie.split (including its
// lookahead quirks with overlapping tokens). Works on code points, as Python strings do.
// transformers: tokenization_utils.py Trie

interface TrieNode {
  end: boolean;
  next: Map<string, TrieNode>;
}

function newNode(): TrieNode {
  return { end: false, next: new Map() };
}

export class AddedTokensTrie {
  private readonly root = newNode();
  private readonly tokens = new Set<string>();

  has(token: string): boolean {
    return this.tokens.has(token);
  }

  add(token: string): void {
    if (!token || this.tokens.has(token)) return;
    this.tokens.add(token);
    let node = this.root;
    for (const ch of token) {
      let child = node.next.get(ch);
      if (!child) node.next.set(ch, (child = newNode()));
      node = child;
    }
    node.end = true;
  }

  /** The text cut at every added token found; the tokens themselves are pieces of their own. */
  split(input: string): string[] {
    if (this.tokens.size === 0) return input ? [input] : [];
    const text = Array.from(input);
    // Partial matches: start index → trie position, in insertion order (Python's OrderedDict).
    let states = new Map<number, TrieNode>();
    const offsets = [0];
    let skip = 0;

    for (let current = 0; current < text.length; current++) {
      if (skip && current < skip) continue;
      const currentChar = text[current]!;
      const toRemove: number[] = [];
      let reset = false;

      for (const [stateStart, pointer] of states) {
        if (pointer.end) {
          let start = stateStart;
          let end = current;
          for (const [lookStart, lookPointerStart] of states) {
            let lookPointer = lookPointerStart;
            let lookaheadIndex: number;
            // Python compares against `start`, which a match below may already have moved back.
            if (lookStart > start) break;
            if (lookStart < start) {
              lookaheadIndex = current + 1;
              end = current + 1;
            } else {
              lookaheadIndex = current;
              end = current;
            }
            let nextChar = lookaheadIndex < text.length ? text[lookaheadIndex] : undefined;
            if (lookPointer.end) {
              start = lookStart;
              end = lookaheadIndex;
              skip = lookaheadIndex;
            }
            while (nextChar !== undefined && lookPointer.next.has(nextChar)) {
              lookPointer = lookPointer.next.get(nextChar)!;
              lookaheadIndex++;
              if (lookPointer.end) {
                start = lookStart;
                end = lookaheadIndex;
                skip = lookaheadIndex;
              }
              if (lookaheadIndex === text.length) break;
              nextChar = text[lookaheadIndex];
            }
          }
          offsets.push(start, end);
          reset = true;
          break;
        }
        const child = pointer.next.get(currentChar);
        if (child) states.set(stateStart, child);
        else toRemove.push(stateStart);
      }

      if (reset) states = new Map();
      else for (const start of toRemove) states.delete(start);

      const first = this.root.next.get(currentChar);
      if (current >= skip && first) states.set(current, first);
    }

    for (const [start, pointer] of states) {
      if (pointer.end) {
        offsets.push(start, text.length);
        break;
      }
    }
    return cutText(text, offsets);
  }
}

function cutText(text: readonly string[], offsets: number[]): string[] {
  offsets.push(text.length);
  const pieces: string[] = [];
  let start = 0;
  for (const end of offsets) {
    if (start >= end) continue;
    pieces.push(text.slice(start, end).join(''));
    start = end;
  }
  return pieces;
}
