// The one API contract (DESIGN.md §1): every method's params and result type, checked at compile time by the
// handler table and the renderer's bridge, and at run time by API_RULES before any handler runs. Served twice,
// over Electron IPC and over the studio server's HTTP, from the same handlers.
import { ApiError } from './errors.js';
import { type ClientMethods, CLIENT_RULES } from './methods/clients.js';
import { type GenerationMethods, GENERATION_RULES } from './methods/generations.js';
import { type PhotoMethods, PHOTO_RULES } from './methods/photos.js';
import type { MethodRules } from './methods/rules.js';
import { type SystemMethods, SYSTEM_RULES } from './methods/system.js';
import { type TrainingMethods, TRAINING_RULES } from './methods/training.js';

export interface ApiMethods extends ClientMethods, PhotoMethods, TrainingMethods, GenerationMethods, SystemMethods {}

export type ApiMethod = keyof ApiMethods & string;
export type ApiParams<M extends ApiMethod> = ApiMethods[M]['params'];
export type ApiResult<M extends ApiMethod> = ApiMethods[M]['result'];

export const API_RULES: { readonly [M in ApiMethod]: MethodRules<ApiParams<M>> } = {
  ...CLIENT_RULES,
  ...PHOTO_RULES,
  ...TRAINING_RULES,
  ...GENERATION_RULES,
  ...SYSTEM_RULES,
};

export const API_METHODS = Object.keys(API_RULES).sort() as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(API_RULES, name);
}

/** The method's rules, or `unknown_method` naming the closest methods (typos are the usual cause). */
export function rulesOf(method: unknown): MethodRules<unknown> {
  if (isApiMethod(method)) return API_RULES[method] as MethodRules<unknown>;
  const shown = typeof method === 'string' ? JSON.stringify(method.slice(0, 60)) : typeof method;
  const prefix = typeof method === 'string' ? method.split('.')[0] : '';
  const near = API_METHODS.filter((m) => m.startsWith(`${prefix}.`));
  throw new ApiError('unknown_method', `expected an API method, received ${shown}`, `Methods${near.length > 0 ? ` of ${prefix}` : ''}: ${(near.length > 0 ? near : API_METHODS).join(', ')}.`);
}

/** Checks a call's params against the contract; the result is what the handler receives. */
export function checkParams<M extends ApiMethod>(method: M, params: unknown): ApiParams<M> {
  return (API_RULES[method] as MethodRules<ApiParams<M>>).check(params);
}
