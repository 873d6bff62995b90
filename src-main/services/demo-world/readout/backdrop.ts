// Backdrop colour and pattern from the regions the world's pose limits keep clear of the person: a strip down
// each side (x < 10 % or x ≥ 90 %, top 58 %) and the two top corners (x < 30 % or x ≥ 70 %, top 8 %). The colour
// is the one most of those pixels share; the pattern is how the pixels that differ from it line up: whole rows
// across a wide top corner or across both strips (only plaid has horizontal bands), whole columns down a strip
// (stripes; plaid's vertical bands may fall between the strips), neither (dots), or none at all (plain).
import type { BackgroundPattern, ColorName } from '../attributes.js';
import { GARMENT_AND_BACKDROP_COLORS, type Rgb } from '../palette.js';
import { nearestColor } from './color-match.js';
import { distance, dominantColor, pixelAt, type RgbImage } from './image.js';

export const BACKDROP_STRIP = { width: 0.1, bottom: 0.58 } as const;
export const BACKDROP_CORNER = { width: 0.3, bottom: 0.08 } as const;
/** A pixel this far (0–255 units) from its side's backdrop colour is pattern. */
const ACCENT_DISTANCE = 40;
/** A column or row that is this much pattern is a line of the pattern. */
const FULL_LINE = 0.8;
const PLAIN_BELOW = 0.03;

/** A rectangle of pixels, as columns. */
type Block = Rgb[][];

function block(image: RgbImage, i0: number, i1: number, rows: number): Block {
  const columns: Block = [];
  for (let i = i0; i < i1; i += 1) {
    const column: Rgb[] = [];
    for (let j = 0; j < rows; j += 1) column.push(pixelAt(image, i, j));
    columns.push(column);
  }
  return columns;
}

export interface BackdropReading {
  color: ColorName;
  pattern: BackgroundPattern;
  /** Share of the regions' pixels that are pattern. */
  patternShare: number;
  /** The backdrop's own colour as seen, and its pattern's (absent when plain). */
  base: Rgb;
  accent?: Rgb;
}

export function readBackdrop(image: RgbImage): BackdropReading {
  const { width, height } = image;
  const strip = Math.max(2, Math.round(BACKDROP_STRIP.width * width));
  const corner = Math.max(4, Math.round(BACKDROP_CORNER.width * width));
  const stripRows = Math.round(BACKDROP_STRIP.bottom * height);
  const cornerRows = Math.max(2, Math.round(BACKDROP_CORNER.bottom * height));
  // Each side is judged against its own colour: the backdrop brightens toward the light across the image.
  const sides = [
    { strip: block(image, 0, strip, stripRows), corner: block(image, 0, corner, cornerRows) },
    { strip: block(image, width - strip, width, stripRows), corner: block(image, width - corner, width, cornerRows) },
  ];
  const all = sides.flatMap((s) => [...s.strip.flat(), ...s.corner.flat()]);
  const seen = dominantColor(all);
  const color = nearestColor(seen, GARMENT_AND_BACKDROP_COLORS, 0.85, 1.15).name;

  const marked: Rgb[] = [];
  let fullColumns = 0, fullRows = 0;
  const stripRowsFull: boolean[][] = [];
  for (const side of sides) {
    const base = dominantColor([...side.strip.flat(), ...side.corner.flat()]);
    const mark = (b: Block) => b.map((column) => column.map((c) => {
      const far = distance(c, base) > ACCENT_DISTANCE;
      if (far) marked.push(c);
      return far;
    }));
    const stripMarks = mark(side.strip), cornerMarks = mark(side.corner);
    for (const column of stripMarks) if (column.filter(Boolean).length >= FULL_LINE * column.length) fullColumns += 1;
    stripRowsFull.push(Array.from({ length: stripRows }, (_, j) => stripMarks.filter((column) => column[j]).length >= FULL_LINE * stripMarks.length));
    for (let j = 0; j < cornerRows; j += 1) {
      if (cornerMarks.filter((column) => column[j]).length >= FULL_LINE * cornerMarks.length) fullRows += 1;
    }
  }
  // A strip row counts only where the other strip's row is full too: plaid bands run right across the picture,
  // while a dot or a stray edge (a shifted picture's repeated border) fills one strip's row at most.
  const [left, right] = stripRowsFull as [boolean[], boolean[]];
  for (let j = 0; j < stripRows; j += 1) if (left[j] && (right[j - 1] || right[j] || right[j + 1])) fullRows += 1;
  const patternShare = marked.length / all.length;
  const pattern: BackgroundPattern =
    patternShare < PLAIN_BELOW ? 'plain' : fullRows > 0 ? 'plaid' : fullColumns > 0 ? 'striped' : 'dotted';
  return { color, pattern, patternShare, base: seen, ...(pattern === 'plain' ? {} : { accent: dominantColor(marked) }) };
}
