import { loadConfig } from '../../src/config/app-config';
import { ConfigurationError } from '../../src/config/environment';

/** The lines a bad environment stops the start with (one per bad variable); empty when it is fine. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  return [];
}
