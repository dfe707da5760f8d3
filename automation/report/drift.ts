// The drift report of `slipway drift`: each drifted resource (type, name, URN) and each changed property with its old
// and new value, as text for a terminal, JSON for machines and Markdown for the daily issue. Secrets never appear.
import type { DriftResult, ResourceChange } from "../types";
import type { DriftHistory } from "../state/driftHistory";
import type { DriftFinding } from "../state/store";
import { duration } from "./delivery";
import { redact } from "../secrets";
import { code, mask, md, plural, renderMasked, seconds, show } from "./format";
import { terminalLine as t } from "./terminal";

/** First line of the Markdown report, so the scheduled workflow updates one issue instead of opening new ones. */
export const DRIFT_MARKER = "<!-- slipway-drift-report -->";

/** Data whose loss is unrecoverable: an update "restoring" them can replace or wipe what was changed by hand. */
export const PROTECTED_TYPE_PREFIXES = ["aws:rds", "aws:elasticache", "aws:s3", "aws:kms", "aws:secretsmanager"];

/** Whether a resource type is of the data tier, which `drift --remediate` touches only with --force. */
export function isProtectedType(type: string): boolean {
  return PROTECTED_TYPE_PREFIXES.some((p) => type.startsWith(p));
}

/** Per stack, what its drift history says (first seen, last seen, how long), keyed by stack. */
export type DriftHistories = Record<string, DriftHistory | undefined>;

/** What a check found, for the journal: resource names and changed property paths, masked; no values. */
export function driftFinding(r: DriftResult): DriftFinding {
  const safe = redact(r);
  return {
    resources: safe.drifted.map((c) => ({
      type: c.type,
      name: c.name,
      urn: c.urn,
      properties: driftedProperties(c).map((p) => p.path),
      ...(isProtectedType(c.type) ? { protected: true } : {}),
    })),
  };
}

/** "drifted since <first seen> (last seen <t>, for <d>, <n> checks)", or the last clean check. */
export function historyLine(h: DriftHistory | undefined): string | undefined {
  if (h?.lastCheck === undefined) return undefined;
  if (h.open === undefined) return `last check ${h.lastCheck.at}: clean`;
  const o = h.open;
  return `first seen ${o.firstSeen}, last seen ${o.lastSeen}, drifted for ${duration(o.forMs)} (${o.checks} checks)`;
}

const protectedMark = (type: string) =>
  isProtectedType(type) ? " [protected: data tier; --remediate needs --force]" : "";

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
    resources: Array<{
      type: string;
      name: string;
      urn: string;
      op: string;
      properties: DriftedProperty[];
      protected: boolean;
    }>;
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
        protected: isProtectedType(c.type),
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
export function renderDriftText(results: DriftResult[], histories: DriftHistories = {}): string {
  return renderMasked(results, (safe) => driftText(safe, histories));
}

function driftText(results: DriftResult[], histories: DriftHistories): string {
  const lines: string[] = [];
  for (const r of results) {
    if (r.drifted.length === 0) {
      lines.push(`${t(r.stack)}: no drift (${seconds(r.durationMs)})`);
      continue;
    }
    lines.push(`${t(r.stack)}: ${plural(r.drifted.length, "resource")} drifted (${seconds(r.durationMs)})`);
    const since = historyLine(histories[r.stack]);
    if (since) lines.push(`  ${since}`);
    for (const c of r.drifted) {
      lines.push(`  ~ ${t(c.type)} ${t(c.name)}${protectedMark(c.type)}`, `    urn: ${t(c.urn)}`);
      for (const p of driftedProperties(c)) lines.push(`    ${t(p.path)}: ${t(change(p, known(c, p)))}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Markdown for the daily issue, starting with DRIFT_MARKER; secrets masked, every string escaped. */
export function renderDriftMarkdown(results: DriftResult[], histories: DriftHistories = {}): string {
  return renderMasked(results, (safe) => driftMarkdown(safe, histories));
}

function driftMarkdown(results: DriftResult[], histories: DriftHistories): string {
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
    const since = historyLine(histories[r.stack]);
    if (since) out.push(`Drift ${md(since)}.`, "");
    for (const c of r.drifted) {
      const guard = isProtectedType(c.type) ? " (**protected**: data tier; `--remediate` needs `--force`)" : "";
      out.push(`#### ${code(c.type)} ${md(c.name)}${guard}`, "", code(c.urn), "");
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
