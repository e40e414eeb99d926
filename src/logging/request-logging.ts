import { RequestHandler, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
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

/** What pino-http hands the object builders: the time from the request's start to its response's end, in ms. */
interface Timed {
  responseTime: number;
}

function message(request: Request, response: Response, durationMs: number): string {
  const { method, route, path, status } = requestFields(request, response, durationMs);
  return `${method} ${route ?? path} ${status} in ${durationMs} ms${response.writableEnded ? '' : ' (aborted)'}`;
}

/**
 * One line per HTTP request, written when its response ends: method, route, status, duration and the
 * request id (also on every line logged while the request runs). Mounted before anything else, so even
 * a request the body parser refuses has its line.
 */
export function requestLogging(root: Logger): RequestHandler {
  const middleware = pinoHttp<Request, Response>({
    logger: root,
    genReqId: requestId,
    customAttributeKeys: { reqId: 'requestId' },
    // Lines logged during the request carry only its id; the request's own line says the rest.
    quietReqLogger: true,
    quietResLogger: true,
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? 'error' : 'info'),
    customSuccessObject: (request, response, { responseTime }: Timed) => requestFields(request, response, responseTime),
    customSuccessMessage: (request, response, responseTime) => message(request, response, responseTime),
    customErrorObject: (request, response, _error, { responseTime }: Timed) => requestFields(request, response, responseTime),
    // pino-http passes the duration as a fourth argument that its types leave out.
    customErrorMessage: (request, response, _error, responseTime?: number) => message(request, response, responseTime ?? 0),
  });
  return middleware;
}
