// Tiling for super-resolution. Each tile's core is upscaled from the core plus a margin of real neighbouring
// pixels on every side (clamped at the image border, where the whole-image pass sees the same zero padding),
// and only the core is kept. With the margin wider than the network's receptive radius (10 input pixels for
// esrgan-slim, measured with an impulse), every kept pixel sees exactly what it would in one whole-image
// pass: tiles cannot leave a seam, and memory stays bounded by the tile size.
export interface Tile {
  /** The core, in input pixels: what this tile contributes. */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The core plus its margin, clamped to the image: what the model sees. */
  inX: number;
  inY: number;
  inWidth: number;
  inHeight: number;
}

export const SR_MARGIN = 16;

export function planTiles(width: number, height: number, tileSize: number, margin = SR_MARGIN): Tile[] {
  const tiles: Tile[] = [];
  for (let y = 0; y < height; y += tileSize) {
    for (let x = 0; x < width; x += tileSize) {
      const w = Math.min(tileSize, width - x), h = Math.min(tileSize, height - y);
      const inX = Math.max(0, x - margin), inY = Math.max(0, y - margin);
      tiles.push({ x, y, width: w, height: h, inX, inY, inWidth: Math.min(width, x + w + margin) - inX, inHeight: Math.min(height, y + h + margin) - inY });
    }
  }
  return tiles;
}
