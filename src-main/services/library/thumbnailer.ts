// Thumbnails for galleries: upright (EXIF orientation applied), sRGB, long edge 256 px, WebP. Kept to one
// sharp pipeline that resizes as early as possible, so JPEGs use libjpeg's shrink-on-load and the cost is
// the same as calling sharp directly (bench/catalog.mjs measures the ratio).
import sharp from 'sharp';

export const THUMBNAIL_EDGE = 256;
export const THUMBNAIL_MEDIA_TYPE = 'image/webp';

export interface ThumbnailOptions {
  edge?: number;
  /** sharp's decompression-bomb guard: refuse inputs with more pixels than this. */
  limitInputPixels?: number;
}

export async function makeThumbnail(input: Buffer | string, { edge = THUMBNAIL_EDGE, limitInputPixels = 200_000_000 }: ThumbnailOptions = {}): Promise<Buffer> {
  return sharp(input, { limitInputPixels, failOn: 'error' })
    .rotate()
    .resize(edge, edge, { fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .webp({ quality: 80 })
    .toBuffer();
}
