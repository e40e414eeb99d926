export interface AiRequest {
  body: unknown;
  /** Protocol-specific headers (authentication); the client adds the content type. */
  headers: Record<string, string>;
}

/** Where a server lists the models it serves (`GET`), and how to read that list. */
export interface ModelList {
  readonly url: string;
  /** The path alone, for messages: the URL may carry credentials. */
  readonly path: string;
  readonly headers: Record<string, string>;
  /** The names served; undefined when the body is not such a list. */
  names(body: unknown): string[] | undefined;
}

/** How one kind of LLM server is asked, and where its answer keeps the text. */
export interface AiProtocol {
  readonly name: string;
  /** The AI_MAX_TOKENS this protocol sends with each call; undefined when its contract has no field for it. */
  readonly capTokens: number | undefined;
  /** Undefined when the protocol has no way to ask which models are served. */
  readonly modelList: ModelList | undefined;
  buildRequest(prompt: string): AiRequest;
  /** The answer's text as the server gave it (reasoning fields ignored); throws AiMalformedAnswerError. */
  extractText(body: unknown): string;
  /** The server says it stopped at its token limit ("length"): the text is cut off. */
  stoppedAtLimit(body: unknown): boolean;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The address of a sibling endpoint of AI_URL: `suffix` (e.g. `/chat/completions`) at the end of its path is
 * replaced by `sibling`, keeping any prefix a proxy adds; otherwise `fallback` at the server's root.
 */
export function siblingUrl(aiUrl: string, suffix: string, sibling: string, fallback: string): URL {
  const url = new URL(aiUrl);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(suffix) ? `${path.slice(0, -suffix.length)}${sibling}` : fallback;
  url.search = '';
  url.hash = '';
  return url;
}
