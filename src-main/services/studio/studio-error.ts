// Refusals of the studio's operations that are not a bad field (those are the catalog's `invalid` errors):
// a missing consent, something that must finish first, a part of the studio that is not available.
import { CodedError } from '../../common/coded-error.js';

export type StudioErrorCode = 'consent' | 'conflict' | 'unavailable';

export class StudioError extends CodedError<StudioErrorCode> {}
