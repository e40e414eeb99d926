import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Response, Test } from 'supertest';
import request from 'supertest';

/**
 * Every answer the end-to-end suite receives through createTestApp's `http` is checked against the committed
 * docs/openapi.json: the route and method are documented, the status is listed for them, and the body matches
 * the declared schema. A route, a status or a field the document does not have fails the test that met it.
 */
export const OPENAPI_PATH = join(__dirname, '..', '..', 'docs', 'openapi.json');

const HOW_TO_FIX =
  'If the API changed on purpose, describe it in the controller or DTO (@ApiProperty, @Api*Response, ApiErrors) and run `npm run openapi`.';

// The operator's dashboard (its page and the JSON calls the page makes) is not part of the API's document:
// it is an interface of the page, excluded with @ApiExcludeController (src/dashboard/dashboard.controller.ts).
const OUTSIDE_THE_DOCUMENT = [/^\/dashboard(\/|$)/i];

// What any path answers before a route runs, so also a path the API does not have: Nest's 404, and the body parser's errors.
const UNROUTED_STATUSES = ['400', '404', '413', '415'];

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, ResponseObject>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, object> };
}

/** The parts of an answer the check reads (a supertest Response has them). */
export interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  text?: string;
  body?: unknown;
}

interface Route {
  template: string;
  pattern: RegExp;
  operations: Record<string, Operation>;
}

class ResponseChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: Route[];
  private readonly validators = new Map<object, ValidateFunction>();
  private readonly errorBody: object;

  constructor(private readonly document: Document) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: 'openapi.json', components: document.components ?? {} });
    // Literal paths first, so /docs/openapi.json is never taken for a template.
    this.routes = Object.entries(document.paths)
      .map(([template, operations]) => ({ template, operations, pattern: pathPattern(template) }))
      .sort((a, b) => Number(a.template.includes('{')) - Number(b.template.includes('{')));
    this.errorBody = { $ref: '#/components/schemas/ErrorBody' };
  }

  /** What is wrong with one answer, or null. */
  problem(method: string, url: string, response: Answer): string | null {
    const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0];
    if (OUTSIDE_THE_DOCUMENT.some((pattern) => pattern.test(path))) return null;
    // CORS preflights are answered by the CORS middleware before any route (README, "Browser front ends"), not by the API.
    if (method.toLowerCase() === 'options') return null;
    const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
    const route = this.routes.find((candidate) => candidate.pattern.test(path));
    const operation = route?.operations[verb];
    const status = String(response.status);
    const answered = `${method.toUpperCase()} ${path.slice(0, 120)} answered ${status}`;
    if (!route || !operation) {
      if (!UNROUTED_STATUSES.includes(status)) {
        return `${answered}, but docs/openapi.json has no ${verb.toUpperCase()} ${route?.template ?? 'route for this path'}.`;
      }
      return this.bodyProblem(answered, response, { content: { 'application/json': { schema: this.errorBody } } });
    }
    const declared = operation.responses[status] ?? operation.responses.default;
    if (!declared) {
      const listed = Object.keys(operation.responses).join(', ');
      return `${answered}, a status docs/openapi.json does not list for ${verb.toUpperCase()} ${route.template} (it lists ${listed}).`;
    }
    return this.bodyProblem(`${answered} (${verb.toUpperCase()} ${route.template})`, response, declared);
  }

  private bodyProblem(answered: string, response: Answer, declared: ResponseObject): string | null {
    const mediaTypes = Object.keys(declared.content ?? {});
    const contentType = (response.headers['content-type'] ?? '').split(';')[0].trim();
    if (mediaTypes.length === 0) {
      return response.text ? `${answered} with a body, where docs/openapi.json declares none.` : null;
    }
    if (!mediaTypes.includes(contentType)) {
      return `${answered} as "${contentType}", where docs/openapi.json declares ${mediaTypes.join(', ')}.`;
    }
    const schema = declared.content![contentType].schema;
    if (contentType !== 'application/json' || !schema) return null;
    const validate = this.validator(schema);
    if (validate(response.body)) return null;
    const errors = (validate.errors ?? [])
      .map(describeError)
      .filter((line, index, all) => all.indexOf(line) === index)
      .join('; ');
    return `${answered} with a body that does not match docs/openapi.json: ${errors}. Body: ${JSON.stringify(response.body).slice(0, 300)}`;
  }

  private validator(schema: object): ValidateFunction {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi.json#/components/')));
      this.validators.set(schema, validate);
    }
    return validate;
  }
}

/** "body.context_status must be equal to one of the allowed values", "body has context_ai_ms, which is not documented". */
function describeError(error: ErrorObject): string {
  const where = `body${error.instancePath.replace(/\//g, '.')}`;
  if (error.keyword === 'additionalProperties') return `${where} has ${error.params.additionalProperty}, a field that is not documented`;
  return `${where} ${error.message}`;
}

/** `/clients/{id}` → /clients/<one segment>; Express matches paths case-insensitively and with a trailing slash. */
function pathPattern(template: string): RegExp {
  const source = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}/?$`, 'i');
}

let checker: ResponseChecker | undefined;

function documentChecker(): ResponseChecker {
  checker ??= new ResponseChecker(JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as Document);
  return checker;
}

/** What docs/openapi.json finds wrong with one answer, or null. */
export function undocumentedAnswer(method: string, url: string, answer: Answer): string | null {
  return documentChecker().problem(method, url, answer);
}

type Assert = (resError: Error | null, res: Response | undefined, fn?: (error: Error | null, res: Response) => void) => void;

/** Runs after the test's own expectations (they say more when they fail), then checks the answer against the document. */
function checkAgainstDocument(test: Test): Test {
  const internal = test as unknown as { assert: Assert; method: string; url: string };
  const assert = internal.assert;
  internal.assert = function (this: Test, resError, res, fn) {
    assert.call(this, resError, res, (error, response) => {
      const problem = !error && response ? undocumentedAnswer(internal.method, internal.url, response) : null;
      fn?.call(this, error ?? (problem ? new Error(`${problem}\n${HOW_TO_FIX}`) : null), response);
    });
  };
  return test;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

/** supertest's agent for an HTTP server, whose every answer is checked against docs/openapi.json. */
export function documentedRequest(server: Parameters<typeof request>[0]): ReturnType<typeof request> {
  const agent = request(server);
  const checked = { ...agent } as Record<string, unknown>;
  for (const method of METHODS) {
    checked[method] = (url: string) => checkAgainstDocument(agent[method](url));
  }
  checked.del = checked.delete;
  return checked as unknown as ReturnType<typeof request>;
}

/** fetch for a service running as a process of its own; the answer is checked against docs/openapi.json like `http`'s. */
export async function documentedFetch(url: string, init: RequestInit = {}): Promise<globalThis.Response> {
  const response = await fetch(url, init);
  const text = await response.clone().text();
  const contentType = response.headers.get('content-type') ?? undefined;
  const body = contentType?.startsWith('application/json') && text ? JSON.parse(text) : undefined;
  const answer = { status: response.status, headers: { 'content-type': contentType }, text, body };
  const problem = undocumentedAnswer(init.method ?? 'GET', url, answer);
  if (problem) throw new Error(`${problem}\n${HOW_TO_FIX}`);
  return response;
}
