import { registerDecorator, ValidationOptions } from 'class-validator';
import { MAX_ID } from './parse-id.pipe';

// A cursor is opaque to clients: today the id of the last record of a page, versioned so that its shape
// can change without old cursors being misread.
const PREFIX = 'c1:';

export function encodePageCursor(lastId: number): string {
  return Buffer.from(`${PREFIX}${lastId}`).toString('base64url');
}

/** The id a cursor points after, or null when the text is not a cursor this API gave out. */
export function decodePageCursor(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^c1:([1-9][0-9]{0,9})$/.exec(text);
  const id = match ? Number(match[1]) : NaN;
  // Only the canonical spelling is accepted, so each position has exactly one cursor.
  return id <= MAX_ID && encodePageCursor(id) === cursor ? id : null;
}

export function IsPageCursor(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPageCursor',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: 'cursor must be a meta.next_cursor value given out by GET /clients', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && decodePageCursor(value) !== null },
    });
}

/** A cursor already says where its page starts: a page number beside it is a contradiction, not a choice. */
export function NotWithPage(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'notWithPage',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: 'cursor cannot be combined with page: use one or the other' },
      validator: { validate: (_value: unknown, args) => (args?.object as { page?: unknown }).page === undefined },
    });
}
