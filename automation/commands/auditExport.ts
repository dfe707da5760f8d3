// `slipway audit export`: the stack's change records between two dates, with the journal chain's verification, as
// Markdown, JSON or a self-contained HTML page written to --out. Reads only.
import type { Deps } from "../deps";
import { renderAuditHtml, renderAuditJson, renderAuditMarkdown } from "../report/audit";
import { changeRecords, Export } from "../report/changeRecords";
import { verifyChain } from "../state/chain";
import { EXIT, InputError } from "../errors";
import { oneStack, quote, text } from "./args";
import { JSON_OPTION, Opts, Verb } from "./command";
import { dateArg } from "./dates";
import type { StackArgs } from "./up";

export interface AuditExportArgs extends StackArgs {
  sinceMs: number;
  untilMs?: number;
  format: "md" | "json" | "html";
  out: string;
}

export interface AuditExportResult {
  stack: string;
  out: string;
  format: AuditExportArgs["format"];
  records: number;
  chainOk: boolean;
}

const RENDER = { md: renderAuditMarkdown, json: renderAuditJson, html: renderAuditHtml };

export async function auditExport(d: Deps, a: AuditExportArgs): Promise<AuditExportResult> {
  const stored = await d.state(a.stack).records();
  const entries = await d.state(a.stack).read();
  const chain = verifyChain(stored);
  const records = changeRecords(entries, a.sinceMs, a.untilMs);
  const x: Export = {
    stack: a.stack,
    since: new Date(a.sinceMs).toISOString(),
    until: a.untilMs === undefined ? undefined : new Date(a.untilMs).toISOString(),
    generatedAt: new Date(d.clock.now()).toISOString(),
    chain,
    records,
  };
  await d.writeFile(a.out, RENDER[a.format](x));
  d.progress(
    `${a.stack}: ${records.length} change records written to ${a.out} (${a.format}); journal chain ${chain.ok ? "intact" : "BROKEN"}`,
  );
  return { stack: a.stack, out: a.out, format: a.format, records: records.length, chainOk: chain.ok };
}

function parseAuditExport(o: Opts, stacks: readonly string[]): AuditExportArgs {
  const stack = oneStack(o, stacks);
  const sinceMs = dateArg(o, "since", "--since", false);
  if (sinceMs === undefined)
    throw new InputError("--since is required: give the first day to export, e.g. --since 2026-11-01");
  const untilMs = dateArg(o, "until", "--until", true);
  if (untilMs !== undefined && untilMs <= sinceMs)
    throw new InputError("--until is before --since: give an --until on or after the --since day");
  const format = text(o, "format", "--format");
  if (format !== "md" && format !== "json" && format !== "html") {
    throw new InputError(
      `--format ${format === undefined ? "is required" : `${quote(format)} is not allowed`}: use md, json or html, e.g. --format html`,
    );
  }
  const out = text(o, "out", "--out");
  if (out === undefined)
    throw new InputError(`--out is required: name the file to write, e.g. --out evidence.${format}`);
  return { stack, sinceMs, untilMs, format, out, json: o.json === true };
}

export const auditExportVerb: Verb<AuditExportArgs> = {
  words: ["audit", "export"],
  description:
    "write the stack's change records (promotions, skip-canary, rollbacks, aborts, remediations) with the chain's verification",
  options: [
    { flags: "--stack <name>", help: "stack whose records to export" },
    { flags: "--since <date>", help: "first day, e.g. 2026-11-01 (UTC) or an ISO time" },
    { flags: "--until <date>", help: "last day, inclusive, e.g. 2026-11-30 (default: now)" },
    { flags: "--format <format>", help: "md, json or html" },
    { flags: "--out <file>", help: "file to write" },
    JSON_OPTION,
  ],
  parse: parseAuditExport,
  async run(d, a) {
    const r = await auditExport(d, a);
    const chain = r.chainOk
      ? "journal chain intact"
      : "journal chain BROKEN (see the export; slipway audit verify exits 6)";
    return {
      code: EXIT.ok,
      json: r,
      text: `${r.stack}: ${r.records} change records written to ${r.out}; ${chain}\n`,
      outcome: "ok",
    };
  },
};
