import { Injectable } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppConfig } from '../config/app-config';
import { ConfigurationError } from '../config/environment';

export const PROMPT_PLACEHOLDER = '{{company_context}}';
export const ORIGINAL_OPEN = '<texto_original>';
export const ORIGINAL_CLOSE = '</texto_original>';
export const BUNDLED_PROMPT_FILE = join(__dirname, 'prompt', 'company-context.prompt.txt');

const PLACEHOLDER_PATTERN = /\{\{\s*company_context\s*\}\}/gi;
const FIRST_PLACEHOLDER = new RegExp(PLACEHOLDER_PATTERN.source, 'i');
const DELIMITER_PATTERN = /<(\s*\/?\s*texto_original\s*)>/gi;
const SPECIAL_TOKEN_PATTERN = /<\|([a-z_]*)\|>/gi;

/**
 * Builds the prompt for one original from the template (AI_PROMPT_FILE, else the bundled one),
 * read once at start.
 */
@Injectable()
export class PromptBuilder {
  private readonly template: string;

  constructor(config: AppConfig) {
    this.template = loadTemplate(config.ai.promptFile);
  }

  build(original: string): string {
    const block = `${ORIGINAL_OPEN}\n${neutraliseOriginal(original)}\n${ORIGINAL_CLOSE}`;
    // A function replacer, so "$&" or "$1" typed by a user stay literal.
    return this.template.replace(FIRST_PLACEHOLDER, () => block);
  }
}

/**
 * The original is data, never structure: sequences that could close its block, re-open the
 * placeholder or pass for the model's special tokens are defused, visibly but readably.
 */
export function neutraliseOriginal(original: string): string {
  return original
    .replace(DELIMITER_PATTERN, (_match, inner: string) => `‹${inner}›`)
    .replace(PLACEHOLDER_PATTERN, (match) => match.replace(/\{\{/, '{ {').replace(/\}\}/, '} }'))
    .replace(SPECIAL_TOKEN_PATTERN, (_match, token: string) => `‹${token}›`);
}

function loadTemplate(promptFile: string | undefined): string {
  const file = promptFile ? resolve(promptFile) : BUNDLED_PROMPT_FILE;
  const source = promptFile ? file : `the bundled prompt ${file}`;
  let template: string;
  try {
    template = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigurationError([`AI_PROMPT_FILE: cannot read ${source} (${code})`]);
  }
  const placeholders = template.match(PLACEHOLDER_PATTERN)?.length ?? 0;
  if (placeholders === 0) {
    throw new ConfigurationError([
      `AI_PROMPT_FILE: ${source} has no ${PROMPT_PLACEHOLDER} placeholder; put it once where the company description goes`,
    ]);
  }
  if (placeholders > 1) {
    throw new ConfigurationError([
      `AI_PROMPT_FILE: ${source} has the ${PROMPT_PLACEHOLDER} placeholder ${placeholders} times; keep exactly one`,
    ]);
  }
  return template;
}
