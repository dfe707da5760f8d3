// Escaping for the HTML export: every string is entity-escaped for text and attribute positions, and control and
// bidi characters are shown as visible escapes (they would reorder or hide text on the page). The one place the HTML
// renderer makes a string safe.
import { terminalText } from "./terminal";

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** `value` as HTML text or a quoted attribute value. */
export function html(value: unknown): string {
  return terminalText(String(value)).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A number for HTML; anything that is not a finite number is escaped text. */
export function htmlNumber(value: unknown): string {
  return typeof value === "number" && Number.isFinite(value) ? String(value) : html(value ?? "-");
}
