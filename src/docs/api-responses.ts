import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse, HeadersObject } from '@nestjs/swagger';
import { schemaRef } from './api-schemas';

export const BEARER_SCHEME = 'api-token';
/** CREDENTIALS_TOKEN: the one key to GET /clients/{id}/credentials (the API token does not open it). */
export const CREDENTIALS_SCHEME = 'credentials-token';

/** What each error status means on this API; a route lists the ones it can answer. */
const ERRORS: Record<number, string> = {
  [HttpStatus.BAD_REQUEST]:
    'The input is wrong: a field, the query or the id in the path is invalid, an unknown field was sent, ' +
    'or the body is not well-formed JSON (nested more than 16 levels, text that is not well-formed Unicode). Nothing was changed.',
  [HttpStatus.UNAUTHORIZED]:
    'API_TOKEN is set and the request has no `Authorization: Bearer <API_TOKEN>` header, or a wrong token. ' +
    'Answered with a `WWW-Authenticate: Bearer` header.',
  [HttpStatus.NOT_FOUND]: 'No client has this id (it never existed or was deleted).',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'The body is larger than 64 KiB. Nothing was changed.',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]:
    'The body is in a charset other than UTF-8, or in a Content-Encoding other than gzip, deflate or br. Nothing was changed.',
  [HttpStatus.TOO_MANY_REQUESTS]:
    'This client (IP address) made more than RATE_LIMIT requests in RATE_LIMIT_WINDOW_MS; `Retry-After` says in how many seconds to retry.',
  [HttpStatus.SERVICE_UNAVAILABLE]: 'The database cannot be reached; nothing was changed. Try again shortly.',
};

const integerHeader = (description: string) => ({ description, schema: { type: 'integer' as const } });

/** Sent on every answer of a rate-limited route while RATE_LIMIT is not 0. */
export const RATE_LIMIT_HEADERS: HeadersObject = {
  'X-RateLimit-Limit': integerHeader('RATE_LIMIT: requests allowed per window'),
  'X-RateLimit-Remaining': integerHeader('Requests left in the current window'),
  'X-RateLimit-Reset': integerHeader('Seconds until the current window ends'),
};

const HEADERS: Record<number, HeadersObject> = {
  [HttpStatus.UNAUTHORIZED]: {
    'WWW-Authenticate': { description: 'Bearer realm="autoseo", with error="invalid_token" for a wrong token', schema: { type: 'string' } },
  },
  [HttpStatus.TOO_MANY_REQUESTS]: { 'Retry-After': integerHeader('Seconds to wait before the next request'), ...RATE_LIMIT_HEADERS },
};

/** The error statuses a route (or every route of a controller) can answer, each with the error body. */
export function ApiErrors(...statuses: HttpStatus[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: ERRORS[status] ?? 'Error',
        schema: schemaRef('ErrorBody'),
        headers: HEADERS[status],
      }),
    ),
  );
}

/**
 * Errors any route can answer before it runs: the body parser reads a body sent to any path,
 * whatever the route does with it.
 */
export const ApiBodyErrors = () => ApiErrors(HttpStatus.BAD_REQUEST, HttpStatus.PAYLOAD_TOO_LARGE, HttpStatus.UNSUPPORTED_MEDIA_TYPE);

/** A route behind API_TOKEN and the rate limit, reading the database. */
export const ApiProtected = () =>
  applyDecorators(ApiBearerAuth(BEARER_SCHEME), ApiErrors(HttpStatus.UNAUTHORIZED, HttpStatus.TOO_MANY_REQUESTS));
