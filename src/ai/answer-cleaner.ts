/**
 * Keeps only the final text of an LLM answer: gpt-oss may wrap it in reasoning (harmony channels,
 * <think> blocks), lead with a preamble, fence or quote it, or end with notes. Each step only trims
 * from the edges of the text, so a colon or a quote in the middle of a sentence is left alone.
 */
export function cleanAnswer(raw: string): string {
  let text = removeReasoningBlocks(keepFinalChannel(raw.replace(/\r\n?/g, '\n')));
  // Wrappers nest in any order ("Aquí tienes:" then a fence then quotes), so peel until stable.
  for (let pass = 0; pass < 6; pass++) {
    const before = text;
    text = unwrapQuotes(unwrapFence(removeTrailingNotes(removePreamble(text.trim()))));
    if (text === before) break;
  }
  return normaliseWhitespace(unbold(text));
}

/** `(?:a|b|c)`: one of the alternatives, each a regular-expression fragment (itself maybe `x|y`). */
function oneOf(...alternatives: string[]): string {
  return `(?:${alternatives.join('|')})`;
}

// --- Reasoning -------------------------------------------------------------------------------

const SPECIAL_TOKEN = /<\|[a-z_]+\|>/gi;
// A message: its header (channel, maybe a constraint), then its content up to the next special token.
const HARMONY_HEADER = String.raw`(?:<\|channel\|>|^)\s*(analysis|commentary|final)\b[^<]*(?:<\|constrain\|>[^<]*)?<\|message\|>`;
const HARMONY_END = String.raw`(?=<\|(?:end|return|call|start|channel)\|>|$)`;
const HARMONY_MESSAGE = new RegExp(String.raw`${HARMONY_HEADER}([\s\S]*?)${HARMONY_END}`, 'gi');

/** Harmony format: only the `final` channel reaches users; analysis without a final is nothing. */
function keepFinalChannel(text: string): string {
  const messages = [...text.matchAll(HARMONY_MESSAGE)].map((match) => ({ channel: match[1].toLowerCase(), content: match[2] }));
  if (messages.length > 0) {
    const finals = messages.filter((message) => message.channel === 'final');
    return finals.length > 0 ? finals[finals.length - 1].content.replace(SPECIAL_TOKEN, '') : '';
  }
  // A server that drops special tokens while decoding flattens harmony to "analysis…assistantfinal…".
  const flattened = /^\s*analysis[\s\S]*assistantfinal/i.exec(text);
  if (flattened) return text.slice(flattened[0].length);
  return text.replace(SPECIAL_TOKEN, '');
}

const REASONING_TAG = '(?:think|thinking|reasoning)';
const CLOSED_BLOCK = new RegExp(`<(${REASONING_TAG})\\b[^>]*>[\\s\\S]*?<\\/\\1\\s*>`, 'gi');
const UNCLOSED_OPENING = new RegExp(`<${REASONING_TAG}\\b[^>]*>[\\s\\S]*$`, 'i');
const ORPHAN_CLOSING = new RegExp(`^[\\s\\S]*<\\/${REASONING_TAG}\\s*>`, 'i');

function removeReasoningBlocks(text: string): string {
  return (
    text
      .replace(CLOSED_BLOCK, '')
      // The chat template may open <think> in the prompt, so the answer holds only its closing tag.
      .replace(ORPHAN_CLOSING, '')
      // An opening tag never closed: the model ran out of tokens while still reasoning.
      .replace(UNCLOSED_OPENING, '')
  );
}

// --- Preambles -------------------------------------------------------------------------------

// JavaScript's \b is ASCII-only ("aquí\b" never matches), so words end at an explicit boundary.
const END = '(?=[\\s,.;:!?¡¿)]|$)';
const INTERJECTION =
  oneOf(
    'claro|por supuesto|desde luego|perfecto|entendido|de acuerdo|vale|listo|muy bien',
    'sure|certainly|of course|okay|ok|absolutely|alright|great|done',
  ) + END;
