import { plainToInstance, Transform } from 'class-transformer';
import { isIP } from 'node:net';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
  if (['false', '0', 'no', 'off'].includes(normalized)) return false;
  return value;
};

const toNumber = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const parsed = Number(value);
  return Number.isNaN(parsed) ? value : parsed;
};

const emptyToUndefined = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

export const QUEUE_CONNECTIONS = ['redis', 'database', 'sync'] as const;
export const AI_PROTOCOLS = ['chat', 'ollama', 'openai'] as const;
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'verbose'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;
export const NODE_ENVS = ['development', 'production', 'test'] as const;

/**
 * The environment variables (README.md, Configuration), with their defaults and rules.
 * Property names are the variable names, so every validation message names the variable.
 */
export class EnvironmentVariables {
  @IsIn(NODE_ENVS)
  NODE_ENV: (typeof NODE_ENVS)[number] = 'development';

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @Matches(/^(mysql|mariadb):\/\/[^/]+\/[^/?]+(\?.*)?$|^sqlite:.+$/, {
    message: 'DATABASE_URL must look like mysql://user:pass@host:3306/db or sqlite:PATH',
  })
  DATABASE_URL = 'sqlite:data/autoseo.sqlite';

  @Transform(toBoolean)
  @IsBoolean()
  DB_MIGRATE = true;

  @IsIn(QUEUE_CONNECTIONS)
  QUEUE_CONNECTION: (typeof QUEUE_CONNECTIONS)[number] = 'database';

