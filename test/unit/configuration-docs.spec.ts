import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentVariables } from '../../src/config/environment';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** Every variable the service reads: the properties of the one validated schema. */
const schemaVariables = Object.keys(new EnvironmentVariables()).sort();

/** The first column of README's Configuration table. */
function readmeVariables(): string[] {
  const section = read('README.md')
    .split(/^## /m)
    .find((part) => part.startsWith('Configuration'));
  if (!section) throw new Error('README.md has no "## Configuration" section');
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]).sort();
}

/** Variables .env.example sets or shows commented out with their default (`KEY=` or `# KEY=`). */
function envExampleVariables(): string[] {
  return [...read('.env.example').matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
}

describe('Configuration documentation', () => {
  it("README's Configuration table lists exactly the variables the service reads", () => {
    expect(readmeVariables()).toEqual(schemaVariables);
  });

  it('.env.example shows every variable the service reads', () => {
    const shown = new Set(envExampleVariables());
    expect(schemaVariables.filter((name) => !shown.has(name))).toEqual([]);
  });
});
