// The drift report of `slipway drift`: each drifted resource (type, name, URN) and each changed property with its old
// and new value, as text for a terminal, JSON for machines and Markdown for the daily issue. Secrets never appear.
import type { DriftResult, ResourceChange } from "../types";
import { redact } from "../secrets";
import { code, mask, md, plural, renderMasked, seconds, show } from "./format";
import { terminalLine as t } from "./terminal";

/** First line of the Markdown report, so the scheduled workflow updates one issue instead of opening new ones. */
export const DRIFT_MARKER = "<!-- slipway-drift-report -->";

export interface DriftedProperty {
  path: string;
  /** Value recorded in the stack's state; absent when the property was added outside Pulumi. */
  old?: unknown;
  /** Value found in the cloud; absent when the property was removed. */
  new?: unknown;
}

export interface DriftReport {
  drift: boolean;
  stacks: Array<{
    stack: string;
    durationMs: number;
    resources: Array<{ type: string; name: string; urn: string; op: string; properties: DriftedProperty[] }>;
  }>;
}

/** Changed properties of a resource, with values masked where secret. */
export function driftedProperties(c: ResourceChange): DriftedProperty[] {
  const paths = [...new Set([...c.properties, ...Object.keys(c.values ?? {})])];
  return paths.map((path) => {
    const v = c.values?.[path];
    const p: DriftedProperty = { path };
    if (v && "old" in v && v.old !== undefined) p.old = mask(v.old, path);
    if (v && "new" in v && v.new !== undefined) p.new = mask(v.new, path);
    return p;
  });
}

/** The JSON document of `slipway drift --json`; secrets masked by key, shape and value wherever they repeat. */
export function buildDriftReport(input: DriftResult[]): DriftReport {
  const results = redact(input);
  return {
    drift: results.some((r) => r.drifted.length > 0),
    stacks: results.map((r) => ({
      stack: r.stack,
      durationMs: r.durationMs,
      resources: r.drifted.map((c) => ({
        type: c.type,
        name: c.name,
        urn: c.urn,
        op: c.op,
        properties: driftedProperties(c),
      })),
    })),
  };
}

export function renderDriftJson(results: DriftResult[]): string {
  return renderMasked(results, (safe) => `${JSON.stringify(buildDriftReport(safe), null, 2)}\n`);
}

function change(p: DriftedProperty, withValues: boolean): string {
  if (!withValues) return "changed";
  return `${show(p.old, "old" in p, p.path)} → ${show(p.new, "new" in p, p.path)}`;
}

function known(c: ResourceChange, p: DriftedProperty): boolean {
  return c.values?.[p.path] !== undefined;
}

/** Text for a terminal; secrets masked, control characters escaped. */
export function renderDriftText(results: DriftResult[]): string {
  return renderMasked(results, driftText);
}

function driftText(results: DriftResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.drifted.length === 0) {
      lines.push(`${t(r.stack)}: no drift (${seconds(r.durationMs)})`);
      continue;
    }
    lines.push(`${t(r.stack)}: ${plural(r.drifted.length, "resource")} drifted (${seconds(r.durationMs)})`);
    for (const c of r.drifted) {
      lines.push(`  ~ ${t(c.type)} ${t(c.name)}`, `    urn: ${t(c.urn)}`);
      for (const p of driftedProperties(c)) lines.push(`    ${t(p.path)}: ${t(change(p, known(c, p)))}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Markdown for the daily issue, starting with DRIFT_MARKER; secrets masked, every string escaped. */
export function renderDriftMarkdown(results: DriftResult[]): string {
  return renderMasked(results, driftMarkdown);
}

function driftMarkdown(results: DriftResult[]): string {
  const drifted = results.filter((r) => r.drifted.length > 0);
  const out = [DRIFT_MARKER, "## slipway drift", ""];
  out.push(
    drifted.length === 0
      ? "No drift: every stack matches its state."
      : `Drift in ${drifted.map((r) => code(r.stack)).join(", ")}.`,
    "",
  );
  for (const r of results) {
    out.push(`### Stack ${code(r.stack)}`, "");
    if (r.drifted.length === 0) {
      out.push(`No drift (refresh took ${seconds(r.durationMs)}).`, "");
      continue;
    }
    out.push(`${plural(r.drifted.length, "resource")} drifted (refresh took ${seconds(r.durationMs)}).`, "");
    for (const c of r.drifted) {
      out.push(`#### ${code(c.type)} ${md(c.name)}`, "", code(c.urn), "");
      const props = driftedProperties(c);
      if (props.length === 0) {
        out.push("Changed outside Pulumi; the engine named no property.", "");
        continue;
      }
      out.push("| Property | Recorded in state | Found |", "| --- | --- | --- |");
      for (const p of props) {
        const [was, now] = known(c, p)
          ? [show(p.old, "old" in p, p.path), show(p.new, "new" in p, p.path)]
          : ["(not reported)", "changed"];
        out.push(`| ${code(p.path)} | ${code(was)} | ${code(now)} |`);
      }
      out.push("");
    }
  }
  return out.join("\n");
}
