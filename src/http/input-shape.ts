/**
 * Checks a parsed body or query before class-transformer and class-validator see it. Both recurse
 * without a limit (a 64 KiB body can nest 30,000 levels and overflow the stack), and validator.js's
 * isEmail throws on text that is not well-formed UTF-16; either would end as a 500.
 */
export const MAX_INPUT_DEPTH = 16;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** One message per problem, naming the field (its path) where there is one; empty when the input is fine. */
export function inputShapeProblems(input: unknown): string[] {
  const problems: string[] = [];
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: input, path: '', depth: 0 }];
  const fieldOf = (path: string) => path.split('.')[0] || 'the body';
  while (pending.length > 0) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) problems.push(`${path || 'the body'} must be well-formed Unicode text (it holds a lone surrogate)`);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_INPUT_DEPTH) {
      problems.push(`${fieldOf(path)} is nested more than ${MAX_INPUT_DEPTH} levels deep`);
      continue;
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (LONE_SURROGATE.test(key)) problems.push(`the field name ${JSON.stringify(key)} must be well-formed Unicode text`);
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  // A wide body can hold thousands of bad strings; the first few say enough.
  return problems.sort().slice(0, 20);
}
