// The job queue's public surface: the queue, its request/view/event types, and the runners the studio wires.
export { JobQueue, type JobQueueDeps } from './job-queue.js';
export { JobError, type JobErrorCode } from './job-error.js';
export { checkRecipe } from './job-request.js';
export { RESTING_STATES } from './job-view.js';
export * from './job-types.js';
export * from './runners/index.js';
