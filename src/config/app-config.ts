import { EnvironmentVariables } from './environment';
import { parseTrustProxy, splitCorsOrigins } from './http-variables';
import { validateEnvironment } from './validate-environment';

export type QueueConnection = EnvironmentVariables['QUEUE_CONNECTION'];
export type AiProtocol = EnvironmentVariables['AI_PROTOCOL'];
export type LogFormat = NonNullable<EnvironmentVariables['LOG_FORMAT']>;

export interface DatabaseConfig {
  readonly type: 'mysql' | 'sqlite';
  /** mysql: the connection URL; sqlite: the file path (or ":memory:"). */
  readonly url: string;
  readonly sqlitePath?: string;
  readonly migrate: boolean;
}

export interface QueueConfig {
  readonly connection: QueueConnection;
  readonly redisUrl: string;
  readonly runWorker: boolean;
  readonly tries: number;
  readonly backoffMs: number;
  readonly concurrency: number;
  readonly jobTimeoutMs: number;
  readonly pollMs: number;
  readonly reconcileIntervalMs: number;
  /** Bull's lock duration and stalled-job check interval. */
  readonly stalledMs: number;
}

export interface AiConfig {
  readonly url: string;
  readonly protocol: AiProtocol;
  readonly model: string;
  readonly apiKey?: string;
  readonly timeoutMs: number;
  readonly temperature: number;
  /** Cap on generated tokens per call (AI_MAX_TOKENS), sent in each protocol's own field. */
  readonly maxTokens: number;
  readonly promptFile?: string;
  readonly breakerThreshold: number;
  readonly cooldownMs: number;
  /** Calls per minute; 0 means no limit. */
  readonly rateLimit: number;
}

export interface SecurityConfig {
  readonly apiToken?: string;
  /** Opens the reveal of stored credentials (and nothing else); undefined: no one can reveal them. */
  readonly credentialsToken?: string;
  /** Reveals per client per RATE_LIMIT_WINDOW_MS; 0 means no limit of its own. */
  readonly credentialsRateLimit: number;
  /** "base64:..." or undefined, in which case a key is kept in the data directory (never in production). */
  readonly appKey?: string;
  /** Keys that APP_KEY replaced, same format, to open passwords sealed before a rotation. */
  readonly previousAppKeys: string[];
  readonly dataDirectory: string;
  /** Requests per client per window; 0 means no limit. */
  readonly rateLimit: number;
  readonly rateLimitWindowMs: number;
  /** Express's "trust proxy": which proxies' X-Forwarded-For gives the client address. */
  readonly trustProxy: false | number | string[];
  /** Origins whose browser pages may call the API (CORS); ["*"] is any origin (only without API_TOKEN); empty: no CORS. */
  readonly corsOrigins: string[];
}

export interface MetricsConfig {
  /** The dedicated worker's metrics listener; undefined: none (the API serves /metrics on PORT). */
  readonly port?: number;
  readonly host: string;
}

/**
 * The whole configuration, validated once at start. Injected by its class:
 * `constructor(private readonly config: AppConfig)`.
 */
export class AppConfig {
  readonly nodeEnv: EnvironmentVariables['NODE_ENV'];
  readonly port: number;
  readonly logLevel: EnvironmentVariables['LOG_LEVEL'];
  readonly logFormat: LogFormat;
  readonly database: DatabaseConfig;
  readonly queue: QueueConfig;
  readonly ai: AiConfig;
  readonly security: SecurityConfig;
  readonly metrics: MetricsConfig;

  constructor(values: Omit<AppConfig, 'isProduction'>) {
    Object.assign(this, values);
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }
}

/** Reads the configuration from the environment (the only place that reads `process.env`). */
export function loadConfig(raw: Record<string, string | undefined> = process.env): AppConfig {
  const env = validateEnvironment(raw);
  const sqlitePath = env.DATABASE_URL.startsWith('sqlite:') ? env.DATABASE_URL.slice('sqlite:'.length) : undefined;
  return new AppConfig({
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
    database: {
      type: sqlitePath === undefined ? 'mysql' : 'sqlite',
      url: env.DATABASE_URL,
      sqlitePath,
      migrate: env.DB_MIGRATE,
    },
    queue: {
      connection: env.QUEUE_CONNECTION,
      redisUrl: env.REDIS_URL,
      runWorker: env.RUN_WORKER,
      tries: env.QUEUE_TRIES,
      backoffMs: env.QUEUE_BACKOFF_MS,
      concurrency: env.QUEUE_CONCURRENCY,
      jobTimeoutMs: env.JOB_TIMEOUT_MS,
      pollMs: env.QUEUE_POLL_MS,
      reconcileIntervalMs: env.RECONCILE_INTERVAL_MS,
      stalledMs: env.QUEUE_STALLED_MS,
    },
    ai: {
      url: env.AI_URL,
      protocol: env.AI_PROTOCOL,
      model: env.AI_MODEL,
      apiKey: env.AI_API_KEY,
      timeoutMs: env.AI_TIMEOUT_MS,
      temperature: env.AI_TEMPERATURE,
      maxTokens: env.AI_MAX_TOKENS,
      promptFile: env.AI_PROMPT_FILE,
      breakerThreshold: env.AI_BREAKER_THRESHOLD,
      cooldownMs: env.AI_COOLDOWN_MS,
      rateLimit: env.AI_RATE_LIMIT,
    },
    security: {
      apiToken: env.API_TOKEN,
      credentialsToken: env.CREDENTIALS_TOKEN,
      credentialsRateLimit: env.CREDENTIALS_RATE_LIMIT,
      appKey: env.APP_KEY,
      previousAppKeys: env.APP_PREVIOUS_KEYS?.split(',').map((key) => key.trim()) ?? [],
      dataDirectory: 'data',
      rateLimit: env.RATE_LIMIT,
      rateLimitWindowMs: env.RATE_LIMIT_WINDOW_MS,
      trustProxy: parseTrustProxy(env.TRUST_PROXY) ?? false,
      corsOrigins: splitCorsOrigins(env.CORS_ORIGINS),
    },
    metrics: {
      port: env.METRICS_PORT,
      host: env.METRICS_HOST,
    },
  });
}
