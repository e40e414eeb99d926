import { UsageError } from './cli-errors';

/** A whole number option within bounds, or a usage error (exit 2) naming the option and the value. */
export function parseCount(option: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(count) || count < min || count > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
    throw new UsageError(`${option} must be a whole number ${range} (got "${value}")`);
  }
  return count;
}
