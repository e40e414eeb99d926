import { ConsoleLogger, LogLevel } from '@nestjs/common';

/**
 * Keeps every line the application logs, so tests can assert on what operators would read
 * (and on what must never appear there). Prints only errors, unless TEST_LOGS=1.
 */
export class CapturedLogs extends ConsoleLogger {
  readonly lines: string[] = [];

  constructor() {
    super('Test', { logLevels: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] });
  }

  protected override printMessages(messages: unknown[], context = '', logLevel: LogLevel = 'log', ...rest: unknown[]): void {
    for (const message of messages) this.lines.push(`[${logLevel}] [${context}] ${String(message)}`);
    if (process.env.TEST_LOGS === '1') super.printMessages(messages, context, logLevel, ...(rest as []));
  }

  matching(pattern: RegExp): string[] {
    return this.lines.filter((line) => pattern.test(line));
  }

  text(): string {
    return this.lines.join('\n');
  }
}
