// The one error type the library folder throws (bad files, unsafe paths, a missing library). Like
// CatalogError: a stable `code` to branch on, a message saying what was expected and received, a hint.
import { CodedError } from '../../common/coded-error.js';

export type LibraryErrorCode =
  | 'empty_file'
  | 'too_large'
  | 'not_an_image'
  | 'unsupported_format'
  | 'corrupt_image'
  /** A library file the studio wrote (not an image) that does not read back. */
  | 'corrupt_file'
  | 'too_many_pixels'
  | 'unsafe_path'
  | 'not_found'
  | 'bad_settings';

export class LibraryError extends CodedError<LibraryErrorCode> {}
