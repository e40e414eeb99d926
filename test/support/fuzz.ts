import { clientBody } from './clients';

/** mulberry32: a small seeded generator, so a failing run can be repeated with its seed. */
export class Random {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight: `[[3, a], [1, b]]` gives a three times as often as b. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    let roll = this.next() * choices.reduce((sum, [weight]) => sum + weight, 0);
    for (const [weight, value] of choices) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return choices[choices.length - 1][1];
  }
}

export interface FuzzRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT' | 'OPTIONS';
  path: string;
  /** A raw body, sent byte for byte with `contentType`. */
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** What the generator meant to send, for the failure report. */
  kind: string;
  /** The existing record a PATCH or DELETE targets, if any. */
  targetId?: number;
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'abc\u0000def',
  'null',
  'undefined',
  'NaN',
  'true',
  '-1',
  '1e309',
  "' OR '1'='1",
  '1; DROP TABLE autoseo; --',
  "x'); DELETE FROM autoseo; --",
  '" OR ""="',
  "admin'--",
  '\\',
  '\\x00\\x1a',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '${7*7}',
  '{{7*7}}',
  '%s%s%s%n',
  '../../../../etc/passwd',
  'ñandú ÁÉÍÓÚ ü ç',
  '日本語のテキスト',
  'مرحبا بالعالم',
  '🔑🚀👩‍👩‍👧‍👦',
  'e\u0301\u0301\u0301\u0301',
  '\u202Eevil\u202C',
  '\uFEFFbom',
  '\u200B\u200C\u200D',
  '\ud800',
  '\udfff\ud800',
  '\r\n\r\nHTTP/1.1 200 OK',
  'https://example.com',
  'ftp://example.com',
  'a@b.c',
  'ES',
  'pending',
];

const FIELDS = [
  'client_name',
  'client_email',
  'url',
  'username',
  'password',
  'user_app',
  'password_app',
  'CompanyName',
  'AddressLine1',
  'Locality',
  'AdminDistrict',
  'PostalCode',
  'CountryRegion',
  'company_context',
];

const FOREIGN_FIELDS = [
  'id',
  'pin',
  'context_status',
  'context_version',
  'company_context_original',
  'created_at',
  'constructor',
  'isAdmin',
  'password[]',
  '',
];

/** Code points from every plane, control characters and lone surrogates included. */
function randomUnicode(r: Random, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) {
    const range = r.pick([
      [0x00, 0x1f],
      [0x20, 0x7e],
      [0x80, 0x7ff],
      [0x800, 0xffff],
      [0x10000, 0x10ffff],
    ] as const);
    text += String.fromCodePoint(r.int(range[0], range[1]));
  }
  return text;
}

export function randomString(r: Random): string {
  return r.weighted<() => string>([
    [5, () => r.pick(NASTY_STRINGS)],
    [2, () => r.pick(['x', 'ñ', '🔑', "'", '<']).repeat(r.pick([99, 100, 255, 256, 2000, 2001, 5000, 20_000]))],
    [3, () => randomUnicode(r, r.int(1, 300))],
    [2, () => r.pick(NASTY_STRINGS) + r.pick(NASTY_STRINGS).repeat(r.int(1, 60))],
  ])();
}

export function randomValue(r: Random, depth = 0): unknown {
  return r.weighted<() => unknown>([
    [6, () => randomString(r)],
    [2, () => r.pick([0, -1, 1, 0.5, 2 ** 31, 2 ** 53 + 1, -1e308, 1e308, 123456])],
    [1, () => r.chance(0.5)],
    [2, () => null],
    [depth < 3 ? 1 : 0, () => Array.from({ length: r.int(0, 4) }, () => randomValue(r, depth + 1))],
    [
      depth < 3 ? 1 : 0,
      () => Object.fromEntries(Array.from({ length: r.int(0, 3) }, () => [randomString(r).slice(0, 20), randomValue(r, depth + 1)])),
    ],
  ])();
}

/** A create body with some fields given random values, left out, or added. */
function mutatedBody(r: Random): Record<string, unknown> {
  const body = clientBody();
  for (let i = r.int(1, 3); i > 0; i--) {
    const field = r.chance(0.85) ? r.pick(FIELDS) : r.pick(FOREIGN_FIELDS);
    if (r.chance(0.15)) delete body[field];
    else body[field] = r.chance(0.5) ? randomString(r) : randomValue(r);
  }
  return body;
}

/** A PATCH body: a few fields, with random values. */
function patchBody(r: Random): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (let i = r.int(0, 3); i > 0; i--) {
    const field = r.chance(0.85) ? r.pick(FIELDS) : r.pick(FOREIGN_FIELDS);
    body[field] = r.chance(0.5) ? randomString(r) : randomValue(r);
  }
  return body;
}

