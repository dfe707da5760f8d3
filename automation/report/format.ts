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

/**
 * The one formatting of a duration in text output: 250 -> "250 ms", 1200 -> "1.2 s", 300000 -> "5m",
 * 330000 -> "5m 30s", 7500000 -> "2h 5m". `--json` keeps milliseconds.
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1).replace(/\.0$/, "")} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? ` ${s % 60}s` : ""}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${m % 60 ? ` ${m % 60}m` : ""}`;
}

/** A duration as ISO 8601 for new `--json` fields: 330000 -> "PT5M30S", 1500 -> "PT1.5S", 0 -> "PT0S". */
export function isoDuration(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const parts = `${h ? `${h}H` : ""}${m ? `${m}M` : ""}${s || (!h && !m) ? `${s}S` : ""}`;
  return `PT${parts}`;
}

export function seconds(ms: number): string {
  return typeof ms === "number" ? humanDuration(ms) : `${String(ms)} ms`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
