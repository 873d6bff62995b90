// Sizes the API accepts. A transport refuses a larger body (413) before reading or parsing it.

/** Default largest JSON request body: params are ids, names and settings. */
export const MAX_REQUEST_BYTES = 256 * 1024;
/** masks.save carries an edited mask as base64 PNG; a binary mask of a 50-megapixel photo compresses far below this. */
export const MAX_MASK_REQUEST_BYTES = 24 * 1024 * 1024;
/** One uploaded photo (POST /files on the studio server); the library's own file limit is the same. */
export const MAX_UPLOAD_BYTES = 512 * 1024 * 1024;
/** Photos in one import call, generations in one review, export or batch. */
export const MAX_BATCH = 500;

/** Where the renderer finds a library file by its hash, relative to the page (studio server and Electron alike). */
export const FILES_PATH = 'files/';
/** The API version: bumped on an incompatible change, so a stale renderer can say so. */
export const API_VERSION = 1;
