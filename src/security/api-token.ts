import { Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Request } from 'express';
import { AppConfig } from '../config/app-config';

export type TokenCheck = 'valid' | 'missing' | 'invalid';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** API_TOKEN and how a request's `Authorization: Bearer <token>` compares with it. */
@Injectable()
export class ApiToken {
  private readonly expected?: Buffer;

  constructor(config: AppConfig) {
    this.expected = config.security.apiToken === undefined ? undefined : digest(config.security.apiToken);
  }

  /** Whether API_TOKEN is set; without it the API is open (development). */
  get required(): boolean {
    return this.expected !== undefined;
  }

  check(request: Request): TokenCheck {
    const token = /^Bearer\s+(.+?)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined) return 'missing';
    // Digests of equal length, so the comparison takes the same time whatever the token's length or content.
    return this.expected !== undefined && timingSafeEqual(digest(token), this.expected) ? 'valid' : 'invalid';
  }

  /** No token is required, or the request carries the right one. */
  authorises(request: Request): boolean {
    return !this.required || this.check(request) === 'valid';
  }
}
