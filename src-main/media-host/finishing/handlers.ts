// finishing.* methods of the media host: super-resolution on its own, one deliverable as bytes, a batch export.
import sharp from 'sharp';

import type { FinishingMethods } from '../../common/protocol/media.js';
import type { HostHandlers } from '../../services/processes/host-server.js';
import { decodeUpright } from '../faces/analysis.js';
import { exportDeliverables } from './export.js';
import { renderDeliverable } from './render.js';
import { upscalePixels } from './super-resolution.js';

export const finishingHandlers: HostHandlers<FinishingMethods> = {
  'finishing.upscale': async ({ source, scale, tileSize }, { signal }) => {
    const decoded = await decodeUpright(source, signal, Infinity);
    const { pixels, step } = await upscalePixels(decoded.pixels, scale, { signal, ...(tileSize === undefined ? {} : { tileSize }) });
    const png = await sharp(pixels.data, { raw: { width: pixels.width, height: pixels.height, channels: 3 } }).png({ compressionLevel: 3 }).toBuffer();
    return { data: new Uint8Array(png.buffer, png.byteOffset, png.byteLength), width: pixels.width, height: pixels.height, step };
  },
  'finishing.render': ({ source, options }, { signal }) => renderDeliverable(source, options, signal),
  'finishing.export': (params, context) => exportDeliverables(params, context),
};
