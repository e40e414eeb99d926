/** An HTTP answer of any status, its body read as text. */
export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpRequestOptions {
  method: 'GET' | 'HEAD' | 'POST';
  headers: Record<string, string>;
  /** Sent as it is when a string, as JSON otherwise. */
  body?: unknown;
  signal: AbortSignal;
  /** The longest body read; a longer one ends the request with HttpBodyTooLargeError. */
  maxBytes: number;
}

export class HttpBodyTooLargeError extends Error {
  override readonly name = 'HttpBodyTooLargeError';

  constructor(readonly limitBytes: number) {
    super(`answer body over ${limitBytes} bytes`);
  }
}

// undici's names for what Node's own sockets call ECONNRESET and ETIMEDOUT.
const UNDICI_CODES: Record<string, string> = {
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_HEADERS_TIMEOUT: 'ETIMEDOUT',
  UND_ERR_BODY_TIMEOUT: 'ETIMEDOUT',
};

/**
 * One request with Node's fetch (undici, which keeps connections alive): redirects are not followed (a 3xx
 * is an answer like any other), credentials in the URL are sent as Basic authentication unless the headers
 * carry an Authorization of their own, and the body is read up to `maxBytes`. Network failures reject as
 * fetch does (a TypeError whose cause carries the code: see networkErrorCode).
 */
export async function httpRequest(url: string, options: HttpRequestOptions): Promise<HttpAnswer> {
  const target = new URL(url);
  const headers = { ...options.headers };
  if ((target.username || target.password) && !Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')) {
    const user = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    headers.Authorization = `Basic ${Buffer.from(user).toString('base64')}`;
  }
  target.username = '';
  target.password = '';
  const body = options.body === undefined || typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const response = await fetch(target, { method: options.method, headers, body, signal: options.signal, redirect: 'manual' });
  return { status: response.status, body: await readText(response, options.maxBytes) };
}

async function readText(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return '';
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) {
    await response.body.cancel();
    throw new HttpBodyTooLargeError(maxBytes);
  }
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new HttpBodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The code of a network failure (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND...) as Node's sockets name
 * it; `network error` for a failure of fetch without one; undefined when the error is not a network failure.
 */
export function networkErrorCode(error: unknown): string | undefined {
  // By name: fetch's TypeError may come from another realm than this module's (Jest's sandbox).
  if (!(typeof error === 'object' && error !== null && (error as Error).name === 'TypeError')) return undefined;
  const cause = (error as Error).cause as { code?: unknown; errors?: { code?: unknown }[] } | undefined;
  // Both addresses of `localhost` refused: an AggregateError whose errors carry the codes.
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (typeof code !== 'string' || !/^[A-Z0-9_]+$/.test(code)) return 'network error';
  return UNDICI_CODES[code] ?? code;
}
