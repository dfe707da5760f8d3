// Escaping for GitHub Markdown (the pull-request comment, the drift issue, the audit export): a string from a
// resource, a URN, a property path, a value, a policy message or the journal is shown as the text it is. Markdown
// metacharacters are escaped, "<" and ">" become entities (no HTML, no "<!--" hiding the rest), "@" gets a zero-width
// joiner (no @mention pings a team), autolinks are broken with a zero-width space (no bare URL becomes a link), and
// line breaks and control characters cannot start a new block.
import { SECRET } from "../secrets";
import { terminalLine } from "./terminal";

const ZWJ = "\u200d";
const ZWSP = "\u200b";

function neutralised(text: string): string {
  return text
    .replace(/@/g, `@${ZWJ}`)
    .replace(/:\/\//g, `:${ZWSP}//`)
    .replace(/\bwww\./gi, (w) => `${w.slice(0, 3)}${ZWSP}.`);
}

function oneLine(text: string): string {
  return terminalLine(String(text).replace(/\r\n|\r|\n/g, " "));
}

const ESCAPED_MASK = SECRET.replace(/([[\]])/g, "\\$1");

/**
 * Text for Markdown prose and table cells, on one line. The secret mask stays readable as "[secret]": with every
 * other bracket escaped it cannot pair into a link, and a "(" or ":" right after it is escaped.
 */
export function mdText(text: unknown): string {
  const escaped = oneLine(String(text))
    .replace(/&/g, "&amp;")
    .replace(/([\\`*_[\]|#~])/g, "\\$1")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
  return neutralised(
    escaped
      .split(ESCAPED_MASK)
      .join(SECRET)
      .replaceAll(`${SECRET}(`, `${SECRET}\\(`)
      .replaceAll(`${SECRET}:`, `${SECRET}\\:`),
  );
}

/**
 * Inline code on one line. A backtick inside would end the span, so it becomes a quote; a pipe is escaped for
 * tables. Code shows "<" and "&" literally (no entities), so "<" and "](" get a zero-width space: a copy of the text
 * pasted elsewhere, or a renderer less strict than GitHub's, finds no tag, comment or link; mentions and autolinks
 * are neutralised the same way.
 */
export function mdCode(text: unknown): string {
  const flat = oneLine(String(text)).replace(/`/g, "'").replace(/\|/g, "\\|");
  return `\`${neutralised(flat.replace(/</g, `<${ZWSP}`).replace(/\]\(/g, `]${ZWSP}(`))}\``;
}

/** A number for a Markdown table; anything that is not a finite number is escaped text. */
export function mdNumber(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value) ? String(value) : mdText(value ?? "-");
}
