import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ConfigurationError, EnvironmentVariables } from './environment';
import { corsOriginsProblem, parseTrustProxy } from './http-variables';

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
      `AI_TIMEOUT_MS: must be shorter than JOB_TIMEOUT_MS (${environment.AI_TIMEOUT_MS} >= ${environment.JOB_TIMEOUT_MS}), ` +
        'or the job times out before the AI call does',
    );
  }
  if (parseTrustProxy(environment.TRUST_PROXY) === null) {
    problems.push(
      'TRUST_PROXY: must be "false", a number of proxy hops (1 to 9), or comma-separated IP addresses or subnets ' +
        `(also loopback, linklocal, uniquelocal) (got ${JSON.stringify(environment.TRUST_PROXY)})`,
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
