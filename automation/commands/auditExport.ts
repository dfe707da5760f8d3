// `slipway audit export`: the stack's change records between two dates, with the journal chain's verification, as
// Markdown, JSON or a self-contained HTML page written to --out. Reads only.
import type { AuditExportArgs } from "../cli/argv";
import type { Deps } from "../deps";
import { renderAuditHtml, renderAuditJson, renderAuditMarkdown } from "../report/audit";
import { changeRecords, Export } from "../report/changeRecords";
import { verifyChain } from "../state/chain";

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
