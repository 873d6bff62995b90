// Every API method's handler, in one table the dispatcher serves over IPC, HTTP and in the CLI.
import { clientHandlers } from './clients-handlers.js';
import { generationHandlers } from './generations-handlers.js';
import type { ApiHandlers, HandlerContext } from './handler-types.js';
import { photoHandlers } from './photos-handlers.js';
import { systemHandlers } from './system-handlers.js';
import { trainingHandlers } from './training-handlers.js';

export function createHandlers(context: HandlerContext): ApiHandlers {
  return {
    ...clientHandlers(context),
    ...photoHandlers(context),
    ...trainingHandlers(context),
    ...generationHandlers(context),
    ...systemHandlers(context),
  };
}
