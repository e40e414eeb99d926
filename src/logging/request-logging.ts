import { RequestHandler, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from 'pino';
import { EVERY_ROUTE } from './logging.module';

export const REQUEST_ID_HEADER = 'X-Request-Id';
/** A caller's id is kept when it is short and made of characters that cannot break a log line or a header. */
const ACCEPTED_REQUEST_ID = /^[A-Za-z0-9._:+/=-]{1,128}$/;

/** The caller's X-Request-Id when acceptable, else a new one; either way it goes back in the response. */
export function requestId(request: IncomingMessage, response: ServerResponse): string {
  const given = request.headers['x-request-id'];
  const id = typeof given === 'string' && ACCEPTED_REQUEST_ID.test(given) ? given : randomUUID();
  response.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

/** The route template ("/clients/:id"), so lines group by endpoint; null when no handler took the request (404, 413). */
export function routeTemplate(request: Request): string | null {
  const path = (request.route as { path?: string } | undefined)?.path;
  return path === undefined || path === `/${EVERY_ROUTE}` ? null : path;
}

/** What the line of one request says: no headers, no body, no query string (a search may hold personal data). */
function requestFields(request: Request, response: Response, durationMs: number) {
  return {
    context: 'HTTP',
    method: request.method,
    route: routeTemplate(request),
    path: request.originalUrl.split('?')[0],
    status: response.statusCode,
    durationMs,
    ...(response.writableEnded ? {} : { aborted: true }),
  };
}

function message(request: Request, response: Response, durationMs: number): string {
  const { method, route, path, status } = requestFields(request, response, durationMs);
  return `${method} ${route ?? path} ${status} in ${durationMs} ms${response.writableEnded ? '' : ' (aborted)'}`;
}

/**
 * One line per HTTP request, written when its response ends (or its connection closes first: "aborted"):
 * method, route, status, duration and the request id, at `error` for a 5xx or a failed response, else
 * `info`. Every line logged while the request runs carries its id: `request.log`, which nestjs-pino's
 * middleware binds to the request's async context. Mounted before anything else, so even a request the
 * body parser refuses has its line.
 *
 * Written here rather than with pino-http, which binds the whole request to a second child logger on
 * every request, used or not, at a cost of about 50 KB of garbage a request (bench/RESULTS.md, "Garbage
 * per request").
 */
export function requestLogging(root: Logger): RequestHandler {
  return (request, response, next) => {
    const started = performance.now();
    const log = root.child({ requestId: requestId(request, response) });
    request.log = log;
    const written = (error?: Error) => {
      response.off('finish', written);
      response.off('close', written);
      response.off('error', written);
      const durationMs = Math.round(performance.now() - started);
      const level = error || response.statusCode >= 500 ? 'error' : 'info';
      log[level](requestFields(request, response, durationMs), message(request, response, durationMs));
    };
    response.on('finish', written);
    response.on('close', written);
    response.on('error', written);
    next();
  };
}
