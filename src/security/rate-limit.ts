import { ThrottlerModuleOptions } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';

/**
 * RATE_LIMIT requests per RATE_LIMIT_WINDOW_MS for each client IP address, counted over all routes
 * together (the throttler's default is one budget per route). Counters live in this process's memory.
 */
export function rateLimitOptions(config: AppConfig): ThrottlerModuleOptions {
  const { rateLimit, rateLimitWindowMs } = config.security;
  const windowSeconds = Math.ceil(rateLimitWindowMs / 1000);
  return {
    throttlers: [{ name: 'default', limit: rateLimit, ttl: rateLimitWindowMs }],
    skipIf: () => rateLimit === 0,
    generateKey: (_context, tracker) => `client:${tracker}`,
    errorMessage: (_context, detail) =>
      `Too many requests: at most ${detail.limit} per ${windowSeconds} s from one client; retry in ${detail.timeToBlockExpire} s`,
  };
}
