// The one error type of the model manager: a stable code (the UI branches on needs_confirmation to ask the
// photographer), a message saying what was expected and received, and a hint.
import { CodedError } from '../../common/coded-error.js';

export type ModelErrorCode =
  | 'bad_manifest'
  | 'unknown_model'
  | 'needs_confirmation'
  | 'hash_mismatch'
  | 'size_mismatch'
  | 'download_failed'
  | 'already_installed'
  | 'not_found';

export class ModelError extends CodedError<ModelErrorCode> {}
