// The job queue, settings, what this studio is, and the desktop app's file dialogs.
import { absolutePath, fail, id, oneOf, refuse, optional, optionalOneOf, params, set, text } from '../check.js';
import { JOB_KINDS, JOB_STATES, type Job, type JobKind, type JobState, type SystemInfo } from '../types.js';
import { byId, none, type MethodRules } from './rules.js';

export interface JobFilter {
  state?: JobState;
  clientId?: number;
  kind?: JobKind;
}

export const DIALOG_KINDS = ['photos', 'mask', 'folder'] as const;
export type DialogKind = (typeof DIALOG_KINDS)[number];

export const DTYPES = ['fp32', 'fp16', 'bf16'] as const;

export interface BaseModelParams {
  path: string;
  tokenizerDir?: string;
  /** cpu or cuda:N. */
  device?: string;
  dtype?: (typeof DTYPES)[number];
}

const SETTING_KEY = /^[a-z][a-zA-Z0-9_]*(\.[a-zA-Z0-9_]+)*$/;

export interface SystemMethods {
  /** Queue order: priority, then age. */
  'jobs.list': { params: JobFilter; result: Job[] };
  'jobs.show': { params: { jobId: number }; result: Job };
  'jobs.cancel': { params: { jobId: number }; result: Job };
  'jobs.pause': { params: { jobId: number }; result: Job };
  /** A paused or failed job continues where it stopped (a training from its last checkpoint). */
  'jobs.resume': { params: { jobId: number }; result: Job };
  'settings.get': { params: Record<string, never>; result: Record<string, unknown> };
  /** value null removes the setting. Returns every setting. */
  'settings.set': { params: { key: string; value: unknown }; result: Record<string, unknown> };
  /** The base Stable Diffusion 1.5 model training and generation use (a diffusers folder or a .safetensors file). */
  'settings.setBaseModel': { params: BaseModelParams; result: { path: string; sha256: string } };
  'system.info': { params: Record<string, never>; result: SystemInfo };
  /** The desktop app's open dialog; the studio server answers `unavailable` (a browser uploads instead). */
  'dialog.open': { params: { kind: DialogKind; title?: string }; result: { paths: string[] } };
}

export const SYSTEM_RULES: { [M in keyof SystemMethods]: MethodRules<SystemMethods[M]['params']> } = {
  'jobs.list': {
    check: (value) => {
      const f = params(value, 'jobs.list', ['state', 'clientId', 'kind']);
      const out: JobFilter = {};
      set(out, 'state', optionalOneOf(f['state'], 'state', JOB_STATES));
      set(out, 'clientId', optional(f['clientId'], (v) => id(v, 'clientId')));
      set(out, 'kind', optionalOneOf(f['kind'], 'kind', JOB_KINDS));
      return out;
    },
  },
  'jobs.show': byId('jobs.show', 'jobId'),
  'jobs.cancel': byId('jobs.cancel', 'jobId', 'jobs'),
  'jobs.pause': byId('jobs.pause', 'jobId', 'jobs'),
  'jobs.resume': byId('jobs.resume', 'jobId', 'jobs'),
  'settings.get': none('settings.get'),
  'settings.set': {
    changes: 'settings',
    check: (value) => {
      const f = params(value, 'settings.set', ['key', 'value']);
      const key = text(f['key'], 'key', 100);
      if (!SETTING_KEY.test(key)) fail('key', 'a dotted setting name like export.jpegQuality', key);
      if (f['value'] === undefined) refuse('expected value to be any JSON value (null removes the setting), received nothing');
      return { key, value: f['value'] };
    },
  },
  'settings.setBaseModel': {
    changes: 'settings',
    check: (value) => {
      const f = params(value, 'settings.setBaseModel', ['path', 'tokenizerDir', 'device', 'dtype']);
      const out: BaseModelParams = { path: absolutePath(f['path'], 'path') };
      set(out, 'tokenizerDir', optional(f['tokenizerDir'], (v) => absolutePath(v, 'tokenizerDir')));
      set(out, 'device', optional(f['device'], (v) => {
        const device = text(v, 'device', 20);
        if (!/^(cpu|cuda(:\d+)?)$/.test(device)) fail('device', 'cpu or cuda:N', v);
        return device;
      }));
      set(out, 'dtype', optionalOneOf(f['dtype'], 'dtype', DTYPES));
      return out;
    },
  },
  'system.info': none('system.info'),
  'dialog.open': {
    check: (value) => {
      const f = params(value, 'dialog.open', ['kind', 'title']);
      const out: { kind: DialogKind; title?: string } = { kind: oneOf(f['kind'], 'kind', DIALOG_KINDS) };
      set(out, 'title', optional(f['title'], (v) => text(v, 'title', 200)));
      return out;
    },
  },
};
