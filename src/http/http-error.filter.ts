import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { Response } from 'express';
import { ClientNotFoundError } from '../clients/clients.errors';
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

function isHealthCheckResult(exception: unknown): exception is HttpException {
  if (!(exception instanceof HttpException)) return false;
  const payload = exception.getResponse();
  return typeof payload === 'object' && payload !== null && 'details' in payload && 'status' in payload;
}

/**
 * Every error leaves as JSON `{ statusCode, error, message }`. Domain errors are mapped here, a database
 * that cannot be reached is a 503, and anything unexpected is logged and answered 500 without details.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (isHealthCheckResult(exception)) {
      // Terminus's own shape ({ status, info, error, details }) is the contract of /health.
      response.status(exception.getStatus()).json(exception.getResponse());
      return;
    }
    const body = this.toBody(exception);
    response.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const payload = exception.getResponse();
      const message = typeof payload === 'string' ? payload : ((payload as { message?: string | string[] }).message ?? exception.message);
      return errorBody(status, message);
    }
    if (exception instanceof ClientNotFoundError) return errorBody(HttpStatus.NOT_FOUND, exception.message);
    const parserError = bodyParserError(exception);
    if (parserError) return parserError;
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn(`database unavailable: ${(exception as Error).message}`);
      return errorBody(HttpStatus.SERVICE_UNAVAILABLE, 'The database is unavailable; try again shortly');
    }
    this.logger.error(`unexpected error: ${(exception as Error)?.stack ?? String(exception)}`);
    return errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error');
  }
}
