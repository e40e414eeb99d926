export type AiFailureCause = 'timeout' | 'unreachable' | 'http_status' | 'malformed' | 'empty' | 'oversize' | 'truncated' | 'aborted';

/**
 * Why one AI call failed. Messages are short, name what to check, and never carry the URL, the key
 * or the text itself, so they can go to logs and to `context_error` as they are.
 */
export abstract class AiError extends Error {
  abstract override readonly cause: AiFailureCause;
  /**
   * False only when the failure proves the server could not be reached (nothing answered the
   * connection), which is what a circuit breaker should count as "the AI is down".
   */
  abstract readonly reachedServer: boolean;
}

export class AiTimeoutError extends AiError {
  override readonly name = 'AiTimeoutError';
  override readonly cause = 'timeout';
  readonly reachedServer = true;

  constructor(readonly timeoutMs: number) {
    super(`AI call timed out after ${timeoutMs} ms`);
  }
}

export class AiUnreachableError extends AiError {
  override readonly name = 'AiUnreachableError';
  override readonly cause = 'unreachable';
  readonly reachedServer = false;

  constructor(readonly code: string) {
    super(`AI endpoint unreachable (${code})`);
  }
}

export class AiHttpStatusError extends AiError {
  override readonly name = 'AiHttpStatusError';
  override readonly cause = 'http_status';
  readonly reachedServer = true;

  /** `modelMissing`: the server said it does not have AI_MODEL (Ollama's and the OpenAI API's 404). */
  constructor(
    readonly status: number,
    readonly modelMissing?: string,
  ) {
    super(
      modelMissing === undefined
        ? `AI answered HTTP ${status}`
        : `AI answered HTTP ${status}: model ${modelMissing} is not served (check AI_MODEL)`,
    );
  }
}

export class AiMalformedAnswerError extends AiError {
  override readonly name = 'AiMalformedAnswerError';
  override readonly cause = 'malformed';
  readonly reachedServer = true;

  private constructor(message: string) {
    super(message);
  }

  static notJson(): AiMalformedAnswerError {
    return new AiMalformedAnswerError('AI answer is not valid JSON');
  }

  static noText(fields: string): AiMalformedAnswerError {
    return new AiMalformedAnswerError(`AI answer has no text in ${fields}`);
  }
}

export class AiEmptyAnswerError extends AiError {
  override readonly name = 'AiEmptyAnswerError';
  override readonly cause = 'empty';
  readonly reachedServer = true;

  constructor() {
    super('AI answer is empty after removing reasoning and preambles');
  }
}

export class AiOversizeAnswerError extends AiError {
  override readonly name = 'AiOversizeAnswerError';
  override readonly cause = 'oversize';
  readonly reachedServer = true;

  private constructor(message: string) {
    super(message);
  }

  static ofText(length: number, limit: number): AiOversizeAnswerError {
    return new AiOversizeAnswerError(`AI answer is ${length} characters, over the ${limit} limit`);
  }

  static bodyOver(limitBytes: number): AiOversizeAnswerError {
    return new AiOversizeAnswerError(`AI answer body is over the ${limitBytes} byte limit`);
  }
}

/**
 * The server stopped generating at its token limit (`finish_reason` / `done_reason` "length"): whatever text
 * it gave is cut off mid-way, and storing it would replace the original with half a description.
 */
export class AiTruncatedAnswerError extends AiError {
  override readonly name = 'AiTruncatedAnswerError';
  override readonly cause = 'truncated';
  readonly reachedServer = true;

  /** `capTokens`: the AI_MAX_TOKENS sent with the call; undefined when the server applied a limit of its own. */
  constructor(readonly capTokens?: number) {
    super(
      capTokens === undefined
        ? 'AI answer was cut off at the server\'s own token limit (finish reason "length")'
        : `AI answer was cut off at the token limit (finish reason "length"; AI_MAX_TOKENS is ${capTokens}, reasoning included)`,
    );
  }
}

// Reaching the server or not is unknown here; an abort says nothing about the server's health.
export class AiAbortedError extends AiError {
  override readonly name = 'AiAbortedError';
  override readonly cause = 'aborted';
  readonly reachedServer = true;

  constructor() {
    super('AI call aborted by the caller');
  }
}
