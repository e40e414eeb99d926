/** Bad usage of a command: exit code 2, with a message that says what to do instead. */
export class UsageError extends Error {
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
