// models.* and faces.mask: the broker tells the host which verified model files are installed; faces.mask gives
// the main face's soft mask and its inverse (style references train on everything but the face).
import type { ModelMethods } from '../../common/protocol/media.js';
import type { HostHandlers } from '../../services/processes/host-server.js';
import { analyseUpright, decodeUpright } from '../faces/analysis.js';
import { MediaError } from '../media-error.js';
import { faceMask, faceModels } from './face-steps.js';
import { currentChoice, useModels } from './model-choice.js';
import { inverseMask } from './parsing.js';

export const modelHandlers: HostHandlers<ModelMethods> = {
  'models.use': async ({ models }) => {
    useModels(models);
    return currentChoice();
  },
  'faces.mask': async ({ source, maskSize }, { signal }) => {
    const image = await decodeUpright(source, signal);
    const first = (await analyseUpright(image))[0];
    if (!first) throw new MediaError('E_BAD_IMAGE', 'expected a photo with a face to mask, received one where no face was found', 'Paint the mask by hand in the mask editor.');
    const mask = await faceMask(image, first, maskSize);
    return { mask, inverse: inverseMask(mask), model: faceModels().mask };
  },
};
