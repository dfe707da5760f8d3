// The job summaries of GitHub Actions (`$GITHUB_STEP_SUMMARY`): a few lines of Markdown per command, every value
// escaped (./markdown.ts); the sink masks secret shapes before it appends (automation/cli/github.ts).
import { humanDuration } from "./format";
import { mdCode, mdText } from "./markdown";

/** What a promote summary reads of its result (commands/promote.ts PromoteResult). */
export interface PromoteOutcome {
  stack: string;
  version: string;
  status: string;
  steps: { step: number; weight: number; ok: boolean; durationMs: number }[];
  paused?: { weight: number; detail: string };
  planDigest?: string;
  journalHead?: string;
  durationMs: number;
}

export function promoteSummary(r: PromoteOutcome): string {
  const lines = [
    `## slipway promote ${mdCode(r.version)} to ${mdCode(r.stack)}: ${mdText(r.status.toUpperCase())}`,
    "",
    ...(r.steps.length > 0
      ? [
          "| step | weight | verdict | ms |",
          "| ---: | ---: | --- | ---: |",
          ...r.steps.map((s) => `| ${s.step + 1} | ${s.weight}% | ${s.ok ? "pass" : "FAIL"} | ${s.durationMs} |`),
          "",
        ]
      : []),
    ...(r.paused ? [`Paused at ${r.paused.weight}%: ${mdText(r.paused.detail)}`, ""] : []),
    ...(r.planDigest ? [`Plan (sha256): ${mdCode(r.planDigest)}`, ""] : []),
    ...(r.journalHead ? [`Journal head: ${mdCode(r.journalHead)}`, ""] : []),
    `Took ${r.durationMs} ms.`,
  ];
  return `${lines.join("\n")}\n`;
}

/** A promotion that ended in an error: its outcome word and the first line of the message. */
export function failedSummary(command: string, stack: string, outcome: string, message: string): string {
  return `## slipway ${mdText(command)} ${mdCode(stack)}: ${mdText(outcome.toUpperCase())}\n\n${mdText(message.split("\n")[0])}\n`;
}

/** A rollback's summary: the versions, why, how long, and the journal head that records it. */
export function rollbackSummary(r: {
  stack: string;
  from: string;
  to: string;
  reason: string;
  durationMs: number;
  journalHead?: string;
}): string {
  return [
    `## slipway rollback ${mdCode(r.stack)}: COMPLETED`,
    "",
    `${mdCode(r.from)} -> ${mdCode(r.to)} in ${mdText(humanDuration(r.durationMs))}: ${mdText(r.reason)}`,
    ...(r.journalHead ? ["", `journal head ${mdCode(r.journalHead)}`] : []),
    "",
  ].join("\n");
}
