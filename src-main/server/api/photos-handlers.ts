// Photos and masks. Uploaded photos and edited masks arrive as bytes and are staged as files, because the import
// and masks jobs read paths (a queued job must survive a restart, so it cannot hold the bytes).
import type { PhotoMethods } from '../../common/api/methods/photos.js';
import type { HandlerContext, HandlersOf } from './handler-types.js';

export function photoHandlers({ studio, staging }: HandlerContext): HandlersOf<PhotoMethods> {
  return {
    'photos.import': async ({ projectId, role, paths = [], uploads = [] }) => {
      studio.catalog.projects.get(projectId);
      const staged = await Promise.all(uploads.map((upload) => staging.pathOf(upload)));
      try {
        return studio.projects.importPhotos(projectId, role, [...paths, ...staged]);
      } catch (error) {
        await staging.release(staged);
        throw error;
      }
    },
    'photos.list': ({ projectId, role }) => {
      studio.catalog.projects.get(projectId);
      return studio.projects.photos(projectId, role);
    },
    'photos.show': ({ photoId }) => studio.catalog.photos.get(photoId),
    'photos.preflight': async ({ projectId }) => {
      await studio.preflight(projectId);
      return studio.projects.photos(projectId, 'source');
    },
    'photos.setRole': ({ photoId, role }) => studio.catalog.photos.setRole(photoId, role),
    'masks.list': ({ photoId }) => {
      studio.catalog.photos.get(photoId);
      return studio.projects.masks(photoId);
    },
    'masks.save': async (p) => {
      studio.catalog.photos.get(p.photoId);
      if (p.path !== undefined) return studio.projects.addMask(p.photoId, p.path);
      const { photoId } = p;
      const path = await staging.stage(Buffer.from(p.png, 'base64'), 'edited-mask.png');
      try {
        return studio.projects.addMask(photoId, path);
      } catch (error) {
        await staging.release([path]);
        throw error;
      }
    },
    'masks.detect': (p) => {
      if ('photoId' in p) {
        studio.catalog.photos.get(p.photoId);
        return [studio.projects.addMask(p.photoId, null)];
      }
      studio.catalog.projects.get(p.projectId);
      return studio.projects.detectMasks(p.projectId);
    },
  };
}
