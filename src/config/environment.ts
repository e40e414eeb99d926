import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { emptyToUndefined, toBoolean, toNumber } from './environment-values';

export const QUEUE_CONNECTIONS = ['redis', 'database', 'sync'] as const;
export const AI_PROTOCOLS = ['chat', 'ollama', 'openai'] as const;
export const LOG_LEVELS = ['error', 'warn', 'info', 'debug', 'verbose'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;
export const NODE_ENVS = ['development', 'production', 'test'] as const;

/**
 * The environment variables (README.md, Configuration), with their defaults and rules: every variable the
 * service reads is declared here, once. validate-environment.ts checks a raw environment against it.
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
