// Escaping for terminal and plain-text output: control characters (ESC sequences, C0 and C1 controls, DEL) and
// bidirectional overrides and isolates would recolour, rewrite or reorder what the reader sees, so each becomes a
// visible escape ("\x1b", "\u202e"). The one place the text renderers make a string safe to print.

/** C0 controls but tab and newline, DEL, C1 controls, bidi marks, embeddings, overrides and isolates. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_LINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The visible escape of one character: \xHH below U+0100, \uHHHH above. */
export function visibleEscape(ch: string): string {
  const n = ch.codePointAt(0) ?? 0;
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u${n.toString(16).padStart(4, "0")}`;
}

/** Text for a terminal: newlines and tabs kept, every other control or bidi character shown as an escape. */
export function terminalText(text: string): string {
  return String(text).replace(UNSAFE, visibleEscape);
}

/** One line for a terminal: as terminalText, and a newline or carriage return cannot start a fake line either. */
export function terminalLine(text: string): string {
  return String(text).replace(UNSAFE_LINE, (ch) => (ch === "\t" ? " " : visibleEscape(ch)));
}
