import { ExecutionContext, SetMetadata } from '@nestjs/common';
import { ThrottlerModuleOptions } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';

const CREDENTIALS_THROTTLER = 'credentials';
const REVEALS_CREDENTIALS = 'autoseo:reveals-credentials';

/**
 * A route that reveals stored credentials: on top of the limit of every route, it has a tighter budget of
 * its own (CREDENTIALS_RATE_LIMIT per RATE_LIMIT_WINDOW_MS for each client), so a token cannot be guessed,
 * nor the records read one after another, at the pace of ordinary requests.
 */
export const RevealsCredentials = () => SetMetadata(REVEALS_CREDENTIALS, true);

function revealsCredentials(context: ExecutionContext): boolean {
  return Reflect.getMetadata(REVEALS_CREDENTIALS, context.getHandler()) === true;
}

/**
 * RATE_LIMIT requests per RATE_LIMIT_WINDOW_MS for each client IP address, counted over all routes
 * together (the throttler's default is one budget per route). Counters live in this process's memory.
 */
export function rateLimitOptions(config: AppConfig): ThrottlerModuleOptions {
  const { rateLimit, rateLimitWindowMs, credentialsRateLimit } = config.security;
  const windowSeconds = Math.ceil(rateLimitWindowMs / 1000);
  return {
    throttlers: [
      { name: 'default', limit: rateLimit, ttl: rateLimitWindowMs, skipIf: () => rateLimit === 0 },
      {
        name: CREDENTIALS_THROTTLER,
        limit: credentialsRateLimit,
        ttl: rateLimitWindowMs,
        skipIf: (context) => credentialsRateLimit === 0 || !revealsCredentials(context),
      },
    ],
    generateKey: (_context, tracker, name) => (name === CREDENTIALS_THROTTLER ? `credentials:${tracker}` : `client:${tracker}`),
    errorMessage: (_context, detail) => {
      const what = detail.key.startsWith(`${CREDENTIALS_THROTTLER}:`) ? 'credential reveals' : 'requests';
      return `Too many ${what}: at most ${detail.limit} per ${windowSeconds} s from one client; retry in ${detail.timeToBlockExpire} s`;
    },
  };
}
