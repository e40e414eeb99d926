import { isIP } from 'node:net';

/* The rules of TRUST_PROXY and CORS_ORIGINS beyond their type: what validateEnvironment checks, and what AppConfig reads. */

/** Express's "trust proxy" value from TRUST_PROXY: false, a hop count or a list of addresses; null when invalid. */
export function parseTrustProxy(value = 'false'): false | number | string[] | null {
  const trimmed = value.trim();
  if (trimmed === 'false') return false;
  if (/^[1-9]$/.test(trimmed)) return Number(trimmed);
  const entries = trimmed.split(',').map((entry) => entry.trim());
  return entries.every(isTrustedAddress) ? entries : null;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isTrustedAddress(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** CORS_ORIGINS as a list; empty entries (a trailing comma) are ignored. */
export function splitCorsOrigins(value = ''): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

const ORIGIN_FORM = 'scheme://host[:port] with no path, as a browser sends it in the Origin header';

export function corsOriginsProblem(value: string | undefined, tokenInUse: boolean): string | null {
  const origins = splitCorsOrigins(value);
  if (origins.includes('*')) {
    // A token is a credential: every origin allowed to use it from a browser must be named.
    if (tokenInUse) return 'must list the front ends\' origins, not "*", while API_TOKEN is set';
    if (origins.length > 1) return '"*" (any origin) cannot be combined with other origins';
    return null;
  }
  const problems = origins.map(originProblem).filter((problem) => problem !== null);
  return problems.length > 0 ? problems.join('; ') : null;
}

function originProblem(entry: string): string | null {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return `${JSON.stringify(entry)} is not an origin (${ORIGIN_FORM}, e.g. https://admin.example.com)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${JSON.stringify(entry)} is not an http or https origin`;
  // Browsers send the origin lower-case, without a default port, path or credentials: anything else never matches.
  if (url.origin !== entry) return `${JSON.stringify(entry)} is not an origin (${ORIGIN_FORM}): write ${JSON.stringify(url.origin)}`;
  return null;
}
