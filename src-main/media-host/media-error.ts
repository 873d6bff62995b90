// The media host's typed failure: a protocol error code, an "expected ..., received ..." message, a hint.
import { CodedError } from '../common/coded-error.js';
import type { HostErrorCode } from '../common/protocol/errors.js';

export class MediaError extends CodedError<HostErrorCode> {}
