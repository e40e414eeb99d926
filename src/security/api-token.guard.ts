import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request, Response } from 'express';
import { ApiToken } from './api-token';
import { IS_PUBLIC } from './public.decorator';

const REALM = 'Bearer realm="autoseo"';

/**
 * With API_TOKEN set, every route not marked @Public() needs `Authorization: Bearer <API_TOKEN>`.
 * Without it the API is open (development); production refuses to start without one (environment.ts).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    private readonly apiToken: ApiToken,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.apiToken.required || context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;

    const http = context.switchToHttp();
    const response = http.getResponse<Response>();
    const check = this.apiToken.check(http.getRequest<Request>());
    if (check === 'missing') {
      response.setHeader('WWW-Authenticate', REALM);
      throw new UnauthorizedException('Missing API token: send the header Authorization: Bearer <API_TOKEN>');
    }
    if (check === 'invalid') {
      response.setHeader('WWW-Authenticate', `${REALM}, error="invalid_token"`);
      throw new UnauthorizedException('Invalid API token');
    }
    return true;
  }
}
