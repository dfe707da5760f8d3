// `slipway report`: delivery figures (deployment frequency, lead time for changes, change failure rate, time to
// restore) of one stack or all, from each stack's journal once its hash chain verifies; a tampered journal is refused
// (exit 6) and nothing is written. Reads only.
import type { Deps } from "../deps";
import { deliveryReport, DeliveryReport, PromotionRun, promotionsOf } from "../report/delivery";
import {
  renderDeliveryHtml,
  renderDeliveryJson,
  renderDeliveryMarkdown,
  renderDeliveryText,
} from "../report/deliveryRender";
import { verifyStack } from "../state/integrity";
import { EXIT, InputError } from "../errors";
import { manyStacks, quote, text } from "./args";
import { JSON_OPTION, Opts, STACKS_OPTION, Verb } from "./command";
import { dateArg } from "./dates";
import type { StacksArgs } from "./preview";

export type ReportFormat = "text" | "markdown" | "json" | "html";
export interface ReportArgs extends StacksArgs {
  sinceMs?: number;
  untilMs?: number;
  format: ReportFormat;
  out?: string;
}

const RENDER: Record<ReportFormat, (r: DeliveryReport) => string> = {
  text: renderDeliveryText,
  markdown: renderDeliveryMarkdown,
  json: renderDeliveryJson,
  html: renderDeliveryHtml,
};

export type ReportResult =
  { ok: true; report: DeliveryReport; out?: string } | { ok: false; stack: string; problem: string; detail: string };

/** The commit's time where the repository has it; otherwise the promotion's start stands in (and the report says so). */
async function withCommitTimes(d: Deps, runs: PromotionRun[]): Promise<void> {
  const seen = new Map<string, string | undefined>();
  for (const r of runs) {
    if (r.commit === undefined || d.commitTime === undefined) continue;
    if (!seen.has(r.commit)) seen.set(r.commit, await d.commitTime(r.commit).catch(() => undefined));
    r.commitAt = seen.get(r.commit);
  }
}

export async function report(d: Deps, a: ReportArgs): Promise<ReportResult> {
  const runs: PromotionRun[] = [];
  for (const stack of a.stacks) {
    const state = d.state(stack);
    const v = await verifyStack(state);
    if (!v.ok) {
      const b = v.broken!;
      return { ok: false, stack, problem: b.problem, detail: `entry ${b.index + 1}: ${b.detail}` };
    }
    runs.push(...promotionsOf(stack, await state.read()));
  }
  await withCommitTimes(d, runs);
  const r = deliveryReport({
    runs,
    stacks: a.stacks,
    sinceMs: a.sinceMs,
    untilMs: a.untilMs ?? d.clock.now(),
    generatedAt: new Date(d.clock.now()).toISOString(),
  });
  if (a.out !== undefined) {
    await d.writeFile(a.out, RENDER[a.format](r));
    d.progress(`delivery report of ${a.stacks.join(", ")} written to ${a.out} (${a.format})`);
  }
  return { ok: true, report: r, out: a.out };
}

function parseReport(o: Opts, stacks: readonly string[]): ReportArgs {
  const sinceMs = dateArg(o, "since", "--since", false);
  const untilMs = dateArg(o, "until", "--until", true);
  if (sinceMs !== undefined && untilMs !== undefined && untilMs <= sinceMs)
    throw new InputError("--until is before --since: give an --until on or after the --since day");
  const format = text(o, "format", "--format") ?? "text";
  if (!(format in RENDER))
    throw new InputError(
      `--format ${quote(format)} is not allowed: use text, markdown, json or html, e.g. --format html`,
    );
  const out = text(o, "out", "--out");
  if (format === "html" && out === undefined)
    throw new InputError("--format html needs --out: name the file to write, e.g. --out delivery.html");
  return {
    stacks: manyStacks(o, stacks),
    json: o.json === true,
    sinceMs,
    untilMs,
    format: format as ReportFormat,
    out,
  };
}

export const reportVerb: Verb<ReportArgs> = {
  words: ["report"],
  description:
    "delivery figures from the verified journal: deployment frequency, lead time, change failure rate, time to restore",
  options: [
    STACKS_OPTION,
    { flags: "--since <date>", help: "first day, e.g. 2026-11-01 (UTC) or an ISO time (default: the first promotion)" },
    { flags: "--until <date>", help: "last day, inclusive (default: now)" },
    { flags: "--format <format>", help: "text (default), markdown, json or html" },
    { flags: "--out <file>", help: "file to write (default: stdout; html needs a file)" },
    JSON_OPTION,
  ],
  parse: parseReport,
  async run(d, a) {
    const r = await report(d, a);
    if (!r.ok) {
      const text = `${r.stack}: journal chain BROKEN (${r.problem}, ${r.detail}): no report from a tampered journal; run slipway audit verify --stack ${r.stack}\n`;
      return { code: EXIT.tampered, json: r, text, outcome: "tampered" };
    }
    const text = r.out ? `delivery report written to ${r.out}\n` : RENDER[a.format](r.report);
    return { code: EXIT.ok, json: r.report, text, outcome: "ok" };
  },
};