interface RawBody {
  kind: string;
  body: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

const json = (kind: string, value: unknown): RawBody => ({ kind, body: JSON.stringify(value), contentType: 'application/json' });

/** Everything a body can be: good JSON of the wrong shape, broken JSON, other formats, too much of it. */
function rawBody(r: Random, object: () => Record<string, unknown>): RawBody {
  return r.weighted<() => RawBody>([
    [12, () => json('fields with random values', object())],
    [1, () => json('not an object', r.pick<unknown>([[], [object()], 'text', 42, null, true, [[[]]]]))],
    [1, () => deepJson(r)],
    [1, () => ({ kind: 'truncated JSON', body: truncated(r, JSON.stringify(object())), contentType: 'application/json' })],
    [1, () => ({ kind: 'JSON with prototype keys', body: protoJson(r, object()), contentType: 'application/json' })],
    [
      1,
      () => ({
        kind: 'garbage bytes',
        body: Buffer.from(Array.from({ length: r.int(1, 500) }, () => r.int(0, 255))),
        contentType: 'application/json',
      }),
    ],
    [
      1,
      () => ({
        kind: 'JSON literals JSON.parse accepts but the API should not',
        body: r.pick(['{"client_name": 1e999}', '{"page": -0}', '{"company_context": "\\u0000"}', '{"a":1,"a":{"b":2}}', '{}', '{"":""}']),
        contentType: 'application/json',
      }),
    ],
    [2, () => ({ kind: 'another content type', body: JSON.stringify(object()), contentType: r.pick(CONTENT_TYPES) })],
    [
      1,
      () => ({
        kind: 'a form body',
        body: new URLSearchParams(clientBody() as Record<string, string>).toString(),
        contentType: 'application/x-www-form-urlencoded',
      }),
    ],
    [
      1,
      () => ({
        kind: 'a content encoding',
        body: JSON.stringify(object()),
        contentType: 'application/json',
        headers: { 'Content-Encoding': r.pick(['gzip', 'deflate', 'br', 'compress', 'identity', 'x-unknown']) },
      }),
    ],
    [
      1,
      () => ({
        kind: 'over 64 KiB',
        body: JSON.stringify({ ...object(), company_context: 'x'.repeat(r.int(65 * 1024, 90 * 1024)) }),
        contentType: 'application/json',
      }),
    ],
    [1, () => ({ kind: 'an empty JSON body', body: '', contentType: 'application/json' })],
  ])();
}

const CONTENT_TYPES = [
  'text/plain',
  'text/html',
  'application/xml',
  'multipart/form-data; boundary=xyz',
  'application/octet-stream',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'application/json; charset=utf-8',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'application/JSON',
  'application/json; boundary=x; charset=nope',
  '*/*',
  'application',
];

function deepJson(r: Random): RawBody {
  const depth = r.pick([100, 1_000, 10_000, 25_000]);
  const body = r.pick([
    () => `${'['.repeat(depth)}${']'.repeat(depth)}`,
    () => `{"client_name":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
    () => `{"company_context":${'['.repeat(depth)}"x"${']'.repeat(depth)}}`,
    () => JSON.stringify({ ...clientBody(), CompanyName: nested(depth / 100) }),
  ])();
  return { kind: `JSON nested ${depth} deep`, body, contentType: 'application/json' };
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

function truncated(r: Random, text: string): string {
  return text.slice(0, r.int(0, text.length - 1));
}

function protoJson(r: Random, object: Record<string, unknown>): string {
  const key = r.pick(['__proto__', 'constructor', 'prototype']);
  const value = r.pick(['{"polluted":"yes"}', '{"prototype":{"polluted":"yes"}}', '"x"', '[]']);
  return `{"${key}":${value},${JSON.stringify(object).slice(1)}`;
}

const BAD_IDS = [
  '-1',
  '0',
  '1e3',
  'abc',
  '99999999999999999999',
  '1;DROP',
  '1%3B%20DROP%20TABLE%20autoseo',
  '%00',
  '1%00',
  '%',
  '%E0%A4%A',
  '%zz',
  '1.5',
  '0x1A',
  '%EF%BC%91',
  '2147483648',
  '%201',
  '1%20',
  'null',
  '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
  '..%2F..%2Fhealth',
  '01',
  '+1',
  '1,2',
  "1'%20OR%20'1'%3D'1",
  'x'.repeat(2000),
];

export interface FuzzTargets {
  /** Ids of records that exist now. */
  existingIds: number[];
}

function idSegment(r: Random, targets: FuzzTargets): { segment: string; targetId?: number } {
  if (targets.existingIds.length > 0 && r.chance(0.5)) {
    const targetId = r.pick(targets.existingIds);
    return { segment: String(targetId), targetId };
  }
  if (r.chance(0.2)) return { segment: r.pick(['999999', '2147483647']) };
  return { segment: r.pick(BAD_IDS) };
}

// A URL can only carry well-formed UTF-8: lone surrogates become U+FFFD, as a browser would send them.
const encode = (value: string) => encodeURIComponent(Buffer.from(value, 'utf8').toString('utf8'));

function queryString(r: Random): string {
  if (r.chance(0.1))
    return r.pick([
      '?',
      '?&&&',
      '?=',
      '?page',
      '?page=%',
      '?limit=%zz',
      '?%00=1',
      '?page=1&page=2',
      '?page[]=1',
      '?page[$gt]=0',
      '?__proto__[polluted]=yes',
      '?constructor[prototype][polluted]=yes',
    ]);
  const parameters: string[] = [];
  for (let i = r.int(1, 4); i > 0; i--) {
    const key = r.pick(['page', 'limit', 'context_status', 'page', 'limit', 'sort', 'q', 'id', 'page[]', 'limit[x]']);
    const value = r.weighted<() => string>([
      [3, () => String(r.pick([1, 2, 20, 100, 101, 0, -1, 1_000_000, 1_000_001, 2 ** 53, 1.5]))],
      [2, () => r.pick(['pending', 'processing', 'processed', 'failed', 'PENDING', 'done'])],
      [1, () => r.pick(['', ' 5', '5 ', '1e2', '0x10', 'Infinity', 'NaN', '-0', '00001', '1,2', 'true'])],
      [3, () => encode(randomString(r).slice(0, 500))],
    ])();
    parameters.push(`${encode(key)}=${value}`);
  }
  return `?${parameters.join('&')}`;
}

/** One request to one of the routes, built from the seed and the records that exist now. */
export function fuzzRequest(r: Random, targets: FuzzTargets): FuzzRequest {
  return r.weighted<() => FuzzRequest>([
    [30, () => ({ method: 'POST', path: '/clients', ...rawBody(r, () => mutatedBody(r)) })],
    [
      20,
      () => {
        const { segment, targetId } = idSegment(r, targets);
        return { method: 'PATCH', path: `/clients/${segment}`, targetId, ...rawBody(r, () => patchBody(r)) };
      },
    ],
    [14, () => ({ method: 'GET', path: `/clients${queryString(r)}`, kind: 'list with a query string' })],
    [
      8,
      () => ({
        method: 'GET',
        path: `/clients/${idSegment(r, targets).segment}${r.chance(0.2) ? queryString(r) : ''}`,
        kind: 'one record',
      }),
    ],
    [
      4,
      () => {
        const { segment, targetId } = idSegment(r, targets);
        return { method: 'DELETE', path: `/clients/${segment}`, targetId, kind: 'delete' };
      },
    ],
    [
      8,
      () => {
        const { segment } = idSegment(r, targets);
        const withBody = r.chance(0.4);
        return {
          method: 'POST',
          path: `/clients/${segment}/context/reprocess`,
          ...(withBody ? rawBody(r, () => patchBody(r)) : { kind: 'reprocess' }),
        };
      },
    ],
    [
      5,
      () => ({
        method: 'GET',
        path: `${r.pick(['/health', '/health/live', '/health/ready'])}${r.chance(0.5) ? queryString(r) : ''}`,
        kind: 'health',
      }),
    ],
    [
      11,
      () => ({
        method: r.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const),
        path: r.pick([
          '/clients',
          '/clients/1',
          '/clients/1/context',
          '/clients/1/context/reprocess/extra',
          '/clients//1',
          '/CLIENTS',
          '/clients/%2e%2e/health',
          '/health/live/x',
          '/health',
          '/%',
          '/clients/1%2F2',
          `/${encode(randomString(r).slice(0, 200))}`,
        ]),
        kind: 'any method on any path',
        ...(r.chance(0.5) ? rawBody(r, () => mutatedBody(r)) : {}),
      }),
    ],
  ])();
}

export function describeRequest(request: FuzzRequest): string {
  const body =
    request.body === undefined
      ? ''
      : ` body(${request.contentType ?? 'no type'}, ${request.body.length} bytes)=${String(request.body).slice(0, 200)}`;
  return `${request.method} ${request.path.slice(0, 200)} [${request.kind}]${request.headers ? ` ${JSON.stringify(request.headers)}` : ''}${body}`;
}
