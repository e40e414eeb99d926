import { inputShapeProblems, MAX_INPUT_DEPTH } from '../../src/http/input-shape';

const HIGH = '\ud83d';
const LOW = '\ude00';

/** `{ [field]: { a: { a: ... { a: leaf } } } }`, with `levels` objects in all (the outer one included). */
function nested(field: string, levels: number, leaf: unknown = 'x'): Record<string, unknown> {
  let value: unknown = leaf;
  for (let level = 1; level < levels; level += 1) value = { a: value };
  return { [field]: value };
}

describe('inputShapeProblems: what the API refuses before validation sees a body or a query', () => {
  it('finds nothing wrong with an ordinary body', () => {
    expect(
      inputShapeProblems({
        client_name: 'Muebles Ejemplo',
        company_context: 'Fábrica de muebles 🪑 en Valencia, desde 1985.',
        tags: ['a', 'b'],
        PostalCode: 46001,
        CompanyName: null,
        active: true,
      }),
    ).toEqual([]);
  });

  it.each([undefined, null, 0, '', 'text', [], {}])('finds nothing wrong with %j', (input) => {
    expect(inputShapeProblems(input)).toEqual([]);
  });

  describe('nesting', () => {
    it(`takes ${MAX_INPUT_DEPTH} levels of objects`, () => {
      expect(inputShapeProblems(nested('company_context', MAX_INPUT_DEPTH))).toEqual([]);
    });

    it(`refuses a field nested deeper than ${MAX_INPUT_DEPTH} levels, naming the top-level field`, () => {
      expect(inputShapeProblems(nested('company_context', MAX_INPUT_DEPTH + 1))).toEqual([
        `company_context is nested more than ${MAX_INPUT_DEPTH} levels deep`,
      ]);
    });

    it('counts arrays as levels too', () => {
      let value: unknown = 'x';
      for (let level = 1; level <= MAX_INPUT_DEPTH; level += 1) value = [value];
      expect(inputShapeProblems({ tags: value })).toEqual([`tags is nested more than ${MAX_INPUT_DEPTH} levels deep`]);
    });

    it('survives a body nested far beyond any stack (30,000 levels) with one problem', () => {
      expect(inputShapeProblems(nested('url', 30_000))).toEqual([`url is nested more than ${MAX_INPUT_DEPTH} levels deep`]);
    });
  });

  describe('text that is not well-formed UTF-16', () => {
    it.each([
      ['a lone high surrogate', `abc${HIGH}def`],
      ['a lone low surrogate', `abc${LOW}def`],
      ['a high surrogate at the end', `abc${HIGH}`],
      ['a pair in the wrong order', `${LOW}${HIGH}`],
    ])('refuses a value holding %s, naming its path', (_, text) => {
      expect(inputShapeProblems({ contact: { email: text } })).toEqual([
        'contact.email must be well-formed Unicode text (it holds a lone surrogate)',
      ]);
    });

    it('takes a surrogate pair (an emoji)', () => {
      expect(inputShapeProblems({ company_context: `ok ${HIGH}${LOW} ok` })).toEqual([]);
    });

    it('names the index of a bad string inside an array', () => {
      expect(inputShapeProblems({ tags: ['fine', `bad${HIGH}`] })).toEqual([
        'tags.1 must be well-formed Unicode text (it holds a lone surrogate)',
      ]);
    });

    it('refuses a bad body that is a bare string as "the body"', () => {
      expect(inputShapeProblems(`bad${LOW}`)).toEqual(['the body must be well-formed Unicode text (it holds a lone surrogate)']);
    });

    it('refuses a field name holding a lone surrogate, quoting the name', () => {
      const key = `name${HIGH}`;
      expect(inputShapeProblems({ [key]: 'fine' })).toEqual([`the field name ${JSON.stringify(key)} must be well-formed Unicode text`]);
    });

    it('reports a bad name and a bad value under it separately', () => {
      const key = `k${LOW}`;
      expect(inputShapeProblems({ [key]: `v${LOW}` })).toEqual([
        `${key} must be well-formed Unicode text (it holds a lone surrogate)`,
        `the field name ${JSON.stringify(key)} must be well-formed Unicode text`,
      ]);
    });
  });

  describe('many problems', () => {
    it('reports at most 20, the first in sorted order, whatever the order of the fields', () => {
      const fields = Array.from({ length: 50 }, (_, index) => `field${String(index).padStart(2, '0')}`);
      // 7 and 50 share no factor: every field once, in a scrambled order.
      const scrambled = fields.map((_, index) => fields[(index * 7) % fields.length]);
      const body = Object.fromEntries(scrambled.map((field) => [field, `bad${HIGH}`]));

      const problems = inputShapeProblems(body);

      expect(problems).toHaveLength(20);
      expect(problems).toEqual(fields.slice(0, 20).map((field) => `${field} must be well-formed Unicode text (it holds a lone surrogate)`));
    });

    it('mixes kinds of problem in one sorted list', () => {
      const body = { b_deep: nested('x', MAX_INPUT_DEPTH + 1).x, a_text: `bad${HIGH}`, c_fine: 'ok' };

      expect(inputShapeProblems(body)).toEqual([
        'a_text must be well-formed Unicode text (it holds a lone surrogate)',
        `b_deep is nested more than ${MAX_INPUT_DEPTH} levels deep`,
      ]);
    });
  });
});
