/** A command's own failure, with the exit code of the contract and a message meant for the operator. */
export abstract class CliError extends Error {
  abstract readonly exitCode: number;
}

/** Bad usage of a command: exit code 2, with a message that says what to do instead. */
export class UsageError extends CliError {
  readonly exitCode = 2;
  override name = 'UsageError';
}

/** The check a command makes failed (queue:monitor over --max, an unknown job id): exit code 1. */
export class CheckFailedError extends CliError {
  readonly exitCode = 1;
  override name = 'CheckFailedError';
}
