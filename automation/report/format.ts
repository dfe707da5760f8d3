// Text helpers shared by the renderers: Markdown escaping (markdown.ts), value formatting with secrets masked,
// durations.
import { isSecretPath, mask, renderMasked, SECRET } from "../secrets";
import { mdCode, mdText } from "./markdown";

export { isSecretPath, mask, renderMasked, SECRET };

/** Escapes text for Markdown prose and table cells (one line; pipes, HTML, mentions and autolinks neutralised). */
export function md(text: string): string {
  return mdText(text);
}

/** Inline code on one line; a backtick inside would end the span, so it becomes a quote. */
export function code(text: string): string {
  return mdCode(text);
}

/** A property value for a report line: JSON, secrets masked, long values cut. */
export function show(value: unknown, present: boolean, path = "", max = 120): string {
  if (!present || value === undefined) return "(absent)";
  const masked = mask(value, path);
  if (masked === SECRET) return SECRET;
  const text = JSON.stringify(masked) ?? String(masked);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function seconds(ms: number): string {
  return typeof ms === "number" ? `${(ms / 1000).toFixed(1)} s` : `${String(ms)} ms`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
