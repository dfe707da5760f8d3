// `slipway history`: the stack's journal, newest last: a table of promotions (historyTable.ts), or with --verbose
// every raw entry.
import type { Deps } from "../deps";
import type { JournalEntry } from "../state/store";
import { EXIT } from "../errors";
import { integerArg, oneStack } from "./args";
import { JSON_OPTION, Verb } from "./command";
import { historyTable } from "./historyTable";
import type { StackArgs } from "./up";
import { humanDuration } from "../report/format";

export interface HistoryArgs extends StackArgs {
  limit: number;
  /** Every raw journal entry instead of one line per promotion; set only when asked. */
  verbose?: boolean;
}

/** The most journal entries one `history` prints. */
export const MAX_LIMIT = 10_000;

export async function history(d: Deps, a: HistoryArgs): Promise<JournalEntry[]> {
  const all = await d.state(a.stack).read();
  return all.slice(-a.limit);
}

export function historyText(entries: JournalEntry[]): string {
  if (entries.length === 0) return "no journal entries\n";
  return (
    entries
      .map((e) => {
        const parts = [e.at, e.promotionId, `${e.action}:${e.event}`];
        if (e.version) parts.push(e.version);
        if (e.step !== undefined) parts.push(`step ${e.step + 1}`);
        if (e.hook)
          parts.push(`hook ${e.hook}${e.phase ? ` (${e.phase})` : ""}${e.irreversible ? " IRREVERSIBLE" : ""}`);
        if (e.weight !== undefined) parts.push(`${e.weight}%`);
        if (e.ok !== undefined) parts.push(e.ok ? "ok" : "FAILED");
        if (e.status) parts.push(e.status);
        if (e.approvedBy) parts.push(`approved by ${e.approvedBy}`);
        if (e.reason) parts.push(`reason: ${e.reason}`);
        if (e.evidence?.breakGlass) parts.push(`BREAK-GLASS over "${e.evidence.breakGlass.window.name}"`);
        if (e.evidence?.approval)
          parts.push(e.evidence.approval.verified ? "approval verified" : "approval UNVERIFIED");
        if (e.verdicts) parts.push(e.verdicts.map((v) => `${v.provider}=${v.ok ? "pass" : "fail"}`).join(","));
        if (e.durationMs !== undefined) parts.push(humanDuration(e.durationMs));
        if (e.detail) parts.push(e.detail);
        return parts.join("  ");
      })
      .join("\n") + "\n"
  );
}

export const historyVerb: Verb<HistoryArgs> = {
  words: ["history"],
  description: "the stack's journal: promotions, steps, verdicts",
  options: [
    { flags: "--stack <name>", help: "stack whose journal to print" },
    { flags: "--limit <n>", help: `last N entries, 1 to ${MAX_LIMIT} (default: 50)` },
    { flags: "--verbose", help: "print every journal entry instead of one line per promotion" },
    JSON_OPTION,
  ],
  parse: (o, stacks) => ({
    stack: oneStack(o, stacks),
    json: o.json === true,
    limit: integerArg(o, "limit", "--limit", 1, MAX_LIMIT) ?? 50,
    ...(o.verbose === true ? { verbose: true } : {}),
  }),
  async run(d, a) {
    const r = await history(d, a);
    return { code: EXIT.ok, json: r, text: a.verbose ? historyText(r) : historyTable(r), outcome: "ok" };
  },
};
