// The pull-request summary of `slipway preview`: per stack the changes, the replacements and deletions by resource,
// policy violations by level (mandatory first) and the checks a preview cannot settle. Pure: data in, Markdown out.
import type { ChangeOp, EnforcementLevel, PolicyViolation, PreviewResult, ResourceChange } from "../types";
import { code, md, plural, renderMasked, seconds, show } from "./format";
import { terminalLine as t } from "./terminal";
import { driftedProperties } from "./drift";
import { html as esc } from "./html";
import { failedSection, folded, PreviewContext, provenance, shipsSection } from "./previewContext";

export type { PreviewContext };

/** First line of every report, so a workflow finds and updates one sticky comment instead of adding new ones. */
export const PREVIEW_MARKER = "<!-- slipway-preview-report -->";

/** Items listed per section before the rest is summarised; keeps a comment well under GitHub's 65,536 characters. */
export const MAX_LISTED = 50;

type Counted = "create" | "update" | "replace" | "delete";
const COUNTED: Counted[] = ["create", "update", "replace", "delete"];
const LEVEL_ORDER: EnforcementLevel[] = ["mandatory", "remediate", "advisory", "disabled"];

/** Counts per operation: the engine's summary where it gave one, else counted from the changes. */
export function countsOf(result: PreviewResult): Record<Counted, number> {
  const count = (op: ChangeOp) => result.counts[op] ?? result.changes.filter((c) => c.op === op).length;
  return { create: count("create"), update: count("update"), replace: count("replace"), delete: count("delete") };
}

/** Violations that the policy could decide at preview, grouped by level in report order. */
export function violationsByLevel(violations: PolicyViolation[]): Array<[EnforcementLevel, PolicyViolation[]]> {
  const decided = violations.filter((v) => !v.unverifiable);
  return LEVEL_ORDER.map((level): [EnforcementLevel, PolicyViolation[]] => [
    level,
    decided.filter((v) => v.level === level),
  ]).filter(([, list]) => list.length > 0);
}

function resourceLabel(c: { type?: string; name?: string; urn?: string }): string {
  return `${code(c.type ?? "stack")} **${md(c.name ?? "")}**`;
}

function listed<T>(items: T[], line: (item: T) => string): string[] {
  const lines = items.slice(0, MAX_LISTED).map(line);
  if (items.length > MAX_LISTED) lines.push(`- … and ${items.length - MAX_LISTED} more`);
  return lines;
}

function changeLine(c: ResourceChange): string {
  const why = c.properties.length > 0 ? ` (${c.properties.map(code).join(", ")})` : "";
  return `- ${resourceLabel(c)}${why}<br>${code(c.urn)}`;
}

/** "path: before -> after" per changed property, secrets masked; the engine named the property but not its values: "changed". */
export function propertyLines(c: ResourceChange): string[] {
  return driftedProperties(c).map((p) => {
    if (c.values?.[p.path] === undefined) return `${p.path}: changed`;
    return `${p.path}: ${show(p.old, "old" in p, p.path)} -> ${show(p.new, "new" in p, p.path)}`;
  });
}

/** A resource's change as a Markdown table of its properties, before -> after. */
function changeTable(c: ResourceChange): string[] {
  const rows = driftedProperties(c).map((p) => {
    const known = c.values?.[p.path] !== undefined;
    const [was, now] = known
      ? [show(p.old, "old" in p, p.path), show(p.new, "new" in p, p.path)]
      : ["(not reported)", "changed"];
    return `| ${code(p.path)} | ${code(was)} | ${code(now)} |`;
  });
  if (rows.length === 0) return [`- ${resourceLabel(c)}: the engine named no property`, ""];
  return [
    `- ${resourceLabel(c)}`,
    "",
    "  | Property | Before | After |",
    "  | --- | --- | --- |",
    ...rows.map((r) => `  ${r}`),
    "",
  ];
}

function violationLine(v: PolicyViolation): string {
  const on =
    v.urn !== undefined || v.resourceType !== undefined
      ? ` on ${resourceLabel({ type: v.resourceType, name: v.resourceName ?? v.urn })}`
      : "";
  return `- ${code(v.policyName)}${on}: ${md(v.message)}`;
}

function headline(result: PreviewResult): string {
  const n = countsOf(result);
  const parts = COUNTED.filter((op) => n[op] > 0).map((op) => `${n[op]} to ${op}`);
  const mandatory = result.violations.filter((v) => v.level === "mandatory" && !v.unverifiable).length;
  const status = mandatory > 0 ? `**Refused:** ${plural(mandatory, "mandatory policy violation")}. ` : "";
  return `${status}${parts.length > 0 ? parts.join(" · ") : "No changes"} (preview took ${seconds(result.durationMs)})`;
}

