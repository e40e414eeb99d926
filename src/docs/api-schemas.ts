import { SchemaObject } from '@nestjs/swagger';

/** Every error the service answers, from validation to an unreachable database (src/http/http-error.filter.ts). */
export const ERROR_BODY_SCHEMA: SchemaObject = {
  type: 'object',
  description: 'Every error is answered in this shape, whatever the status.',
  required: ['statusCode', 'error', 'message'],
  properties: {
    statusCode: { type: 'integer', description: 'The HTTP status again', example: 400 },
    error: { type: 'string', description: "The status's name", example: 'Bad Request' },
    message: {
      description: 'What is wrong: one sentence, or one per problem found in the input (validation names each field)',
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
      example: ['company_context must be 100 to 2000 characters long'],
    },
  },
  additionalProperties: false,
};

const INDICATORS: SchemaObject = {
  type: 'object',
  description: 'One entry per dependency checked (database, queue, ai), each "up" or "down" with what was found',
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  },
};

/** Terminus's answer, the contract of the /health routes. */
export const HEALTH_RESULT_SCHEMA: SchemaObject = {
  type: 'object',
  description:
    'With API_TOKEN set, GET /health answers a caller without the token `{ status }` alone (same 200 or 503); ' +
    'the dependencies (info, error, details) only with the token. /health/live and /health/ready always answer in full.',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'], description: '"ok" with 200, otherwise 503' },
    info: { ...INDICATORS, description: 'The dependencies that are up' },
    error: { ...INDICATORS, description: 'The dependencies that are down' },
    details: { ...INDICATORS, description: 'Every dependency checked (with the token when API_TOKEN is set)' },
  },
  additionalProperties: false,
  example: {
    status: 'ok',
    info: { database: { status: 'up' }, queue: { status: 'up', waiting: 0, active: 1, delayed: 0, failed: 0 } },
    error: {},
    details: { database: { status: 'up' }, queue: { status: 'up', waiting: 0, active: 1, delayed: 0, failed: 0 } },
  },
};

export const SCHEMAS = { ErrorBody: ERROR_BODY_SCHEMA, HealthCheckResult: HEALTH_RESULT_SCHEMA };

export const schemaRef = (name: keyof typeof SCHEMAS) => ({ $ref: `#/components/schemas/${name}` });
