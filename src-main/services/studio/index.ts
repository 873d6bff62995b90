// The studio's public surface: open a studio, and the input and detail types of its operations.
export { Studio, type StudioHosts, type StudioOptions } from './studio.js';
export { StudioError, type StudioErrorCode } from './studio-error.js';
export type { BaseModelChoice } from './base-model.js';
export type { ClientDetails, ConsentInput, NewClientInput } from './clients-service.js';
export type { ExportInput } from './export-service.js';
export type { GenerateInput } from './generation-service.js';
export type { ProjectDetails } from './projects-service.js';
export type { TrainingDetails } from './training-service.js';
export { PRESET_STEPS, type TrainingSettings } from './training-presets.js';
