// Pure helpers of the attention viewer (testable in Node): which tokens to show first, and one map as RGBA pixels.

/** The first two prompt tokens that are words, not the text encoder's start and end markers. */
export function defaultTokens(tokens: readonly string[]): [number, number] {
  const words = tokens.map((_, i) => i).filter((i) => !/^<\|.*\|>$/.test(tokens[i] ?? ''));
  const a = words[0] ?? 0;
  return [a, words[1] ?? a];
}

/** A token as the tokenizer spells it ("woman</w>"), as a person reads it. */
export function tokenLabel(token: string): string {
  return token.replace(/<\/w>$/, '') || token;
}

/**
 * "Hot" ramp from transparent black through red and yellow to white, scaled to the map's own peak so a faint token
 * is still readable; alpha follows the value, so the photo shows through where the token is not attended.
 */
export function heatmapPixels(map: readonly number[], resolution: number): { pixels: Uint8ClampedArray<ArrayBuffer>; peak: number } {
  const peak = map.reduce((m, v) => Math.max(m, v), 0);
  const pixels = new Uint8ClampedArray(new ArrayBuffer(resolution * resolution * 4));
  for (let i = 0; i < resolution * resolution; i++) {
    const v = peak > 0 ? (map[i] ?? 0) / peak : 0;
    pixels[i * 4] = Math.min(1, v * 3) * 255;
    pixels[i * 4 + 1] = Math.min(1, Math.max(0, v * 3 - 1)) * 255;
    pixels[i * 4 + 2] = Math.min(1, Math.max(0, v * 3 - 2)) * 255;
    pixels[i * 4 + 3] = v * 255;
  }
  return { pixels, peak };
}
