// Error codes meaning "the database cannot be reached or is too busy right now", not "the query is wrong".
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  let current = error as { code?: string; driverError?: unknown; cause?: unknown; message?: string } | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current.code && UNAVAILABLE_CODES.has(current.code)) return true;
    if (current.message?.includes("Can't add new command when connection is in closed state")) return true;
    current = (current.driverError ?? current.cause) as typeof current;
  }
  return false;
}
