// Jobs, settings, the base model, what this studio is, and the desktop app's open dialog.
import { ApiError } from '../../common/api/errors.js';
import { API_VERSION } from '../../common/api/limits.js';
import type { SystemMethods } from '../../common/api/methods/system.js';
import { appVersion } from '../package-root.js';
import type { HandlerContext, HandlersOf } from './handler-types.js';

/** Settings the studio keeps for itself (the base model's choice and its hash cache): changed through their own methods only. */
const RESERVED = /^engine\./;

export function systemHandlers({ studio, mode, openDialog }: HandlerContext): HandlersOf<SystemMethods> {
  const { catalog, jobs } = studio;
  return {
    'jobs.list': (filter) => {
      if (filter.clientId !== undefined) catalog.clients.get(filter.clientId);
      return jobs.list(filter);
    },
    'jobs.show': ({ jobId }) => jobs.get(jobId),
    'jobs.cancel': ({ jobId }) => jobs.cancel(jobId),
    'jobs.pause': ({ jobId }) => jobs.pause(jobId),
    'jobs.resume': ({ jobId }) => jobs.resume(jobId),
    'settings.get': () => catalog.settings.all(),
    'settings.set': ({ key, value }) => {
      if (RESERVED.test(key)) throw new ApiError('invalid', `expected a setting outside engine.*, received ${key}`, 'Choose the base model with settings.setBaseModel.');
      if (value === null) catalog.settings.delete(key);
      else catalog.settings.set(key, value);
      return catalog.settings.all();
    },
    'settings.setBaseModel': async (choice) => {
      const { path, sha256 } = await studio.chooseBaseModel(choice);
      return { path, sha256 };
    },
    'system.info': () => ({
      app: 'MagiCapture Studio',
      version: appVersion(),
      apiVersion: API_VERSION,
      mode,
      libraryDir: studio.library.dir,
      schemaVersion: catalog.schemaVersion,
      hosts: studio.hosts ? 'running' : 'off',
      platform: process.platform,
    }),
    'dialog.open': async ({ kind, title }) => {
      if (!openDialog) {
        throw new ApiError('unavailable', 'expected the desktop app, where the studio can open a file dialog, received a call to the studio server',
          'In the browser, choose the files with the page\'s file picker; they are uploaded with POST /files.');
      }
      return { paths: await openDialog(kind, title) };
    },
  };
}