  @Matches(/^rediss?:\/\/.+$/, { message: 'REDIS_URL must look like redis://host:6379 or rediss://host:6380' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Transform(toBoolean)
  @IsBoolean()
  RUN_WORKER = true;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(100)
  QUEUE_TRIES = 3;

  @Transform(toNumber)
  @IsInt()
  @Min(0)
  QUEUE_BACKOFF_MS = 10_000;

  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(256)
  QUEUE_CONCURRENCY = 1;

  @Transform(toNumber)
  @IsInt()
  @Min(100)
  JOB_TIMEOUT_MS = 60_000;

  /** How often an idle `database` worker looks for work. */
  @Transform(toNumber)
  @IsInt()
  @Min(10)
  QUEUE_POLL_MS = 1_000;

  /** How often a worker queues records left pending or processing without a job. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  RECONCILE_INTERVAL_MS = 60_000;

  /** redis: how long a job whose worker died (SIGKILL, lost power) stays locked before another worker takes it over. */
  @Transform(toNumber)
  @IsInt()
  @Min(1_000)
  QUEUE_STALLED_MS = 30_000;

  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  AI_URL = 'http://127.0.0.1:5000/chat';

  @IsIn(AI_PROTOCOLS)
  AI_PROTOCOL: (typeof AI_PROTOCOLS)[number] = 'chat';

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  AI_MODEL = 'gpt-oss';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  AI_API_KEY?: string;

  @Transform(toNumber)
  @IsInt()
  @Min(100)
  AI_TIMEOUT_MS = 45_000;

  @Transform(toNumber)
  @IsNumber()
  @Min(0)
  @Max(2)
  AI_TEMPERATURE = 0.3;

  /**
   * Tokens one call may generate, reasoning included (gpt-oss's reasoning counts against the cap): about
   * 300 for a 1,000-character Spanish description plus room for reasoning; README explains the number.
   */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  @Max(131_072)
  AI_MAX_TOKENS = 1_536;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  AI_PROMPT_FILE?: string;

  /** Connection failures in a row (refused, unreachable, reset) after which the AI counts as down. */
  @Transform(toNumber)
  @IsInt()
  @Min(1)
  AI_BREAKER_THRESHOLD = 3;

  /** While the AI is down, jobs wait this long before the next try. */
  @Transform(toNumber)
  @IsInt()
  @Min(100)
  AI_COOLDOWN_MS = 60_000;

  /** AI calls per minute across all workers (redis) or per worker (database, sync); 0 means no limit. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  @Max(60_000)
  AI_RATE_LIMIT = 0;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'API_TOKEN must be at least 16 characters long' })
  API_TOKEN?: string;

  /** The only token that opens GET /clients/:id/credentials (the stored passwords in clear); unset: nothing can reveal them. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'CREDENTIALS_TOKEN must be at least 16 characters long' })
  CREDENTIALS_TOKEN?: string;

  /** Reveals of stored credentials one client (IP address) may make per RATE_LIMIT_WINDOW_MS; 0 turns this limit off. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  CREDENTIALS_RATE_LIMIT = 10;

  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^base64:[A-Za-z0-9+/]{43}=$/, {
    message: 'APP_KEY must be "base64:" followed by 32 random bytes in base64 (openssl rand -base64 32)',
  })
  APP_KEY?: string;

  /** Keys APP_KEY replaced, comma-separated: stored passwords sealed with them still open (until key:rotate). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^base64:[A-Za-z0-9+/]{43}=(,\s*base64:[A-Za-z0-9+/]{43}=)*$/, {
    message: 'APP_PREVIOUS_KEYS must be a comma-separated list of keys like APP_KEY ("base64:" followed by 32 bytes in base64)',
  })
  APP_PREVIOUS_KEYS?: string;

  /** Requests one client (IP address) may make per window, over all routes but /health; 0 turns the limit off. */
  @Transform(toNumber)
  @IsInt()
  @Min(0)
  RATE_LIMIT = 300;

  @Transform(toNumber)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  RATE_LIMIT_WINDOW_MS = 60_000;

  /**
   * Behind a reverse proxy or load balancer: which hops to believe X-Forwarded-For from, so the rate
   * limit counts each real client and not the proxy. "false" (none), a number of hops, or addresses
   * and subnets (also loopback, linklocal, uniquelocal), comma-separated.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  TRUST_PROXY = 'false';

  /**
   * Browser front ends on other origins that may call the API, comma-separated, exactly as browsers send
   * them in Origin (https://admin.example.com). Unset: no CORS headers at all.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  CORS_ORIGINS?: string;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** json: one JSON object per line, for log collectors; pretty: readable lines. Unset: json in production, else pretty. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(LOG_FORMATS)
  LOG_FORMAT?: (typeof LOG_FORMATS)[number];

  /** A dedicated worker (queue:work, npm run worker) serves GET /metrics on this port; unset: no listener. */
  @Transform(emptyToUndefined)
  @Transform(toNumber)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  METRICS_PORT?: number;

  /** The address the worker's metrics listener binds to: loopback unless an operator opens it. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @Matches(/^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?)$/, {
    message: 'METRICS_HOST must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name',
  })
  METRICS_HOST = '127.0.0.1';
}

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/** Parses and validates the raw environment; throws one line per bad variable. */
export function validateEnvironment(raw: Record<string, string | undefined>): EnvironmentVariables {
  const known = Object.keys(new EnvironmentVariables());
  const present = Object.fromEntries(Object.entries(raw).filter(([name, value]) => value !== undefined && known.includes(name)));
  const environment = plainToInstance(EnvironmentVariables, present);
  const problems = validateSync(environment, { skipMissingProperties: false }).map(
    (error) => `${error.property}: ${mainProblem(error.constraints ?? {})} (got ${describe(error.property, error.value)})`,
  );
  problems.push(...crossFieldProblems(environment));
  if (problems.length > 0) throw new ConfigurationError(problems);
  return environment;
}

const TYPE_CONSTRAINTS = ['isInt', 'isNumber', 'isBoolean', 'isString', 'isUrl'];

/** One message per variable: a value of the wrong type says so, not that it is also out of range. */
function mainProblem(constraints: Record<string, string>): string {
  const typeConstraint = TYPE_CONSTRAINTS.find((name) => name in constraints);
  return typeConstraint ? constraints[typeConstraint] : Object.values(constraints).join('; ');
}

const SECRET_VARIABLES = new Set([
  'AI_API_KEY',
  'API_TOKEN',
  'CREDENTIALS_TOKEN',
  'APP_KEY',
  'APP_PREVIOUS_KEYS',
  'DATABASE_URL',
  'REDIS_URL',
]);

function describe(variable: string, value: unknown): string {
  if (SECRET_VARIABLES.has(variable)) return 'a value that is not shown';
  return JSON.stringify(value);
}

function crossFieldProblems(environment: EnvironmentVariables): string[] {
  const problems: string[] = [];
  if (environment.AI_TIMEOUT_MS >= environment.JOB_TIMEOUT_MS) {
    problems.push(
      `AI_TIMEOUT_MS: must be shorter than JOB_TIMEOUT_MS (${environment.AI_TIMEOUT_MS} >= ${environment.JOB_TIMEOUT_MS}), or the job times out before the AI call does`,
    );
  }
  if (parseTrustProxy(environment.TRUST_PROXY) === null) {
    problems.push(
      `TRUST_PROXY: must be "false", a number of proxy hops (1 to 9), or comma-separated IP addresses or subnets (also loopback, linklocal, uniquelocal) (got ${JSON.stringify(environment.TRUST_PROXY)})`,
    );
  }
  const corsProblem = corsOriginsProblem(environment.CORS_ORIGINS, environment.API_TOKEN !== undefined);
  if (corsProblem) problems.push(`CORS_ORIGINS: ${corsProblem}`);
  if (environment.CREDENTIALS_TOKEN !== undefined && environment.CREDENTIALS_TOKEN === environment.API_TOKEN) {
    problems.push('CREDENTIALS_TOKEN: must differ from API_TOKEN, or everyone holding the API token could read the stored passwords');
  }
  if (environment.NODE_ENV === 'production') {
    if (!environment.API_TOKEN) problems.push('API_TOKEN: is required when NODE_ENV=production');
    if (!environment.APP_KEY) problems.push('APP_KEY: is required when NODE_ENV=production');
  }
  return problems;
}

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

function corsOriginsProblem(value: string | undefined, tokenInUse: boolean): string | null {
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
