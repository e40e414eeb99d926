import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { bearerToken, ExpectedToken } from './bearer-token';
import { IS_PUBLIC } from './public.decorator';

const REALM = 'Bearer realm="autoseo"';

/**
 * With API_TOKEN set, every route not marked @Public() needs `Authorization: Bearer <API_TOKEN>`.
 * Without it the API is open (development); production refuses to start without one (environment.ts).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected?: ExpectedToken;

  constructor(
    config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.expected = config.security.apiToken === undefined ? undefined : new ExpectedToken(config.security.apiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected || context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;

    const http = context.switchToHttp();
    const response = http.getResponse<Response>();
    const token = bearerToken(http.getRequest<Request>().headers.authorization);
    if (token === undefined) {
      response.setHeader('WWW-Authenticate', REALM);
      throw new UnauthorizedException('Missing API token: send the header Authorization: Bearer <API_TOKEN>');
    }
    if (!this.expected.matches(token)) {
      response.setHeader('WWW-Authenticate', `${REALM}, error="invalid_token"`);
      throw new UnauthorizedException('Invalid API token');
    }
    return true;
  }
}
