import { HttpStatus } from '@nestjs/common';
import { RequestHandler } from 'express';
import { errorBody } from './http-error.filter';

/** What the API's routes use, as a preflight announces it. */
const ALLOWED_METHODS = 'GET, HEAD, POST, PATCH, DELETE';
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Request-Id';
/** What a front end reads beyond the safelisted headers: its rate-limit budget and when to retry after a 429. */
const EXPOSED_HEADERS = 'X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, X-Request-Id';
/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours). */
const PREFLIGHT_MAX_AGE_SECONDS = 7200;

/**
 * CORS for the origins of CORS_ORIGINS only: an allowed origin is named back (never "*", which would
 * let any page use a token it holds), and a refused one gets no CORS header at all. It runs before the
 * body parser, the rate limit and the token guard, so their errors carry the headers too and a front end
 * reads a 401 or a 429 instead of an opaque network error; preflights are answered here and reach no route.
 */
export function corsMiddleware(origins: readonly string[]): RequestHandler {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  return (request, response, next) => {
    // The answer depends on Origin: a shared cache must not give one origin's answer to another.
    response.vary('Origin');
    const origin = request.headers.origin;
    if (origin === undefined) return next();
    const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    if (!anyOrigin && !allowed.has(origin)) {
      if (!preflight) return next();
      response
        .status(HttpStatus.FORBIDDEN)
        .json(errorBody(HttpStatus.FORBIDDEN, `Origin ${origin} may not call this API from a browser: it is not in CORS_ORIGINS`));
      return;
    }
    response.setHeader('Access-Control-Allow-Origin', origin);
    if (preflight) {
      response.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
      response.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      response.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
      response.status(HttpStatus.NO_CONTENT).end();
      return;
    }
    response.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
    next();
  };
}
