/** What a redacted value is written as. */
const REDACTED = '[redacted]';

const SECRET_KEYS = ['authorization', 'cookie', 'x-api-key', 'password', 'password_app', 'apiKey', 'AI_API_KEY', 'APP_KEY'];
const MORE_SECRET_KEYS = ['APP_PREVIOUS_KEYS', 'API_TOKEN', 'CREDENTIALS_TOKEN', 'DATABASE_URL', 'REDIS_URL'];
// The company text and the AI's answer are the client's content: kept out of logs, whatever logs them.
const CONTENT_KEYS = ['company_context', 'company_context_original', 'original'];

/**
 * The fields no log line may show. Messages never carry them either: they are written without the values
 * (the tests grep every line of a run for them).
 */
const REDACTED_KEYS: ReadonlySet<string> = new Set([...SECRET_KEYS, ...MORE_SECRET_KEYS, ...CONTENT_KEYS]);

/** How deep a redacted key is looked for: in the logged object itself and three levels down (an HTTP error's `err.config.headers`). */
const LEVELS = 4;

/**
 * `value` with every field named in REDACTED_KEYS, in it and up to three levels down, written as
 * "[redacted]". Objects on the way to such a field are copied (the caller's object is never changed);
 * anything else is returned as it is, without a copy, so a line with nothing to hide costs a walk of its
 * keys and nothing more.
 *
 * Ours, not pino's `redact` option: pino 10 runs every field of every line and of every child logger's
 * bindings, strings included, through a redactor that parses each of its paths again on each call (61 µs
 * for a request's child logger and line, against 2 µs with this; bench/RESULTS.md, "Garbage per request").
 */
export function redactSecrets<T>(value: T): T {
  return redact(value, LEVELS) as T;
}

function redact(value: unknown, levels: number): unknown {
  if (levels === 0 || value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    const items = value as unknown[];
    let copy: unknown[] | undefined;
    for (let index = 0; index < items.length; index += 1) {
      const redacted = redact(items[index], levels - 1);
      if (redacted !== items[index]) {
        copy ??= [...items];
        copy[index] = redacted;
      }
    }
    return copy ?? value;
  }
  const object = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const field = object[key];
    const redacted = REDACTED_KEYS.has(key) ? REDACTED : redact(field, levels - 1);
    if (redacted !== field) {
      copy ??= shallowCopy(object);
      Object.defineProperty(copy, key, { value: redacted, enumerable: true, writable: true, configurable: true });
    }
  }
  return copy ?? value;
}

/**
 * A copy with the same prototype and every own property, the hidden ones too: an Error keeps its class,
 * message and stack for the log's error serializer.
 */
function shallowCopy(object: Record<string, unknown>): Record<string, unknown> {
  const descriptors = Object.getOwnPropertyDescriptors(object);
  for (const key of Reflect.ownKeys(descriptors)) descriptors[key as string].configurable = true;
  return Object.create(Object.getPrototypeOf(object) as object | null, descriptors) as Record<string, unknown>;
}
