import { LoggerService } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { AppConfig } from '../config/app-config';
import { EnvironmentVariables } from '../config/environment';
import { LineWriter } from './line-writer';
import { redactSecrets } from './redaction';

/** Where log lines go: a file descriptor (1 stdout, 2 stderr), or a stream (the tests keep the lines). */
export type LogDestination = 1 | 2 | DestinationStream;

const LEVELS: Record<EnvironmentVariables['LOG_LEVEL'], pino.Level> = {
  error: 'error',
  warn: 'warn',
  info: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * The process's one pino logger: JSON lines or readable ones (LOG_FORMAT), at LOG_LEVEL, secrets redacted
 * (redactSecrets: in every logged object and in the bindings of every child logger).
 * Lines are written synchronously, in this thread: nothing is lost when a command ends with process.exit,
 * and no worker thread is started for a transport. `batch` (the API and the workers, which log per request
 * and per job) gathers the lines of every 50 ms into one write (LineWriter), still written
 * before the process exits or stops on a signal; a CLI command writes each line at once.
 */
export function createRootLogger(config: AppConfig, destination: LogDestination = 1, { batch = false }: { batch?: boolean } = {}): Logger {
  const options: LoggerOptions = {
    level: LEVELS[config.logLevel],
    timestamp: pino.stdTimeFunctions.isoTime,
    // Before the serializers: an Error is copied with its class, message and stack when a field of it is hidden.
    formatters: { level: (label) => ({ level: label }), log: redactSecrets },
  };
  const stream = typeof destination === 'number' ? new LineWriter(destination, { batch }) : destination;
  const root = pino(options, config.logFormat === 'pretty' ? prettyStream(stream) : stream);
  // A child's bindings are written into each of its lines too; pino's formatters do not see them (its
  // `bindings` formatter is the root's only). Every child and grandchild is made by this one function:
  // a child is an object whose prototype is its parent.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the parent's own `this`, as pino's child() needs
  const makeChild = root.child;
  root.child = function child(this: Logger, bindings, childOptions) {
    return makeChild.call(this, redactSecrets(bindings), childOptions);
  } as Logger['child'];
  return root;
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
