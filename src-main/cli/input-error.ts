// A problem with the files a command was pointed at (unreadable image, missing mask), as opposed to a badly
// formed option (UsageError): the CLI prints the message and the hint and exits 1.
export class InputError extends Error {
  override name = 'InputError';

  constructor(
    message: string,
    readonly hint = '',
  ) {
    super(message);
  }
}
