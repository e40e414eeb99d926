import { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { AppConfig } from '../config/app-config';
import { EnvironmentVariables } from '../config/environment';
import { LineWriter } from './line-writer';

/** Where log lines go: a file descriptor (1 stdout, 2 stderr), or a stream (the tests keep the lines). */
export type LogDestination = 1 | 2 | DestinationStream;

const LEVELS: Record<EnvironmentVariables['LOG_LEVEL'], pino.Level> = {
  error: 'error',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  verbose: 'trace',
};

const REDACTED = '[redacted]';
const SECRET_KEYS = ['authorization', 'cookie', 'x-api-key', 'password', 'password_app', 'apiKey', 'AI_API_KEY', 'APP_KEY'];
const MORE_SECRET_KEYS = ['APP_PREVIOUS_KEYS', 'API_TOKEN', 'CREDENTIALS_TOKEN', 'DATABASE_URL', 'REDIS_URL'];
// The company text and the AI's answer are the client's content: kept out of logs, whatever logs them.
const CONTENT_KEYS = ['company_context', 'company_context_original', 'original'];

/**
 * Fields no log line may show, at the top of a logged object and up to three levels down (an HTTP
 * error's `err.config.headers`, a request's `req.headers`). Messages never carry them either: they are written
 * without the values (the tests grep every line of a run for them).
 */
export const REDACTED_PATHS = [...SECRET_KEYS, ...MORE_SECRET_KEYS, ...CONTENT_KEYS].flatMap((key) => {
  const field = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const nested = field.startsWith('[') ? field : `.${field}`;
  return [field, `*${nested}`, `*.*${nested}`, `*.*.*${nested}`];
});

/**
 * The process's one pino logger: JSON lines or readable ones (LOG_FORMAT), at LOG_LEVEL, secrets redacted.
 * Lines are written synchronously, in this thread: nothing is lost when a command ends with process.exit,
 * and no worker thread is started for a transport. `batch` (the API and the workers, which log per request
 * and per job) gathers the lines of every 50 ms into one write (LineWriter), still written
 * before the process exits or stops on a signal; a CLI command writes each line at once.
 */
export function createRootLogger(config: AppConfig, destination: LogDestination = 1, { batch = false }: { batch?: boolean } = {}): Logger {
  const options: LoggerOptions = {
    level: LEVELS[config.logLevel],
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  const stream = typeof destination === 'number' ? new LineWriter(destination, { batch }) : destination;
  return pino(options, config.logFormat === 'pretty' ? prettyStream(stream) : stream);
}

/** pino-pretty's formatter in this thread: "[12:00:00.000] INFO: [Context] message {fields}". */
function prettyStream(destination: DestinationStream): DestinationStream {
  const format = prettyFactory({
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
    singleLine: true,
  });
  return { write: (line: string) => destination.write(format(line)) };
}

/** The Nest logger over the root logger: `new Logger('Context').log(...)` everywhere ends in pino. */
export function nestLogger(root: Logger): LoggerService {
  return new NestPinoLogger(new PinoLogger({ pinoHttp: { logger: root } }), {});
}
