// The typed protocol between the broker and its host processes (engine, media).
export * from './engine.js';
export * from './errors.js';
export * from './media.js';
export * from './messages.js';
export * from './tensor.js';
export * from './validate.js';
