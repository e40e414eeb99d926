import { existsSync } from 'node:fs';
import { AppConfig, loadConfig } from './app-config';
import { ConfigurationError } from './environment';

/**
 * Reads `.env` from the working directory when there is one. A variable already set in the environment
 * wins over the file, so a deploy's own settings (systemd, compose, the shell) are never overridden.
 */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** Loads the configuration (from the environment and `.env`), or prints one line per bad variable and ends the process. */
export function loadConfigOrExit(): AppConfig {
  try {
    loadDotEnv();
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    for (const problem of error.problems) process.stderr.write(`Configuration error: ${problem}\n`);
    process.exit(1);
  }
}
