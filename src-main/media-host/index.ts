// Entry of the media host process: sharp image work, face models and super-resolution off the broker's event
// loop. Requests run concurrently; tfjs model calls take turns (tfjs/runtime.ts).
import sharp from 'sharp';

import {
  ENCODE_FORMATS,
  EXPORT_FORMATS,
  INPUT_FORMATS,
  MEDIA_LIMITS,
  type MediaCapabilities,
  type MediaMethods,
  mediaParams,
  UPSCALE_FACTORS,
} from '../common/protocol/media.js';
import { serveHost } from '../services/processes/host-server.js';
import { EMBEDDED_FACE_MODELS } from './faces/human-models.js';
import { faceHandlers } from './faces/handlers.js';
import { finishingHandlers } from './finishing/handlers.js';
import { mediaHandlers } from './images.js';
import { modelHandlers } from './onnx/handlers.js';
import { packageVersion } from './tfjs/runtime.js';

serveHost<MediaMethods, MediaCapabilities>({
  host: 'media',
  async start() {
    const { sharp: version = '', vips = '' } = sharp.versions;
    return {
      versions: {
        node: process.versions.node,
        sharp: version,
        libvips: vips,
        tfjs: packageVersion('@tensorflow/tfjs-core'),
        human: packageVersion('@vladmandic/human'),
      },
      capabilities: {
        sharp: version,
        libvips: vips,
        inputFormats: [...INPUT_FORMATS],
        outputFormats: [...ENCODE_FORMATS],
        maxInputPixels: MEDIA_LIMITS.inputPixels,
        faceModels: EMBEDDED_FACE_MODELS,
        upscaleFactors: [...UPSCALE_FACTORS],
        exportFormats: [...EXPORT_FORMATS],
      },
    };
  },
  validators: mediaParams,
  // Face and super-resolution models load on first use, so the ready handshake stays as fast as sharp's.
  handlers: { ...mediaHandlers, ...faceHandlers, ...finishingHandlers, ...modelHandlers },
});