function stackSection(result: PreviewResult, ctx?: PreviewContext): string[] {
  const head = [`### Stack ${code(result.stack)}`, "", ...[provenance(ctx)].filter((l): l is string => !!l), ""];
  const out: string[] = [];
  const created = result.changes.filter((c) => c.op === "create");
  const replaced = result.changes.filter((c) => c.op === "replace");
  const deleted = result.changes.filter((c) => c.op === "delete");
  const updated = result.changes.filter((c) => c.op === "update" || c.op === "replace");
  if (created.length > 0) out.push(`#### Creations (${created.length})`, "", ...listed(created, createLine), "");
  if (replaced.length > 0) out.push(`#### Replacements (${replaced.length})`, "", ...listed(replaced, changeLine), "");
  if (updated.length > 0)
    out.push(`#### What changes (${updated.length})`, "", ...updated.slice(0, MAX_LISTED).flatMap(changeTable));
  if (updated.length > MAX_LISTED) out.push(`- … and ${updated.length - MAX_LISTED} more`, "");
  if (deleted.length > 0) out.push(`#### Deletions (${deleted.length})`, "", ...listed(deleted, changeLine), "");
  const groups = violationsByLevel(result.violations);
  if (groups.length > 0) {
    out.push("#### Policy violations", "");
    for (const [level, list] of groups)
      out.push(`**${level}** (${list.length})`, "", ...listed(list, violationLine), "");
  }
  const unverifiable = result.violations.filter((v) => v.unverifiable);
  if (unverifiable.length > 0) {
    out.push(`#### Not verifiable at preview (${unverifiable.length})`, "");
    out.push("These values are only known after the update; the policy checks them again when it runs.", "");
    out.push(...listed(unverifiable, violationLine), "");
  }
  return [...head, headline(result), "", ...folded(`Details of stack ${esc(result.stack)} (${out.length} lines)`, out)];
}

function createLine(c: ResourceChange): string {
  return `- ${resourceLabel(c)}`;
}

/** Markdown for the pull-request comment, one section per stack, starting with PREVIEW_MARKER; secrets masked. */
export function renderPreviewMarkdown(results: PreviewResult[], ctx?: PreviewContext): string {
  return renderMasked({ results, ctx }, (safe) => previewMarkdown(safe.results, safe.ctx));
}

function previewMarkdown(results: PreviewResult[], ctx?: PreviewContext): string {
  const out = [PREVIEW_MARKER, "## slipway preview", ""];
  const failed = ctx?.failed ?? [];
  if (results.length === 0 && failed.length === 0) return [...out, "No stack was previewed.", ""].join("\n");
  out.push("| Stack | Create | Update | Replace | Delete | Mandatory | Advisory | Not verifiable |");
  out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of results) {
    const n = countsOf(r);
    const level = (l: EnforcementLevel) => r.violations.filter((v) => v.level === l && !v.unverifiable).length;
    const unverifiable = r.violations.filter((v) => v.unverifiable).length;
    out.push(
      `| ${md(r.stack)} | ${n.create} | ${n.update} | ${n.replace} | ${n.delete} | ${level("mandatory")} | ${level("advisory")} | ${unverifiable} |`,
    );
  }
  for (const f of failed) out.push(`| ${md(f.stack)} | FAILED | - | - | - | - | - | - |`);
  out.push("");
  for (const r of results) out.push(...stackSection(r, ctx));
  for (const f of failed) out.push(...failedSection(f, ctx));
  out.push(...shipsSection(ctx));
  return out.join("\n");
}

/** Plain-text summary for the terminal: one block per stack; secrets masked, control characters escaped. */
export function renderPreviewText(results: PreviewResult[]): string {
  return renderMasked(results, previewText);
}

function previewText(results: PreviewResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const n = countsOf(r);
    lines.push(
      `${t(r.stack)}: ${n.create} to create, ${n.update} to update, ${n.replace} to replace, ${n.delete} to delete (${seconds(r.durationMs)})`,
    );
    for (const c of r.changes.filter((c) => c.op === "update" || c.op === "replace" || c.op === "delete")) {
      const mark = c.op === "replace" ? "+-" : c.op === "delete" ? "- " : "~ ";
      lines.push(
        `  ${mark} ${t(c.type)} ${t(c.name)}${c.op !== "update" && c.properties.length > 0 ? ` (${t(c.properties.join(", "))})` : ""}`,
      );
      if (c.op !== "delete") lines.push(...propertyLines(c).map((l) => `      ${t(l)}`));
    }
    for (const v of [
      ...violationsByLevel(r.violations).flatMap(([, l]) => l),
      ...r.violations.filter((v) => v.unverifiable),
    ]) {
      const level = v.unverifiable ? "not verifiable at preview" : v.level;
      lines.push(
        `  [${t(level)}] ${t(v.policyName)}${v.resourceName ? ` on ${t(v.resourceName)}` : ""}: ${t(v.message.replace(/\s+/g, " "))}`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
