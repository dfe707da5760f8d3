// The delivery report of `slipway report` as text, Markdown, JSON and a self-contained HTML page in the style of the
// audit export (no script, nothing fetched, a Content-Security-Policy forbidding it; promotions per week drawn as
// inline SVG). Pure: a DeliveryReport in, text out; every value escaped for its format and masked.
import { code, md, renderMasked } from "./format";
import { html as esc, htmlNumber } from "./html";
import { mdNumber } from "./markdown";
import { terminalLine as t } from "./terminal";
import { DeliveryReport, duration, Figures } from "./delivery";

function rows(f: Figures): [string, string][] {
  const lead = f.leadTime;
  const leadFrom =
    lead === undefined
      ? ""
      : lead.fromStart === 0
        ? " (from the commit's time)"
        : lead.fromCommit === 0
          ? " (from the promotion's start: the commits are not in this repository)"
          : ` (${lead.fromCommit} from the commit's time, ${lead.fromStart} from the promotion's start)`;
  return [
    ["Promotions", `${f.promotions} (${f.completed} completed, ${f.rolledBack} rolled back, ${f.held} held)`],
    ["Deployment frequency", `${f.perWeek} per week (${f.perDay} per day)`],
    [
      "Lead time for changes",
      lead ? `median ${duration(lead.medianMs)}, mean ${duration(lead.meanMs)} over ${lead.samples}${leadFrom}` : "-",
    ],
    [
      "Change failure rate",
      f.changeFailureRate === undefined
        ? "-"
        : `${Math.round(f.changeFailureRate * 100)}% ((rollbacks + holds) / promotions)`,
    ],
    [
      "Time to restore",
      (f.timeToRestore
        ? `median ${duration(f.timeToRestore.medianMs)}, mean ${duration(f.timeToRestore.meanMs)} over ${f.timeToRestore.samples}`
        : "-") + (f.unrestored ? `; ${f.unrestored} not restored yet` : ""),
    ],
  ];
}

const scope = (r: DeliveryReport) => (r.stacks.length === 1 ? `stack ${r.stacks[0]}` : `stacks ${r.stacks.join(", ")}`);

export function renderDeliveryJson(r: DeliveryReport): string {
  return renderMasked(r, (safe) => `${JSON.stringify(safe, null, 2)}\n`);
}

export function renderDeliveryText(r: DeliveryReport): string {
  return renderMasked(r, (x) => {
    const lines = [`delivery of ${t(scope(x))} from ${x.since} until ${x.until}`];
    for (const [k, v] of rows(x.overall)) lines.push(`  ${k}: ${t(v)}`);
    if (x.stacks.length > 1)
      for (const s of x.stacks) {
        lines.push(`${t(s)}:`);
        for (const [k, v] of rows(x.perStack[s])) lines.push(`  ${k}: ${t(v)}`);
      }
    return `${lines.join("\n")}\n`;
  });
}

export function renderDeliveryMarkdown(r: DeliveryReport): string {
  return renderMasked(r, (x) => {
    const out = [
      `# Delivery: ${md(scope(x))}`,
      "",
      `From ${md(x.since)} until ${md(x.until)}, generated ${md(x.generatedAt)}.`,
      "",
    ];
    const stacks = x.stacks.length > 1 ? ["all", ...x.stacks] : x.stacks;
    const fig = (s: string) => (s === "all" ? x.overall : x.perStack[s]);
    out.push(`| Figure | ${stacks.map(code).join(" | ")} |`, `| --- | ${stacks.map(() => "---").join(" | ")} |`);
    for (const [i, [k]] of rows(x.overall).entries())
      out.push(`| ${k} | ${stacks.map((s) => md(rows(fig(s))[i][1])).join(" | ")} |`);
    out.push("", "## Completed promotions per week", "", "| Week of | Completed | Failed |", "| --- | ---: | ---: |");
    for (const w of x.weeks) out.push(`| ${md(w.start)} | ${mdNumber(w.completed)} | ${mdNumber(w.failed)} |`);
    return `${out.join("\n")}\n`;
  });
}

