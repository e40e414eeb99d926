import { Injectable } from '@nestjs/common';
import { IncomingMessage } from 'node:http';
import { AppConfig } from '../config/app-config';
import { bearerToken, ExpectedToken } from './bearer-token';

export type TokenCheck = 'valid' | 'missing' | 'invalid';

/** API_TOKEN and how a request's `Authorization: Bearer <token>` compares with it. */
@Injectable()
export class ApiToken {
  private readonly expected?: ExpectedToken;

  constructor(config: AppConfig) {
    this.expected = config.security.apiToken === undefined ? undefined : new ExpectedToken(config.security.apiToken);
  }

  /** Whether API_TOKEN is set; without it the API is open (development). */
  get required(): boolean {
    return this.expected !== undefined;
  }

  /** For any HTTP request, Nest's (Express) or a bare node:http listener's (the worker's metrics). */
  check(request: Pick<IncomingMessage, 'headers'>): TokenCheck {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) return 'missing';
    return this.expected?.matches(token) ? 'valid' : 'invalid';
  }

  /** No token is required, or the request carries the right one. */
  authorises(request: Pick<IncomingMessage, 'headers'>): boolean {
    return !this.required || this.check(request) === 'valid';
  }
}
