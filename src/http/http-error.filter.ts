import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { isDatabaseUnavailable } from '../database/database-errors';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}

export function errorBody(statusCode: number, message: string | string[]): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.too.large': 'Request body is larger than the 64 KiB limit',
  'charset.unsupported': 'Unsupported charset: send the JSON body in UTF-8',
  'encoding.unsupported': 'Unsupported Content-Encoding: send the body as it is, or with gzip, deflate or br',
};

/**
 * Errors raised by the body parser carry their HTTP status, `expose` and often a type (http-errors). Nest
 * itself turns malformed JSON into a BadRequestException; what reaches here is the rest: too large, a
 * charset or Content-Encoding it does not read, a compressed body that does not decompress, a cut-off body.
 */
function bodyParserError(exception: unknown): ErrorBody | null {
  const error = exception as { type?: string; status?: number; expose?: boolean; message?: string };
  if (typeof error?.status !== 'number' || error.status < 400 || error.status > 499 || error.expose !== true) return null;
  const message = BODY_PARSER_MESSAGES[error.type ?? ''] ?? (error.type ? error.message : undefined);
  return errorBody(error.status, message ?? 'The request body could not be read: it is cut off or does not match its Content-Encoding');
}

function isHealthCheckResult(exception: HttpException): boolean {
  const payload = exception.getResponse();
  return typeof payload === 'object' && payload !== null && 'details' in payload && 'status' in payload;
}

/**
 * Every error leaves as JSON `{ statusCode, error, message }`: an HttpException keeps its status and message,
 * a database that cannot be reached is a 503, and anything unexpected is logged and answered 500 without
 * details. Nest's own filter then writes the answer. Domain errors that reach HTTP are HttpExceptions where
 * they are thrown (ClientNotFoundError is a NotFoundException), or are mapped by their controller's filter.
 */
@Catch()
export class HttpErrorFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('HTTP');

  override catch(exception: unknown, host: ArgumentsHost): void {
    super.catch(this.toHttpException(exception), host);
  }

  private toHttpException(exception: unknown): HttpException {
    if (exception instanceof HttpException) {
      // Terminus's own shape ({ status, info, error, details }) is the contract of /health.
      if (isHealthCheckResult(exception)) return exception;
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const message = typeof payload === 'string' ? payload : ((payload as { message?: string | string[] }).message ?? exception.message);
      return httpError(status, message);
    }
    const parserError = bodyParserError(exception);
    if (parserError) return httpError(parserError.statusCode, parserError.message);
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`database unavailable: ${(exception as Error).message}`);
      return httpError(HttpStatus.SERVICE_UNAVAILABLE, 'The database is unavailable; try again shortly');
    }
    this.logger.error(`unexpected error: ${(exception as Error)?.stack ?? String(exception)}`);
    return httpError(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
}

/** An HttpException whose body is errorBody(status, message). */
export function httpError(status: number, message: string | string[]): HttpException {
  return new HttpException(errorBody(status, message), status);
}
