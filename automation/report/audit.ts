// The export of `slipway audit export`: the same change records as JSON (for machines), Markdown (for a ticket) and a
// self-contained HTML page (for an auditor: no script, no stylesheet or image fetched, a timeline picture per
// promotion drawn as inline SVG). Pure: an Export in, text out; every value shown goes through the secret masking
// and is escaped for its format (markdown.ts, html.ts): a journal is input like any other.
import type { ChangeRecord, Export, HookRecord, StepRecord } from "./changeRecords";
import type { PreviewSummary } from "../release/evidence";
import type { ResourceChange } from "../types";
import { propertyLines } from "./preview";
import { code, humanDuration, md, renderMasked, seconds } from "./format";
import { html as esc, htmlNumber } from "./html";
import { mdNumber } from "./markdown";

/** A journaled duration in human units; anything else escaped as it is. */
const isMs = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;
const mdDuration = (v: unknown) => (isMs(v) ? humanDuration(v) : `${mdNumber(v)} ms`);
const htmlDuration = (v: unknown) => (isMs(v) ? humanDuration(v) : `${htmlNumber(v)} ms`);

export function renderAuditJson(x: Export): string {
  return renderMasked(x, (safe) => `${JSON.stringify(safe, null, 2)}\n`);
}

/** A step's number as people count (from 1); whatever else a journal holds is shown as it is. */
const stepNo = (s: StepRecord): unknown => (typeof s.step === "number" ? s.step + 1 : s.step);

function approvalText(r: ChangeRecord): string {
  const a = r.approval;
  if (a === undefined) return "none asked";
  const who = a.approvers.join(", ");
  return a.verified
    ? `${who} (verified: ${a.environment} environment review${r.run ? ` of run ${r.run.id}` : ""}${a.rule.fourEyes ? ", four-eyes" : ""})`
    : `${who} (UNVERIFIED: named with --approved-by)`;
}

function chainText(x: Export): string {
  const c = x.chain;
  if (c.ok)
    return `intact: ${c.entries} entries${c.adopted ? ` (${c.adopted} adopted from before the chain)` : ""}, head ${c.head ?? "(empty)"}`;
  return `BROKEN at entry ${c.broken!.index + 1} (${c.broken!.ref}): ${c.broken!.problem}: ${c.broken!.detail}`;
}

