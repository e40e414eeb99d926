import { createHash, timingSafeEqual } from 'node:crypto';

export type BearerCheck = 'accepted' | 'missing' | 'invalid';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * `Authorization: Bearer <API_TOKEN>` checked outside Nest's guards (the worker's metrics listener has no
 * Nest HTTP app). Same rules as ApiTokenGuard: no token configured means open.
 */
export class BearerToken {
  private readonly expected?: Buffer;

  constructor(token: string | undefined) {
    this.expected = token === undefined ? undefined : digest(token);
  }

  check(authorization: string | undefined): BearerCheck {
    if (!this.expected) return 'accepted';
    const token = /^Bearer\s+(.+?)\s*$/i.exec(authorization ?? '')?.[1];
    if (token === undefined) return 'missing';
    // Digests of equal length, so the comparison takes the same time whatever the token's length or content.
    return timingSafeEqual(digest(token), this.expected) ? 'accepted' : 'invalid';
  }
}
