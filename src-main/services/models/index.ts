// The model manager's public surface (broker side): the manifest, installs, imports and removal.
export { CATALOG_PURPOSE, loadManifest, MANIFEST_PURPOSES, type ManifestEntry, type ManifestPurpose, manifestPath, parseManifest } from './manifest.js';
export { type Consent, type ImportRequest, type ModelListing, ModelManager, MODELS_DIR } from './model-manager.js';
export { ModelError, type ModelErrorCode } from './model-error.js';
export { type DownloadOptions, type DownloadProgress } from './download.js';