function facts(r: ChangeRecord): [string, string][] {
  const rows: [string, string | undefined][] = [
    ["Outcome", r.outcome + (r.detail ? `: ${r.detail}` : "")],
    ["Version", r.version ? `${r.previousVersion ? `${r.previousVersion} → ` : ""}${r.version}` : undefined],
    ["Started", `${r.startedAt}${r.startedBy ? ` by ${r.startedBy}` : ""}${r.host ? ` on ${r.host}` : ""}`],
    ["Run", r.run ? `${r.run.url}${r.run.attempt ? ` (attempt ${r.run.attempt})` : ""}` : undefined],
    [
      "Ended",
      r.endedAt
        ? `${r.endedAt}${r.durationMs !== undefined ? ` (${seconds(r.durationMs)})` : ""}`
        : "not recorded (interrupted)",
    ],
    ["Approved by", approvalText(r)],
    ["Commit", r.commit],
    ["Reviewed plan", r.plan ? `sha256 ${r.plan.digest}${r.plan.url ? ` (${r.plan.url})` : ""}` : undefined],
    [
      "BREAK-GLASS",
      r.breakGlass
        ? `freeze "${r.breakGlass.window.name}" (until ${r.breakGlass.window.end}) overridden: ${r.breakGlass.reason}`
        : undefined,
    ],
    ["Reason", r.reason],
    ["Related to", r.relatedTo],
    [
      "Engine updates",
      r.updates.length
        ? r.updates.map((u) => `${u.version > 0 ? `#${u.version}` : u.startTime} ${u.result} (${u.message})`).join("; ")
        : undefined,
    ],
  ];
  return rows.filter((row): row is [string, string] => row[1] !== undefined);
}

function policyText(s: PreviewSummary): string {
  const p = s.policy;
  if (p.violations.length === 0) return "every policy passed";
  return `${p.mandatory} mandatory, ${p.advisory} advisory: ${p.violations.map((v) => `${v.policyName} (${v.level}${v.resourceName ? ` on ${v.resourceName}` : ""})`).join("; ")}`;
}

function countsText(s: PreviewSummary): string {
  const c = Object.entries(s.counts)
    .filter(([op, n]) => op !== "same" && (n ?? 0) > 0)
    .map(([op, n]) => `${n} to ${op}`);
  return c.length ? c.join(", ") : "no changes";
}

/** Property lines of an update or replacement; a created or deleted resource is named, its whole body is not news. */
function propertiesOf(c: ResourceChange): string[] {
  return c.op === "update" || c.op === "replace" ? propertyLines(c) : [];
}

function verdictText(v: StepRecord["verdicts"][number]): string {
  const value =
    v.value !== undefined ? ` value ${v.value}${v.threshold !== undefined ? ` (threshold ${v.threshold})` : ""}` : "";
  return `${v.gate} ${v.ok ? "pass" : "FAIL"}${value}: ${v.detail}`;
}

function hookResult(h: HookRecord): string {
  return h.ok === undefined ? "no outcome (the driver stopped while its Job ran)" : h.ok ? "pass" : "FAIL";
}
const hookName = (h: HookRecord) => `${h.hook}${h.irreversible ? " (irreversible)" : ""}`;

// ----- Markdown

function recordMarkdown(r: ChangeRecord): string[] {
  const out = [
    `## ${md([r.kind, r.version].filter(Boolean).join(" "))} on ${code(r.stack)} (${code(r.id)})`,
    "",
    "| | |",
    "| --- | --- |",
  ];
  for (const [k, v] of facts(r)) out.push(`| ${k} | ${md(v)} |`);
  out.push("");
  for (const c of r.changes) {
    out.push(
      `### What changed: ${md(c.label)}`,
      "",
      `${md(countsText(c.summary))}; policy: ${md(policyText(c.summary))}`,
      "",
    );
    for (const ch of c.summary.changes)
      out.push(`- ${md(ch.op)} ${code(ch.type)} **${md(ch.name)}**`, ...propertiesOf(ch).map((l) => `  - ${code(l)}`));
    out.push("");
  }
  if (r.steps.length > 0) {
    out.push(
      "### Steps",
      "",
      "| Step | Weight | Started | Duration | Result | Verdicts |",
      "| ---: | ---: | --- | ---: | --- | --- |",
    );
    for (const s of r.steps) {
      const result = s.ok === undefined ? "no outcome" : s.ok ? "pass" : "FAIL";
      out.push(
        `| ${mdNumber(stepNo(s))} | ${mdNumber(s.weight)}% | ${md(s.startedAt)} | ${mdDuration(s.durationMs)} | ${result} | ${md(s.verdicts.map(verdictText).join("; ") || "-")} |`,
      );
    }
    out.push("");
  }
  if (r.hooks.length > 0) {
    out.push(
      "### Hooks",
      "",
      "| Hook | Phase | Started | Duration | Result | Job outcome |",
      "| --- | --- | --- | ---: | --- | --- |",
    );
    for (const h of r.hooks)
      out.push(
        `| ${md(hookName(h))} | ${md(h.phase ?? "-")} | ${md(h.startedAt)} | ${mdDuration(h.durationMs)} | ${hookResult(h)} | ${md(h.detail ?? "-")} |`,
      );
    out.push("");
  }
  return out;
}

export function renderAuditMarkdown(x: Export): string {
  return renderMasked(x, auditMarkdown);
}

function auditMarkdown(x: Export): string {
  const out = [
    `# Change evidence: stack ${code(x.stack)}`,
    "",
    `Records from ${md(x.since)}${x.until ? ` until ${md(x.until)}` : ""}, generated ${md(x.generatedAt)}.`,
    "",
  ];
  out.push(`Journal chain: ${md(chainText(x))}`, "", `${mdNumber(x.records.length)} change records.`, "");
  for (const r of x.records) out.push(...recordMarkdown(r));
  return `${out.join("\n")}\n`;
}

// ----- HTML

/**
 * Weight on the new version over time: a step line through each step's weight (set at its intent), dropping to 0 at
 * a rollback, staying at a hold, and rising to 100 when the version became stable; each step's verdict marked where it was given.
 */
export function timelineSvg(r: ChangeRecord): string {
  const W = 640,
    H = 180,
    L = 40,
    R = 16,
    T = 14,
    B = 30;
  const t0 = Date.parse(r.startedAt);
  const t1 = Math.max(Date.parse(r.endedAt ?? r.steps.at(-1)?.endedAt ?? r.startedAt), t0 + 1);
  const x = (iso: string) => L + ((Date.parse(iso) - t0) / (t1 - t0)) * (W - L - R);
  const y = (w: number) => T + (1 - w / 100) * (H - T - B);
  const points: [number, number][] = [[x(r.startedAt), y(0)]];
  for (const s of r.steps) points.push([x(s.startedAt), points.at(-1)![1]], [x(s.startedAt), y(s.weight)]);
  // A held promotion left traffic where it was.
  const final =
    r.outcome === "completed"
      ? 100
      : r.outcome === "held" || r.outcome === "paused"
        ? (r.steps.at(-1)?.weight ?? 0)
        : 0;
  if (r.endedAt) points.push([x(r.endedAt), points.at(-1)![1]], [x(r.endedAt), y(final)]);
  const marks = r.steps
    .filter((s) => s.endedAt)
    .map((s) => {
      const [cx, cy] = [x(s.endedAt!), y(s.weight)];
      const label = esc(
        `step ${String(stepNo(s))} at ${s.weight}%: ${s.ok ? "pass" : "FAIL"} ${s.verdicts.map(verdictText).join("; ")}`,
      );
      return s.ok
        ? `<circle class="pass" cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="5"><title>${label}</title></circle>`
        : `<path class="fail" d="M${cx - 5} ${cy - 5}L${cx + 5} ${cy + 5}M${cx - 5} ${cy + 5}L${cx + 5} ${cy - 5}"><title>${label}</title></path>`;
    });
  const grid = [0, 50, 100].map(
    (w) =>
      `<line class="grid" x1="${L}" x2="${W - R}" y1="${y(w)}" y2="${y(w)}"/><text x="${L - 6}" y="${y(w) + 4}" text-anchor="end">${w}%</text>`,
  );
  const secs = Math.round((t1 - t0) / 1000);
  return [
    `<svg class="timeline" role="img" aria-label="weight over time for ${esc(r.id)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">`,
    ...grid,
    `<polyline class="weight" points="${points.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(" ")}"/>`,
    ...marks,
    `<text x="${L}" y="${H - 8}">${esc(r.startedAt)}</text><text x="${W - R}" y="${H - 8}" text-anchor="end">+${secs} s</text>`,
    "</svg>",
  ].join("");
}

function recordHtml(r: ChangeRecord): string {
  const rows = facts(r)
    .map(([k, v]) => `<tr${k === "BREAK-GLASS" ? ' class="glass"' : ""}><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
    .join("");
  const changes = r.changes
    .map((c) => {
      const items = c.summary.changes
        .map(
          (ch) =>
            `<li>${esc(`${ch.op} ${ch.type} ${ch.name}`)}<ul>${propertiesOf(ch)
              .map((l) => `<li><code>${esc(l)}</code></li>`)
              .join("")}</ul></li>`,
        )
        .join("");
      return `<h3>What changed: ${esc(c.label)}</h3><p>${esc(countsText(c.summary))}; policy: ${esc(policyText(c.summary))}</p><ul>${items}</ul>`;
    })
    .join("");
  const steps =
    r.steps.length === 0
      ? ""
      : `<h3>Steps</h3><table class="steps"><tr><th>Step</th><th>Weight</th><th>Started</th><th>Duration</th><th>Result</th><th>Verdicts</th></tr>${r.steps
          .map(
            (s) =>
              `<tr class="step"><td>${htmlNumber(stepNo(s))}</td><td>${htmlNumber(s.weight)}%</td><td>${esc(s.startedAt)}</td><td>${htmlDuration(s.durationMs)}</td><td class="${s.ok ? "pass" : "fail"}">${s.ok === undefined ? "no outcome" : s.ok ? "pass" : "FAIL"}</td><td>${esc(s.verdicts.map(verdictText).join("; ") || "-")}</td></tr>`,
          )
          .join("")}</table>`;
  const hooks =
    r.hooks.length === 0
      ? ""
      : `<h3>Hooks</h3><table class="hooks"><tr><th>Hook</th><th>Phase</th><th>Started</th><th>Duration</th><th>Result</th><th>Job outcome</th></tr>${r.hooks
          .map(
            (h) =>
              `<tr class="hook"><td>${esc(hookName(h))}</td><td>${esc(h.phase ?? "-")}</td><td>${esc(h.startedAt)}</td><td>${htmlDuration(h.durationMs)}</td><td class="${h.ok ? "pass" : "fail"}">${esc(hookResult(h))}</td><td>${esc(h.detail ?? "-")}</td></tr>`,
          )
          .join("")}</table>`;
  const picture = r.kind === "promote" || r.kind === "skip-canary" ? timelineSvg(r) : "";
  return `<section class="record" id="${esc(r.id)}"><h2>${esc(`${[r.kind, r.version].filter(Boolean).join(" ")} on ${r.stack}`)} <small>${esc(r.id)}</small></h2><table class="facts">${rows}</table>${picture}${changes}${steps}${hooks}</section>`;
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
.facts th{width:9em;background:#f6f6f6}.glass td,.glass th{background:#fde2e2;font-weight:bold}.pass{color:#1a7f37;fill:#1a7f37}.fail{color:#cf222e;stroke:#cf222e;stroke-width:2.5}
.timeline .weight{fill:none;stroke:#0969da;stroke-width:2}.timeline .grid{stroke:#ddd}.timeline text{font-size:11px;fill:#555}.chain-ok{color:#1a7f37}.chain-broken{color:#cf222e;font-weight:bold}section{border-top:2px solid #eee;margin-top:1.5em}`;

export function renderAuditHtml(x: Export): string {
  return renderMasked(x, auditHtml);
}

function auditHtml(x: Export): string {
  const chain = `<p class="${x.chain.ok ? "chain-ok" : "chain-broken"}">Journal chain: ${esc(chainText(x))}</p>`;
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${esc(`Change evidence: ${x.stack}`)}</title><style>${STYLE}</style></head><body>`,
    `<h1>Change evidence: stack ${esc(x.stack)}</h1><p>Records from ${esc(x.since)}${x.until ? ` until ${esc(x.until)}` : ""}, generated ${esc(x.generatedAt)}; ${htmlNumber(x.records.length)} change records.</p>`,
    chain,
    ...x.records.map(recordHtml),
    "</body></html>",
    "",
  ].join("\n");
}
