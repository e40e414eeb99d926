import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { IS_PUBLIC } from './public.decorator';

const REALM = 'Bearer realm="autoseo"';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * With API_TOKEN set, every route not marked @Public() needs `Authorization: Bearer <API_TOKEN>`.
 * Without it the API is open (development); production refuses to start without one (environment.ts).
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(
    config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.expected = config.security.apiToken === undefined ? undefined : digest(config.security.apiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected || context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;

    const http = context.switchToHttp();
    const response = http.getResponse<Response>();
    const token = /^Bearer\s+(.+?)\s*$/i.exec(http.getRequest<Request>().headers.authorization ?? '')?.[1];
    if (token === undefined) {
      response.setHeader('WWW-Authenticate', REALM);
      throw new UnauthorizedException('Missing API token: send the header Authorization: Bearer <API_TOKEN>');
    }
    // Digests of equal length, so the comparison takes the same time whatever the token's length or content.
    if (!timingSafeEqual(digest(token), this.expected)) {
      response.setHeader('WWW-Authenticate', `${REALM}, error="invalid_token"`);
      throw new UnauthorizedException('Invalid API token');
    }
    return true;
  }
}
