import { ArgumentsHost, Catch, HttpStatus } from '@nestjs/common';
import { Response } from 'express';
import { HttpErrorFilter, httpError } from '../http/http-error.filter';
import { CredentialsUnreadableError, Refusal, RevealRefusedError } from './credentials.errors';

const REALM = 'Bearer realm="autoseo-credentials"';

const REFUSAL_ANSWERS: Record<Refusal, { status: HttpStatus; challenge?: string }> = {
  // Turned off, the route is as good as absent.
  disabled: { status: HttpStatus.NOT_FOUND },
  no_token: { status: HttpStatus.UNAUTHORIZED, challenge: REALM },
  wrong_token: { status: HttpStatus.UNAUTHORIZED, challenge: `${REALM}, error="invalid_token"` },
  // A valid token, but not one that may reveal (RFC 6750).
  api_token: { status: HttpStatus.FORBIDDEN, challenge: `${REALM}, error="insufficient_scope"` },
};

/** The errors of the credentials routes: never cached, refusals and unreadable records mapped, the rest as everywhere. */
@Catch()
export class CredentialsErrorFilter extends HttpErrorFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Pragma', 'no-cache');
    // The reveal's own rate limit is a named throttler, which writes its wait as Retry-After-credentials.
    const credentialsRetry = response.getHeader('Retry-After-credentials');
    if (credentialsRetry !== undefined && response.getHeader('Retry-After') === undefined) {
      response.setHeader('Retry-After', credentialsRetry);
    }

    if (exception instanceof RevealRefusedError) {
      const { status, challenge } = REFUSAL_ANSWERS[exception.refusal];
      if (challenge) response.setHeader('WWW-Authenticate', challenge);
      super.catch(httpError(status, exception.message), host);
      return;
    }
    if (exception instanceof CredentialsUnreadableError) {
      super.catch(httpError(HttpStatus.CONFLICT, exception.message), host);
      return;
    }
    super.catch(exception, host);
  }
}
