// What the pull-request comment says around each stack's changes, so it never misleads: the commit previewed, when,
// the run that did it, a stack whose preview failed, the stacks no change affects, and what merging ships (the
// release plan each affected stack's canary policy gives). Pure: data in, Markdown out.
import type { StackConfig } from "../../stacks/config";
import { code, md } from "./format";

export interface PreviewContext {
  /** The commit previewed (GITHUB_SHA, else git HEAD). */
  commit?: string;
  /** When the preview ran (ISO 8601). */
  at?: string;
  /** The run: GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID. */
  runUrl?: string;
  /** Stacks whose preview failed, with the first line of the error. */
  failed?: Array<{ stack: string; message: string }>;
  /** Per stack, the release a merge would ship. */
  ships?: Array<{ stack: string; lines: string[] }>;
}

/** Sections longer than this fold into `<details>`. */
export const FOLD_LINES = 25;

const RUN_URL = /^https:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/[A-Za-z0-9._~%/-]+$/;

/** A Markdown link to the run, only for a plain https URL (anything else is shown as text). */
export function runLink(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  if (!RUN_URL.test(url)) return md(url);
  const id = url.split("/").at(-1) ?? "";
  return `[run ${md(id)}](${url})`;
}

/** "Previewed commit `abc1234` at <time> in [run 42](...)": what every stack section starts with. */
export function provenance(ctx: PreviewContext | undefined): string | undefined {
  if (ctx === undefined || (ctx.commit === undefined && ctx.at === undefined && ctx.runUrl === undefined))
    return undefined;
  const parts = [
    `Previewed commit ${ctx.commit ? code(ctx.commit.slice(0, 12)) : "(unknown)"}`,
    ctx.at ? `at ${md(ctx.at)}` : undefined,
    ctx.runUrl ? `in ${runLink(ctx.runUrl)}` : undefined,
  ];
  return `${parts.filter(Boolean).join(" ")}.`;
}

/** `body` folded into `<details>` when long; the summary stays visible. */
export function folded(summary: string, body: string[]): string[] {
  if (body.length <= FOLD_LINES) return body;
  return ["<details>", `<summary>${summary}</summary>`, "", ...body, "", "</details>", ""];
}

/** The section of a stack whose preview failed: shown as failed, with the run to read, never left out. */
export function failedSection(f: { stack: string; message: string }, ctx: PreviewContext | undefined): string[] {
  const where = ctx?.runUrl ? ` See ${runLink(ctx.runUrl)} for the log.` : "";
  return [
    `### Stack ${code(f.stack)}: preview FAILED`,
    "",
    ...[provenance(ctx)].filter((l): l is string => l !== undefined),
    "",
    `**The preview failed**, so this comment cannot say what would change: ${md(f.message)}.${where}`,
    "",
  ];
}

/** The comment when the push changes no stack: said explicitly, so an older report is never left standing. */
export function noStackMarkdown(marker: string, ctx: PreviewContext): string {
  const sha = ctx.commit ? code(ctx.commit.slice(0, 12)) : "this push";
  const when = [ctx.at ? `checked ${md(ctx.at)}` : undefined, ctx.runUrl ? runLink(ctx.runUrl) : undefined];
  return [
    marker,
    "## slipway preview",
    "",
    `No stack affected by ${sha} (${when.filter(Boolean).join(", ")}).`,
    "",
  ].join("\n");
}

const ms = (n: number) => (n % 60_000 === 0 && n > 0 ? `${n / 60_000} min` : `${n / 1000} s`);

/** The release a merge ships to a stack, from its canary policy: shape, steps, gates, bake, hooks, approval. */
export function releaseOutline(c: StackConfig): string[] {
  const k = c.canary;
  const traffic =
    k.strategy === "blueGreen"
      ? "blue-green: the new version at full size, then one switch to 100%"
      : `canary ${k.steps.map((s) => `${s}%`).join(" → ")}, a step every ${ms(k.interval)}`;
  const gates = k.analysis.map(
    (g) => `${g.provider}${g.query ? ` ${g.query}` : ""}${g.max !== undefined ? ` ≤ ${g.max}` : ""}`,
  );
  const approval = c.approval.requiredReviewers
    ? `${c.approval.requiredReviewers} approval(s) in the ${c.approval.environment} environment${c.approval.fourEyes ? ", four-eyes" : ""}`
    : "no approval";
  return [
    traffic,
    gates.length ? `gates after each step: ${gates.join("; ")} (up to ${k.failureLimit} failed checks)` : "no gates",
    k.bake > 0 ? `bake ${ms(k.bake)} with the previous version kept` : "no bake",
    ...c.hooks.preTraffic.map((h) => `preTraffic hook ${h.name}${h.irreversible ? " (irreversible)" : ""}`),
    ...c.hooks.postPromotion.map((h) => `postPromotion hook ${h.name}`),
    c.backup ? "database snapshot before any traffic moves" : "no backup",
    approval,
    k.soak > 0 ? `the version must have soaked ${ms(k.soak)} on the stage before` : "no soak",
  ];
}

/** "What merging ships": per affected stack, its release plan; folded when long. */
export function shipsSection(ctx: PreviewContext | undefined): string[] {
  const ships = ctx?.ships ?? [];
  if (ships.length === 0) return [];
  const body = ships.flatMap((s) => [`**${code(s.stack)}**`, "", ...s.lines.map((l) => `- ${md(l)}`), ""]);
  return ["### What merging ships", "", ...folded(`The release plan of ${ships.length} stack(s)`, body)];
}
