import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Checks that keep the layout honest: file sizes, where a queue driver is chosen, README's Layout, the test folders. */

const root = join(__dirname, '..', '..');
const src = join(root, 'src');
const MAX_LINES = 300;

function walk(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? [path, ...walk(path)] : [path];
  });
}

const paths = walk(src).map((path) => relative(root, path));
const directories = paths.filter((path) => statSync(join(root, path)).isDirectory());
const files = paths.filter((path) => !directories.includes(path));
const lineCount = (file: string) => readFileSync(join(root, file), 'utf8').split('\n').length - 1;

/** README's Layout block, one line per entry. */
function layoutLines(): string[] {
  const section = readFileSync(join(root, 'README.md'), 'utf8')
    .split(/^## /m)
    .find((part) => part.startsWith('Layout'));
  const block = section?.match(/```\n([\s\S]*?)```/);
  if (!block) throw new Error('README.md has no "## Layout" section with a ``` block');
  return block[1].split('\n');
}

describe('Structure', () => {
  it(`no file under src/ is over ${MAX_LINES} lines`, () => {
    const over = files.filter((file) => lineCount(file) > MAX_LINES);
    expect(over.map((file) => `${file}: ${lineCount(file)} lines`)).toEqual([]);
  });

  it('a queue driver is chosen in queue-connection.module.ts only: no file compares QUEUE_CONNECTION, one loads the drivers', () => {
    const comparing = files.filter((file) => /connection\s*[!=]==/.test(readFileSync(join(root, file), 'utf8')));
    expect(comparing).toEqual([]);
    const loading = files.filter((file) =>
      /(from |import\()'\.{1,2}\/(company-context\/)?drivers\//.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(loading).toEqual(['src/company-context/queue-connection.module.ts']);
  });

  it('a queue driver calls back through JobHandler and never imports the processor or the state machine', () => {
    const drivers = files.filter((file) => file.startsWith('src/company-context/drivers/'));
    expect(drivers.length).toBeGreaterThan(2);
    const importing = drivers.filter((file) =>
      /from '\.\.\/company-context\.(processor|state)'/.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(importing).toEqual([]);
  });

  describe("README's Layout", () => {
    const lines = layoutLines();
    const lineOf = (directory: string) => lines.find((line) => line.includes(`${directory}/`));

    it('names every directory under src/, a nested one on its parent line', () => {
      const missing = directories.filter((directory) => {
        const [, top, ...rest] = directory.split('/');
        if (rest.length === 0) return lineOf(`src/${top}`) === undefined;
        const parentLine = lineOf(directory.slice(0, directory.lastIndexOf('/')));
        return !parentLine?.match(new RegExp(`(^|[\\s(])${rest[rest.length - 1]}/`));
      });
      expect(missing).toEqual([]);
    });

    it('names nothing under src/ that does not exist', () => {
      const named = lines.flatMap((line) => {
        const top = line.match(/^src\/([\w-]+)\//)?.[1];
        const paths = [...line.matchAll(/\bsrc\/[\w./-]*[\w/]/g)].map((match) => match[0].replace(/\/$/, ''));
        // Entries of the line's own directory: "drivers/", "public/:" beside src/company-context/, src/dashboard/.
        const nested = top
          ? [...line.slice(top.length + 5).matchAll(/(?:^|[\s(])([a-z][\w-]*)\/(?!\w)/g)].map((m) => `src/${top}/${m[1]}`)
          : [];
        return [...paths, ...nested];
      });
      expect(named.filter((path) => !paths.includes(path))).toEqual([]);
    });
  });

  it('every test/e2e-* folder runs on at least one stack (test/jest.config.js)', () => {
    const previous = process.env.TEST_STACKS;
    delete process.env.TEST_STACKS;
    let patterns: string[];
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const config = require('../jest.config.js') as { projects: { testMatch: string[] }[] };
        patterns = config.projects.flatMap((project) => project.testMatch);
      });
    } finally {
      if (previous !== undefined) process.env.TEST_STACKS = previous;
    }
    const folders = readdirSync(join(root, 'test')).filter((name) => name.startsWith('e2e-'));
    const idle = folders.filter((folder) => !patterns.some((pattern) => pattern.startsWith(`<rootDir>/test/${folder}/`)));
    expect(folders.length).toBeGreaterThan(0);
    expect(idle).toEqual([]);
  });
});
