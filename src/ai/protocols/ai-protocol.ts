export interface AiRequest {
  body: unknown;
  /** Protocol-specific headers (authentication); the client adds the content type. */
  headers: Record<string, string>;
}

/** How one kind of LLM server is asked, and where its answer keeps the text. */
export interface AiProtocol {
  readonly name: string;
  buildRequest(prompt: string): AiRequest;
  /** The answer's text as the server gave it (reasoning fields ignored); throws AiMalformedAnswerError. */
  extractText(body: unknown): string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
