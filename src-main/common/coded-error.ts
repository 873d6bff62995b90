// The shape of every typed failure in the studio: a stable `code` callers branch on, a message saying what was
// expected and what was received, and a hint saying what to do. Each layer names its own codes.
export class CodedError<Code extends string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly hint = '',
  ) {
    super(message);
    this.name = new.target.name;
  }
}
