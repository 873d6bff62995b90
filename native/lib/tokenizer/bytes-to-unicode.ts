// OpenAI CLIP simple_tokenizer.bytes_to_unicode: every UTF-8 byte gets a printable stand-in character, so BPE
// never sees whitespace or control characters. Printable Latin-1 bytes stand for themselves; the other 68 bytes
// map to U+0100.. in byte order. All 256 stand-ins are in the BMP, so one stand-in is one UTF-16 code unit.

function buildByteEncoder(): readonly string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCharCode(b);
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (table[b] === undefined) table[b] = String.fromCharCode(256 + n++);
  }
  return table;
}

/** byte → stand-in character. */
export const BYTE_ENCODER: readonly string[] = buildByteEncoder();

/** stand-in character code → byte. */
export const BYTE_DECODER: ReadonlyMap<number, number> = new Map(BYTE_ENCODER.map((ch, b) => [ch.charCodeAt(0), b]));

const utf8 = new TextEncoder();

/** UTF-8 bytes of `text`, each replaced by its stand-in character. */
export function encodeBytes(text: string): string {
  let out = '';
  for (const b of utf8.encode(text)) out += BYTE_ENCODER[b];
  return out;
}
