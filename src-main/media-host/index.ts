// Entry of the media host process: sharp image work off the broker's event loop. Requests run concurrently.
import sharp from 'sharp';

import { ENCODE_FORMATS, INPUT_FORMATS, MEDIA_LIMITS, type MediaCapabilities, type MediaMethods, mediaParams } from '../common/protocol/media.js';
import { serveHost } from '../services/processes/host-server.js';
import { mediaHandlers } from './images.js';

serveHost<MediaMethods, MediaCapabilities>({
  host: 'media',
  async start() {
    const { sharp: version = '', vips = '' } = sharp.versions;
    return {
      versions: { node: process.versions.node, sharp: version, libvips: vips },
      capabilities: {
        sharp: version,
        libvips: vips,
        inputFormats: [...INPUT_FORMATS],
        outputFormats: [...ENCODE_FORMATS],
        maxInputPixels: MEDIA_LIMITS.inputPixels,
      },
    };
  },
  validators: mediaParams,
  handlers: mediaHandlers,
});
