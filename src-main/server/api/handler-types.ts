// What an API handler is, and what every handler can reach. The table type makes the compiler demand exactly
// one handler per method of the contract, taking the checked params and returning the declared result.
import type { ApiMethod, ApiParams, ApiResult } from '../../common/api/contract.js';
import type { DialogKind } from '../../common/api/methods/system.js';
import type { SystemInfo } from '../../common/api/types.js';
import type { Studio } from '../../services/studio/studio.js';
import type { StagingArea } from './staging.js';

export interface HandlerContext {
  studio: Studio;
  staging: StagingArea;
  mode: SystemInfo['mode'];
  /** The desktop app's native open dialog; absent on the studio server and in the CLI. */
  openDialog?: (kind: DialogKind, title: string | undefined) => Promise<string[]>;
}

export type Handler<M extends ApiMethod> = (params: ApiParams<M>) => ApiResult<M> | Promise<ApiResult<M>>;
export type HandlersOf<Methods> = { [M in keyof Methods & ApiMethod]: Handler<M> };
export type ApiHandlers = HandlersOf<Record<ApiMethod, unknown>>;
