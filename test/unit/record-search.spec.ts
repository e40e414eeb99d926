import { isQueueCommand } from '../../src/commands/queue-commands.module';
import { searchWords } from '../../src/clients/record-search';

describe('the words of a dashboard search', () => {
  it.each([
    ['Panadería Sur', ['Panadería', 'Sur']],
    ['ventas_sur@pan.example', ['ventas_sur', 'pan', 'example']],
    ['100%', ['100']],
    ['de la villa', ['villa']],
    ['%_', []],
    ['%', []],
    ['<img src=x onerror=alert(1)>', ['img', 'src', 'onerror', 'alert']],
    ['+zafiro* -rubí "ópalo" OR NEAR(a b)', ['zafiro', 'rubí', 'ópalo', 'NEAR']],
  ])('%j searches for %j', (search, words) => {
    expect(searchWords(search)).toEqual(words);
  });

  it('leaves no character a FULLTEXT or FTS5 query would read as an operator', () => {
    for (const word of searchWords('a+b -c* "d" (e) ~f <g> @h: ^i \'j\' k.l, NOT m')) expect(word).toMatch(/^[\p{L}\p{N}_]+$/u);
  });
});

describe('which command lines start on the queue commands alone', () => {
  it.each([
    ['queue:monitor', true],
    ['queue:reconcile', true],
    ['queue:retry', true],
    ['queue:work', false],
    ['migration:run', false],
    ['key:rotate', false],
    ['--help', false],
    [undefined, false],
  ])('%s: %s', (command, small) => {
    expect(isQueueCommand(command)).toBe(small);
  });
});
