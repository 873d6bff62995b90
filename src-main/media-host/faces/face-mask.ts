// The soft face mask MagiCapture weights its losses with (METHOD.md §1.5): the face region white, the rest
// black. Without a face-parsing model installed, the face region is FaceMesh's face oval (forehead, cheeks and
// jaw, no neck, hair or background), which matches BiSeNet's labels 1-13 minus the ears. The edge is feathered
// with a Gaussian whose width follows the face size, so a mask at any resolution has the same softness relative
// to the face, and a landmark error of a pixel or two does not become a hard wrong edge.
import sharp from 'sharp';

import type { FaceMask } from '../../common/protocol/media.js';

/** Feather sigma as a fraction of the oval's width: a few pixels on a 512 px training image. */
const FEATHER = 0.025;

export function maskSizeFor(width: number, height: number, longSide: number | undefined): { width: number; height: number } {
  if (longSide === undefined) return { width, height };
  const scale = longSide / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Rasterises the oval (upright-image pixels of a width x height image) at the mask size, then feathers it. */
export async function ovalMask(oval: Array<[number, number]>, width: number, height: number, longSide?: number): Promise<FaceMask> {
  const size = maskSizeFor(width, height, longSide);
  const sx = size.width / width, sy = size.height / height;
  const points = oval.map(([x, y]) => `${(x * sx).toFixed(2)},${(y * sy).toFixed(2)}`).join(' ');
  const xs = oval.map(([x]) => x * sx);
  const sigma = Math.max(0.5, FEATHER * (Math.max(...xs) - Math.min(...xs)));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}">` +
    `<rect width="100%" height="100%" fill="#000"/><polygon points="${points}" fill="#fff"/></svg>`;
  const data = await sharp(Buffer.from(svg), { limitInputPixels: false })
    .flatten({ background: '#000000' })
    .blur(sigma)
    .extractChannel(0)
    .raw()
    .toBuffer();
  return { width: size.width, height: size.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
