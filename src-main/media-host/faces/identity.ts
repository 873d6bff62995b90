// Identity scores: cosine similarity of face descriptors. faceres descriptors of one person's photos score
// about 0.95 (mirrored, cropped, re-encoded), a different person about 0.4 (ENVIRONMENT.md §5). The threshold
// below sits between the two; it is a first calibration on few faces, so pre-flight words it as "may be".
export const SAME_PERSON_MIN = 0.6;

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error(`expected descriptors of equal length, received ${a.length} and ${b.length}`);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Mean similarity of one descriptor to a set: robust to one odd reference, and comparable across candidates. */
export function meanSimilarity(embedding: readonly number[], references: readonly (readonly number[])[]): number {
  return references.reduce((sum, r) => sum + cosineSimilarity(embedding, r), 0) / references.length;
}
