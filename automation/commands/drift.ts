// `slipway drift`: a preview-only refresh per stack; exit 2 on drift. Every check is journaled (state/drift.ts), so the
// report says since when a drift stands. `--remediate` runs an update that restores the desired state: outside CI only
// with `--yes` (the drift found is its preview), and never on protected data-tier resources unless `--force`.
import { origin } from "../release/evidence";
import type { Deps } from "../deps";
import { EXIT, InputError } from "../errors";
import { withStackLock } from "../state/lock";
import { DriftHistory, driftHistory, journalDriftCheck } from "../state/drift";
import { driftFinding, isProtectedType, PROTECTED_TYPE_PREFIXES } from "../report/drift";
import type { DriftResult } from "../types";
import { manyStacks, text } from "./args";
import { JSON_OPTION, STACKS_OPTION, Verb } from "./command";
import type { StacksArgs } from "./preview";
import { humanDuration } from "../report/format";

export { PROTECTED_TYPE_PREFIXES };

export interface DriftArgs extends StacksArgs {
  markdown?: string;
  remediate: boolean;
  force: boolean;
  /** `--remediate --yes`: run the update outside CI without asking (absent = not given). */
  yes?: boolean;
}

export interface DriftOutcome {
  results: DriftResult[];
  drifted: boolean;
  remediated: string[];
  /** Per stack: the last check and the open drift's first seen, last seen and duration, from the journal. */
  history: Record<string, DriftHistory>;
  /** Stacks whose check could not be journaled (another command held the lock). */
  unjournaled: string[];
}

export function protectedDrift(r: DriftResult): string[] {
  return r.drifted.filter((c) => isProtectedType(c.type)).map((c) => `${c.type} ${c.name}`);
}

/** CI=true or GITHUB_ACTIONS=true: a pipeline, where no one can answer a question. */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === "true" || env.GITHUB_ACTIONS === "true";
}

function guardProtected(r: DriftResult): void {
  const guarded = protectedDrift(r);
  if (guarded.length > 0) {
    throw new InputError(
      `${r.stack}: drift on protected data-tier resources (${guarded.join(", ")}); inspect them, then rerun with --remediate --force`,
    );
  }
}

async function remediate(d: Deps, r: DriftResult, force: boolean): Promise<void> {
  if (!force) guardProtected(r);
  await withStackLock(d, r.stack, "drift --remediate", async (s) => {
    const note = s.note();
    await note({
      event: "intent",
      action: "remediate",
      detail: r.drifted.map((c) => c.name).join(", "),
      release: s.rel.current?.record.release,
      evidence: origin(d),
    });
    await d.engine.up(r.stack, { refresh: true, signal: d.signal, message: "slipway drift --remediate" });
    await note({ event: "outcome", action: "remediate", ok: true });
  });
}

/** Refresh-previews and journals each stack's check; reads back its drift history. */
async function check(d: Deps, a: DriftArgs): Promise<Omit<DriftOutcome, "drifted" | "remediated">> {
  const results: DriftResult[] = [];
  const history: Record<string, DriftHistory> = {};
  const unjournaled: string[] = [];
  for (const stack of a.stacks) {
    const r = await d.engine.previewRefresh(stack, { signal: d.signal });
    d.progress(`${stack}: ${r.drifted.length} drifted resources (${humanDuration(r.durationMs)})`);
    results.push(r);
    if (!(await journalDriftCheck(d, stack, driftFinding(r)))) unjournaled.push(stack);
    history[stack] = driftHistory(await d.state(stack).read());
  }
  return { results, history, unjournaled };
}

export async function drift(d: Deps, a: DriftArgs): Promise<DriftOutcome> {
  const { results, history, unjournaled } = await check(d, a);
  if (a.markdown) await d.writeFile(a.markdown, d.renderers.driftMarkdown(results, history));
  d.summary?.(d.renderers.driftMarkdown(results, history));
  const remediated: string[] = [];
  const todo = results.filter((x) => x.drifted.length > 0);
  if (a.remediate && !a.force) for (const r of todo) guardProtected(r);
  if (a.remediate && todo.length > 0 && !a.yes && !inCi()) {
    d.progress(d.renderers.driftText(todo, history).trimEnd());
    throw new InputError(
      `--remediate would run an update on ${todo.map((r) => r.stack).join(", ")} to undo the drift above; review it, then rerun with --yes`,
    );
  }
  if (a.remediate) {
    for (const r of todo) {
      await remediate(d, r, a.force);
      remediated.push(r.stack);
    }
  }
  const drifted = results.some((r) => r.drifted.length > 0) && remediated.length === 0;
  return { results, drifted, remediated, history, unjournaled };
}

export const driftVerb: Verb<DriftArgs> = {
  words: ["drift"],
  description: "refresh-preview each stack, journal the check and report drifted resources; exit 2 on drift",
  options: [
    STACKS_OPTION,
    { flags: "--markdown <file>", help: "write the Markdown report" },
    { flags: "--remediate", help: "run an update restoring the desired state" },
    { flags: "--force", help: "with --remediate: also touch protected data-tier resources" },
    { flags: "--yes", help: "with --remediate outside CI: run the update the drift report previews" },
    JSON_OPTION,
  ],
  parse(o, stacks) {
    if (o.force === true && o.remediate !== true)
      throw new InputError("--force only goes with --remediate: add --remediate, or drop --force");
    if (o.yes === true && o.remediate !== true)
      throw new InputError("--yes only goes with --remediate: add --remediate, or drop --yes");
    return {
      stacks: manyStacks(o, stacks),
      json: o.json === true,
      markdown: text(o, "markdown", "--markdown"),
      remediate: o.remediate === true,
      force: o.force === true,
      ...(o.yes === true ? { yes: true } : {}),
    };
  },
  async run(d, a) {
    const r = await drift(d, a);
    const text =
      d.renderers.driftText(r.results, r.history) +
      (r.remediated.length ? `remediated: ${r.remediated.join(", ")}\n` : "");
    return { code: r.drifted ? EXIT.drift : EXIT.ok, json: r, text, outcome: r.drifted ? "drift" : "ok" };
  },
};
