// Text helpers shared by the renderers: Markdown escaping, value formatting with secrets masked, durations.

/** Escapes text for Markdown prose and table cells (one line; pipes and HTML neutralised). */
export function md(text: string): string {
  return text
    .replace(/\r?\n/g, " ")
    .replace(/([\\`*_[\]|#])/g, "\\$1")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;");
}

/** Inline code on one line; a backtick inside would end the span, so it becomes a quote. */
export function code(text: string): string {
  return `\`${text.replace(/\r?\n/g, " ").replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
}

import { isSecretPath, mask, SECRET } from "../secrets";

export { isSecretPath, mask, SECRET };

/** A property value for a report line: JSON, secrets masked, long values cut. */
export function show(value: unknown, present: boolean, path = "", max = 120): string {
  if (!present || value === undefined) return "(absent)";
  const masked = mask(value, path);
  if (masked === SECRET) return SECRET;
  const text = JSON.stringify(masked) ?? String(masked);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