/** Bars of completed (and failed) promotions per week; no external asset. */
export function weeklySvg(weeks: DeliveryReport["weeks"]): string {
  const W = 640,
    H = 180,
    L = 36,
    B = 28,
    T = 12;
  const max = Math.max(1, ...weeks.map((w) => w.completed + w.failed));
  const bw = (W - L - 8) / Math.max(1, weeks.length);
  const y = (n: number) => T + (1 - n / max) * (H - T - B);
  const bars = weeks.map((w, i) => {
    const x = L + i * bw + 1;
    const title = esc(`week of ${w.start}: ${w.completed} completed, ${w.failed} failed`);
    const done = `<rect class="done" x="${x.toFixed(1)}" y="${y(w.completed).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${(H - B - y(w.completed)).toFixed(1)}"><title>${title}</title></rect>`;
    const failed = w.failed
      ? `<rect class="failed" x="${x.toFixed(1)}" y="${y(w.completed + w.failed).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${(y(w.completed) - y(w.completed + w.failed)).toFixed(1)}"><title>${title}</title></rect>`
      : "";
    return done + failed;
  });
  const axis = [0, max].map((n) => `<text x="${L - 6}" y="${(y(n) + 4).toFixed(1)}" text-anchor="end">${n}</text>`);
  const first = weeks[0]?.start ?? "";
  const last = weeks.at(-1)?.start ?? "";
  return [
    `<svg class="weekly" role="img" aria-label="completed promotions per week" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">`,
    `<line class="grid" x1="${L}" x2="${W - 8}" y1="${H - B}" y2="${H - B}"/>`,
    ...axis,
    ...bars,
    `<text x="${L}" y="${H - 8}">${esc(first)}</text><text x="${W - 8}" y="${H - 8}" text-anchor="end">${esc(last)}</text>`,
    "</svg>",
  ].join("");
}

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f6f6}.weekly .done{fill:#1a7f37}.weekly .failed{fill:#cf222e}.weekly .grid{stroke:#999}.weekly text{font-size:11px;fill:#555}`;

function deliveryHtml(x: DeliveryReport): string {
  const stacks = x.stacks.length > 1 ? ["all", ...x.stacks] : x.stacks;
  const fig = (s: string) => (s === "all" ? x.overall : x.perStack[s]);
  const head = `<tr><th>Figure</th>${stacks.map((s) => `<th>${esc(s)}</th>`).join("")}</tr>`;
  const body = rows(x.overall)
    .map(
      ([k], i) =>
        `<tr class="figure"><th>${esc(k)}</th>${stacks.map((s) => `<td>${esc(rows(fig(s))[i][1])}</td>`).join("")}</tr>`,
    )
    .join("");
  const promotions = x.promotions
    .map(
      (p) =>
        `<tr class="promotion"><td>${esc(p.stack)}</td><td>${esc(p.id)}</td><td>${esc(p.version ?? "-")}</td><td>${esc(p.startedAt)}</td><td>${esc(p.endedAt ?? "-")}</td><td>${esc(p.end)}</td><td>${esc(p.commit ?? "-")}</td></tr>`,
    )
    .join("");
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${esc(`Delivery: ${scope(x)}`)}</title><style>${STYLE}</style></head><body>`,
    `<h1>Delivery: ${esc(scope(x))}</h1><p>From ${esc(x.since)} until ${esc(x.until)}, generated ${esc(x.generatedAt)}; ${htmlNumber(x.promotions.length)} promotions, read from the verified journal.</p>`,
    `<table class="figures">${head}${body}</table>`,
    `<h2>Completed promotions per week</h2>${weeklySvg(x.weeks)}`,
    `<h2>Promotions</h2><table class="promotions"><tr><th>Stack</th><th>Id</th><th>Version</th><th>Started</th><th>Ended</th><th>Outcome</th><th>Commit</th></tr>${promotions}</table>`,
    "</body></html>",
    "",
  ].join("\n");
}

export function renderDeliveryHtml(r: DeliveryReport): string {
  return renderMasked(r, deliveryHtml);
}
