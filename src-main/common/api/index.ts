// The studio's API contract: methods, params checks, results, events, errors and limits. No Node, no Electron.
export * from './contract.js';
export * from './errors.js';
export * from './events.js';
export * from './file-name-template.js';
export * from './limits.js';
export * from './types.js';
export type { ClientFields, ClientSort, NewConsentParams, ProjectFields } from './methods/clients.js';
export { CLIENT_SORTS } from './methods/clients.js';
export type { ExportParams, ExportUpscale, GenerateParams, GenerationQuery, GenerationSort, RecipeParams, ReviewParams } from './methods/generations.js';
export { GENERATION_SORTS } from './methods/generations.js';
export type { ImportParams, SaveMaskParams, UploadRef } from './methods/photos.js';
export { CATALOG_ENTITIES, type CatalogEntity, type MethodRules } from './methods/rules.js';
export type { BaseModelParams, DialogKind, JobFilter } from './methods/system.js';
export { DIALOG_KINDS, DTYPES } from './methods/system.js';
export type { AdvancedTrainingSettings, TrainingEstimate, TrainingParams, TrainingPreset, TrainingRunDetail } from './methods/training.js';
export { PRESET_STEPS, TRAINING_PRESETS } from './methods/training.js';
export { APP_ORIGIN, APP_SCHEME, IPC_CALL, IPC_EVENT, type IpcReply, type StudioBridge } from './bridge.js';
