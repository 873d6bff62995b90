// A portrait's captured cross-attention, reduced to what the viewer shows and kept as one library blob. The engine
// returns one map per (layer, step) — megabytes for a real model — so the generate job averages them into layer
// groups (down / mid / up blocks) × step ranges (early / middle / late) and stores one byte per cell.
//
// Blob format "MCAT1" (media type ATTENTION_MEDIA_TYPE):
//   bytes 0..4   ASCII "MCAT1"
//   bytes 5..8   uint32 LE: length H of the header
//   H bytes      UTF-8 JSON header: { tokens: string[], groups: ("down"|"mid"|"up")[],
//                stepRanges: {first, last}[], steps, resolution, scales: number[] }
//   payload      uint8, laid out [group][range][token][y][x] (row-major, resolution × resolution per token);
//                cell value = byte / 255 × scales[(group × ranges + range) × tokens + token].
// Values are mean attention probabilities over the group's layers and the range's captured steps, so at one
// pixel they sum over the tokens to at most 1 (the rest goes to the padding positions the engine leaves out).
import type { AttentionMap } from '../../common/protocol/engine.js';
import { LibraryError } from './library-error.js';

export const ATTENTION_MEDIA_TYPE = 'application/x-magicapture-attention';
export const LAYER_GROUPS = ['down', 'mid', 'up'] as const;
export type LayerGroup = (typeof LAYER_GROUPS)[number];

const MAGIC = 'MCAT1';
/** Early / middle / late: enough to see a token settle, small enough to keep per portrait. */
const RANGES = 3;
/** Steps captured per range; more only repeats what the mean already shows, and each costs a map per layer. */
const STEPS_PER_RANGE = 4;
export const ATTENTION_RESOLUTION = 16;

export interface StepRange {
  first: number;
  last: number;
}

export interface AttentionSummary {
  tokens: string[];
  groups: LayerGroup[];
  stepRanges: StepRange[];
  steps: number;
  resolution: number;
  /** maps[group][range]: tokens × resolution × resolution. */
  maps: Float32Array[][];
}

export function stepRanges(steps: number): StepRange[] {
  const n = Math.min(RANGES, steps);
  return Array.from({ length: n }, (_, r) => ({ first: Math.floor((r * steps) / n), last: Math.floor(((r + 1) * steps) / n) - 1 }));
}

/** The step indices the engine is asked to record: up to STEPS_PER_RANGE spread over each range. */
export function captureSteps(steps: number): number[] {
  const out = new Set<number>();
  for (const { first, last } of stepRanges(steps)) {
    const span = last - first + 1;
    const k = Math.min(STEPS_PER_RANGE, span);
    for (let i = 0; i < k; i++) out.add(first + Math.floor((i * span) / k));
  }
  return [...out].sort((a, b) => a - b);
}

function groupOf(layer: string): LayerGroup | undefined {
  if (layer.startsWith('down_blocks')) return 'down';
  if (layer.startsWith('mid_block')) return 'mid';
  if (layer.startsWith('up_blocks')) return 'up';
  return undefined;
}

/** Averages the engine's maps of the first image into groups × ranges. */
export function summarizeAttention(capture: { tokens: string[][]; maps: AttentionMap[] }, steps: number): AttentionSummary {
  const tokens = capture.tokens[0] ?? [];
  const first = capture.maps[0];
  const resolution = first?.height ?? ATTENTION_RESOLUTION;
  const cells = tokens.length * resolution * resolution;
  const ranges = stepRanges(steps);
  const groups = LAYER_GROUPS.filter((g) => capture.maps.some((m) => groupOf(m.layer) === g));
  const sums = groups.map(() => ranges.map(() => ({ data: new Float32Array(cells), count: 0 })));
  for (const map of capture.maps) {
    const g = groups.indexOf(groupOf(map.layer) as LayerGroup);
    const r = ranges.findIndex((range) => map.step >= range.first && map.step <= range.last);
    if (g < 0 || r < 0) continue;
    const acc = sums[g]![r]!;
    for (let i = 0; i < cells; i++) acc.data[i]! += map.data[i] as number;
    acc.count += 1;
  }
  const maps = sums.map((row) => row.map(({ data, count }) => (count > 0 ? data.map((v) => v / count) : data)));
  return { tokens, groups, stepRanges: ranges, steps, resolution, maps };
}

export function encodeAttention(summary: AttentionSummary): Buffer {
  const { tokens, groups, stepRanges: ranges, steps, resolution, maps } = summary;
  const plane = resolution * resolution;
  const scales: number[] = [];
  const payload = Buffer.alloc(groups.length * ranges.length * tokens.length * plane);
  let offset = 0;
  for (const row of maps) {
    for (const map of row) {
      for (let t = 0; t < tokens.length; t++) {
        let max = 0;
        for (let i = 0; i < plane; i++) max = Math.max(max, map[t * plane + i]!);
        scales.push(max);
        for (let i = 0; i < plane; i++) payload[offset++] = max > 0 ? Math.round((map[t * plane + i]! / max) * 255) : 0;
      }
    }
  }
  const header = Buffer.from(JSON.stringify({ tokens, groups, stepRanges: ranges, steps, resolution, scales }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([Buffer.from(MAGIC, 'ascii'), length, header, payload]);
}

function corrupt(why: string): never {
  throw new LibraryError('corrupt_file', `expected an attention-map blob (${MAGIC}), received ${why}`, 'Generate the portrait again with attention capture on.');
}

export function decodeAttention(blob: Buffer): AttentionSummary {
  if (blob.length < 9 || blob.toString('ascii', 0, 5) !== MAGIC) corrupt(`${blob.length} bytes starting ${JSON.stringify(blob.toString('latin1', 0, 5))}`);
  const headerLength = blob.readUInt32LE(5);
  const start = 9 + headerLength;
  if (start > blob.length) corrupt(`a header of ${headerLength} bytes in ${blob.length}`);
  const header = JSON.parse(blob.toString('utf8', 9, start)) as Omit<AttentionSummary, 'maps'> & { scales: number[] };
  const { tokens, groups, stepRanges: ranges, resolution, scales } = header;
  const plane = resolution * resolution;
  if (blob.length - start !== groups.length * ranges.length * tokens.length * plane) corrupt(`a payload of ${blob.length - start} bytes`);
  let offset = start;
  let s = 0;
  const maps = groups.map(() =>
    ranges.map(() => {
      const map = new Float32Array(tokens.length * plane);
      for (let t = 0; t < tokens.length; t++) {
        const scale = (scales[s++] ?? 0) / 255;
        for (let i = 0; i < plane; i++) map[t * plane + i] = blob[offset++]! * scale;
      }
      return map;
    }),
  );
  return { tokens, groups, stepRanges: ranges, steps: header.steps, resolution, maps };
}
