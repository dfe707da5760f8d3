// `slipway drift`: a preview-only refresh per stack; exit 2 on drift. `--remediate` runs an update that restores
// the desired state, refusing protected data-tier resources unless `--force`.
import { origin } from "../release/evidence";
import type { Deps } from "../deps";
import { EXIT, InputError } from "../errors";
import { withStackLock } from "../state/lock";
import type { DriftResult } from "../types";
import { manyStacks, text } from "./args";
import { JSON_OPTION, STACKS_OPTION, Verb } from "./command";
import type { StacksArgs } from "./preview";

export interface DriftArgs extends StacksArgs {
  markdown?: string;
  remediate: boolean;
  force: boolean;
}

/** Data whose loss is unrecoverable: an update "restoring" them can replace or wipe what was changed by hand. */
export const PROTECTED_TYPE_PREFIXES = ["aws:rds", "aws:elasticache", "aws:s3", "aws:kms", "aws:secretsmanager"];

export interface DriftOutcome {
  results: DriftResult[];
  drifted: boolean;
  remediated: string[];
}

export function protectedDrift(r: DriftResult): string[] {
  return r.drifted
    .filter((c) => PROTECTED_TYPE_PREFIXES.some((p) => c.type.startsWith(p)))
    .map((c) => `${c.type} ${c.name}`);
}

async function remediate(d: Deps, r: DriftResult, force: boolean): Promise<void> {
  const guarded = protectedDrift(r);
  if (guarded.length > 0 && !force) {
    throw new InputError(
      `${r.stack}: drift on protected data-tier resources (${guarded.join(", ")}); inspect them, then rerun with --remediate --force`,
    );
  }
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

export async function drift(d: Deps, a: DriftArgs): Promise<DriftOutcome> {
  const results: DriftResult[] = [];
  for (const stack of a.stacks) {
    const r = await d.engine.previewRefresh(stack, { signal: d.signal });
    d.progress(`${stack}: ${r.drifted.length} drifted resources (${r.durationMs} ms)`);
    results.push(r);
  }
  if (a.markdown) await d.writeFile(a.markdown, d.renderers.driftMarkdown(results));
  d.summary?.(d.renderers.driftMarkdown(results));
  const remediated: string[] = [];
  if (a.remediate) {
    for (const r of results.filter((x) => x.drifted.length > 0)) {
      await remediate(d, r, a.force);
      remediated.push(r.stack);
    }
  }
  const drifted = results.some((r) => r.drifted.length > 0) && remediated.length === 0;
  return { results, drifted, remediated };
}

export const driftVerb: Verb<DriftArgs> = {
  words: ["drift"],
  description: "refresh-preview each stack and report drifted resources; exit 2 on drift",
  options: [
    STACKS_OPTION,
    { flags: "--markdown <file>", help: "write the Markdown report" },
    { flags: "--remediate", help: "run an update restoring the desired state" },
    { flags: "--force", help: "with --remediate: also touch protected data-tier resources" },
    JSON_OPTION,
  ],
  parse(o, stacks) {
    if (o.force === true && o.remediate !== true)
      throw new InputError("--force only goes with --remediate: add --remediate, or drop --force");
    return {
      stacks: manyStacks(o, stacks),
      json: o.json === true,
      markdown: text(o, "markdown", "--markdown"),
      remediate: o.remediate === true,
      force: o.force === true,
    };
  },
  async run(d, a) {
    const r = await drift(d, a);
    const text =
      d.renderers.driftText(r.results) + (r.remediated.length ? `remediated: ${r.remediated.join(", ")}\n` : "");
    return { code: r.drifted ? EXIT.drift : EXIT.ok, json: r, text, outcome: r.drifted ? "drift" : "ok" };
  },
};