const PRESENTER =
  oneOf(
    'aquí|aqui|a continuación|a continuacion|he aquí|te dejo|le dejo|os dejo|les dejo',
    'te presento|le presento|presento|este es|esta es|ésta es|éste es',
    "here is|here's|here’s|here are|below is|this is|the following",
  ) + END;
const ANSWER_WORDS = oneOf(
  'texto|descripci[oó]n|versi[oó]n|propuesta|reescritura|redacci[oó]n|resultado|respuesta',
  'text|description|version|rewrite|result|answer',
);
const ANSWER_NOUN = new RegExp(String.raw`(?<!\p{L})${ANSWER_WORDS}(?!\p{L})`, 'iu');
// A label is a noun and a few words, no figures ("Versión 2.0 del programa:" is text), maybe a "(~1.000 caracteres)".
const LABEL = new RegExp(
  `^(?:(?:texto|descripci[oó]n|versi[oó]n|resultado|respuesta|reescritura|propuesta|contexto|redacci[oó]n)${END}(?:\\s+[\\p{L}]+){0,4}` +
    `|(?:[\\p{L}']+\\s+){0,3}(?:text|description|version|result|answer|output|rewrite))(?:\\s*\\([^()]*\\))?$`,
  'iu',
);
const OPENER = new RegExp(`^[¡!]?\\s*(?:${INTERJECTION}|${PRESENTER})`, 'i');
const ONLY_INTERJECTION = new RegExp(`^[¡!]?\\s*${INTERJECTION}[\\s!.,]*$`, 'i');
const LEADING_INTERJECTION = new RegExp(`^[¡!]?\\s*${INTERJECTION}\\s*[!.,]+\\s+`, 'i');
const TITLE_LINE = /^\s*(?:#{1,6}\s+\S.*|(\*\*|__)[^*_\n]+\1\s*:?)\s*$/;
const RULE_LINE = /^\s*(?:-{3,}|\*{3,}|_{3,}|={3,})\s*$/;
const COLON_PREFIX = /^([^\n:]{1,120}):[ \t]*(?:\*\*|__)?[ \t]*(?=\S)/;

function withoutMarkdown(line: string): string {
  return line
    .replace(/^\s*#{1,6}\s+/, '')
    .replace(/\*\*|__/g, '')
    .trim();
}

/** "Aquí tienes la descripción reescrita", "Texto optimizado", "Sure! Here's the rewrite". */
function isPreambleLabel(candidate: string): boolean {
  const words = withoutMarkdown(candidate).replace(/[:\s]+$/, '');
  if (LABEL.test(words)) return true;
  return OPENER.test(words) && (ANSWER_NOUN.test(words) || ONLY_INTERJECTION.test(words) || /,\s*(?:aquí|aqui|here)/i.test(words));
}

/** A whole first line that introduces the answer instead of being part of it. */
function isPreambleLine(line: string): boolean {
  if (TITLE_LINE.test(line) || RULE_LINE.test(line)) return true;
  const words = withoutMarkdown(line);
  if (words.endsWith(':')) return isPreambleLabel(words);
  if (ONLY_INTERJECTION.test(words)) return true;
  return words.length <= 200 && OPENER.test(words) && ANSWER_NOUN.test(words);
}

function removePreamble(text: string): string {
  const newline = text.indexOf('\n');
  if (newline > 0) {
    const rest = text.slice(newline + 1);
    if (rest.trim() !== '' && isPreambleLine(text.slice(0, newline))) return rest.trim();
  }
  // Nothing but "Aquí tienes la descripción:": the model never got to the text.
  if (newline === -1 && /:\s*$/.test(text) && isPreambleLine(text)) return '';
  const prefix = COLON_PREFIX.exec(text);
  if (prefix && isPreambleLabel(prefix[1])) return text.slice(prefix[0].length);
  return text.replace(LEADING_INTERJECTION, '');
}

// --- Trailing notes --------------------------------------------------------------------------

// "Nota:", "N.B. sobre el tono:", "Character count:" (a word, a few more, a colon).
const NOTE_WORDS = oneOf(
  String.raw`nota|notas|note|notes|n\.\s?b\.|observaci[oó]n|observaciones|aclaraci[oó]n|disclaimer`,
  'comentario|comentarios|recuento de caracteres|character count|word count',
);
const NOTE_LINE = new RegExp(String.raw`^[\s>*_([-]*${NOTE_WORDS}(?=[\s*_:.)\]])[^\n:]{0,40}:`, 'i');
// "(Recuento: ~1.000 caracteres)", "Length: about 980 characters".
const COUNTED = oneOf('total|recuento|longitud|extensi[oó]n|length|count|character count|word count|caracteres|characters');
const ABOUT = oneOf(String.raw`~|≈|aprox\.?|approx\.?|aproximadamente|approximately|unos|about|around`);
const UNITS = oneOf('caracteres|characters|chars|palabras|words');
const COUNT_LINE = new RegExp(String.raw`^[\s(*_[]*(?:${COUNTED}[^\n\d]{0,30})?${ABOUT}?\s*\d[\d.,]*\s*${UNITS}[^\n]{0,30}$`, 'i');
// "¿Quieres que lo acorte?", "Espero que te sirva", "Let me know if…".
const OFFER_QUESTIONS = oneOf(
  'quieres que|quiere que|te gustar[ií]a que|le gustar[ií]a que|deseas que|desea que|necesitas que|prefieres que|hay algo m[aá]s',
);
const OFFERS = oneOf(
  'espero que|si necesitas|si quieres|si lo deseas|si desea|no dudes|avísame|avisame|puedo ajustar',
  "let me know|i hope|hope this|feel free|if you(?:'d|’d| would)? like|would you like|do you want|i can also",
);
const CLOSING_LINE = new RegExp(String.raw`^[\s*_]*(?:¿\s*${OFFER_QUESTIONS}|${OFFERS})`, 'i');
const INLINE_NOTE = /\s*[([]\s*(?:nota|note|n\.\s?b\.)[\s:][^()[\]]*[)\]]\s*$/i;
const INLINE_COUNT = /\s*\(\s*(?:~|≈|aprox\.?\s*|approx\.?\s*)?\d[\d.,]*\s*(?:caracteres|characters|chars)\s*\)\s*$/i;

function removeTrailingNotes(text: string): string {
  const lines = text.split('\n');
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index];
    const notes = NOTE_LINE.test(line) || COUNT_LINE.test(line);
    // A rule followed by less than it follows is a separator before notes, not the middle of the text.
    const ruleBeforeNotes = RULE_LINE.test(line) && lines.slice(index + 1).join('\n').length < lines.slice(0, index).join('\n').length;
    if (notes || ruleBeforeNotes) {
      lines.length = index;
      break;
    }
  }
  while (lines.length > 1 && (lines[lines.length - 1].trim() === '' || CLOSING_LINE.test(lines[lines.length - 1]))) lines.pop();
  const last = lines.length - 1;
  lines[last] = lines[last].replace(INLINE_NOTE, '').replace(INLINE_COUNT, '');
  return lines.join('\n').trim();
}

// --- Wrappers --------------------------------------------------------------------------------

const FENCE = /^```[\w-]*[ \t]*\n([\s\S]*?)\n?[ \t]*```$/;
const UNCLOSED_FENCE = /^```[\w-]*[ \t]*\n((?:(?!```)[\s\S])*)$/;
const QUOTE_PAIRS: Record<string, string> = { '"': '"', '“': '”', '«': '»', "'": "'", '‘': '’', '„': '“' };

function unwrapFence(text: string): string {
  const match = FENCE.exec(text) ?? UNCLOSED_FENCE.exec(text);
  return match ? match[1].trim() : text;
}

/** Only quotes around the whole text: `"A" y "B"` keeps its quotes. */
function unwrapQuotes(text: string): string {
  const close = QUOTE_PAIRS[text[0]];
  if (text.length < 2 || close === undefined || !text.endsWith(close)) return text;
  const inner = text.slice(1, -1);
  if (inner.includes(close) || inner.includes(text[0])) return text;
  return inner.trim();
}

function unbold(text: string): string {
  return text.replace(/\*\*([^*\n]+)\*\*/g, '$1').replace(/__([^_\n]+)__/g, '$1');
}

function normaliseWhitespace(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
