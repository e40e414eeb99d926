import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of an `Authorization: Bearer <token>` header (scheme in any case, spaces trimmed), or undefined. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(.+?)\s*$/i.exec(authorization ?? '')?.[1];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** A configured token, compared in constant time whatever the length or content of what a caller sends. */
export class ExpectedToken {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  // Digests of equal length, so the comparison takes the same time whatever the token's length or content.
  matches(token: string): boolean {
    return timingSafeEqual(digest(token), this.expected);
  }
}

/**
 * Names a token without revealing it, for audits: the first 12 hex characters of its SHA-256. An operator
 * checks which token that was with `printf %s "$TOKEN" | sha256sum | cut -c1-12`.
 */
export function tokenFingerprint(token: string): string {
  return digest(token).toString('hex').slice(0, 12);
}
