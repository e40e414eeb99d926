import { ConsoleLogger, LogLevel } from '@nestjs/common';
import { DestinationStream } from 'pino';

/** pino's level names as Nest's, so lines read "[log] [Context] message" whichever logger wrote them. */
const NEST_LEVELS: Record<string, LogLevel> = {
  trace: 'verbose',
  debug: 'debug',
  info: 'log',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
};

/** One line the application logged, as the JSON object pino wrote. */
export type LogEntry = Record<string, unknown> & { level: string; msg?: string; context?: string };

const capture: { active?: CapturedLogs } = {};

/** A JSON line as its object; a line in another format (a test that set LOG_FORMAT=pretty) as its text. */
function parseLine(line: string): LogEntry {
  try {
    return JSON.parse(line) as LogEntry;
  } catch {
    return { level: 'info', msg: line };
  }
}

/**
 * Where the test apps' pino loggers write (createTestApp passes it to createRootLogger): the lines go to
 * the CapturedLogs of the app created last. As with Nest's own logger, which is global, one destination
 * serves every app of a test file, and the newest app reads what they log.
 */
export const testLogDestination: DestinationStream = {
  write: (line: string) => capture.active?.record(line),
};

/**
 * Keeps every line the application logs, so tests can assert on what operators would read
 * (and on what must never appear there). Prints only errors, unless TEST_LOGS=1.
 * `lines` reads "[level] [Context] message"; `entries` holds pino's JSON objects with all their fields.
 */
export class CapturedLogs extends ConsoleLogger {
  readonly lines: string[] = [];
  readonly entries: LogEntry[] = [];
  /** The JSON lines exactly as pino wrote them. */
  readonly raw: string[] = [];

  constructor() {
    super('Test', { logLevels: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] });
  }

  /** From now on, the lines of testLogDestination come here. */
  activate(): this {
    capture.active = this;
    return this;
  }

  /** One line from pino (LOG_FORMAT=json). */
  record(json: string): void {
    const line = json.trimEnd();
    const entry = parseLine(line);
    const rendered = `[${NEST_LEVELS[entry.level] ?? entry.level}] [${entry.context ?? ''}] ${entry.msg ?? ''}`;
    this.raw.push(line);
    this.entries.push(entry);
    this.lines.push(rendered);
    if (process.env.TEST_LOGS === '1') process.stdout.write(`${rendered}\n`);
  }

  protected override printMessages(messages: unknown[], context = '', logLevel: LogLevel = 'log', ...rest: unknown[]): void {
    for (const message of messages) {
      // Job lines are objects: the text in `msg`, their fields beside it (src/company-context/job-log.ts).
      const text = typeof message === 'object' && message !== null && 'msg' in message ? String(message.msg) : String(message);
      this.lines.push(`[${logLevel}] [${context}] ${text}`);
    }
    if (process.env.TEST_LOGS === '1') super.printMessages(messages, context, logLevel, ...(rest as []));
  }

  matching(pattern: RegExp): string[] {
    return this.lines.filter((line) => pattern.test(line));
  }

  /** Everything logged, every field of every line included: for asserting what must never appear. */
  text(): string {
    return [...this.lines, ...this.raw].join('\n');
  }
}
