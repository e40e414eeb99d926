import { LogLevel } from '@nestjs/common';
import { AppConfig, loadConfig } from './app-config';
import { ConfigurationError, EnvironmentVariables } from './environment';

const LEVELS: Record<EnvironmentVariables['LOG_LEVEL'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

export function nestLogLevels(level: EnvironmentVariables['LOG_LEVEL']): LogLevel[] {
  return LEVELS[level];
}

/** Loads the configuration, or prints one line per bad variable and ends the process. */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    for (const problem of error.problems) process.stderr.write(`Configuration error: ${problem}\n`);
    process.exit(1);
  }
}
