// The plan side of `slipway promote`: the stage check, the release plan from the arguments and the stack, the dry run
// (the plan and the previews of its first and final updates, written with their digest by --plan-out) and the check of
// an apply against the reviewed plan (--plan-digest, --plan-file).
import * as fs from "fs";
import { previousStage } from "../../contract/release";
import { canariedServices } from "../release/values";
import { readPromotionDigests } from "../release/digests";
import type { StackConfig } from "../../stacks/config";
import { planRelease, ReleasePlan } from "../release/plan";
import type { Deps } from "../deps";
import { InputError } from "../errors";
import { stageReadiness } from "../state/progress";
import { readRelease, StackRelease } from "../state/release";
import type { Resumption } from "./recover";
import { previewSummary } from "../release/evidence";
import { activeWindow } from "../release/freeze";
import { PLAN_KIND, planDifferences, planDigest, PlanDocument, planDocument, planFile } from "../release/planDigest";
import { verifyStack } from "../state/integrity";
import type { PreviewResult } from "../types";
import { mdCode } from "../report/markdown";

/** What the plan reads of the promote arguments (commands/promote.ts PromoteArgs). */
export interface PlanArgs {
  stack: string;
  version: string;
  steps?: number[];
  pauseAfter?: number[];
  intervalMs?: number;
  skipCanary: boolean;
  reason?: string;
  services?: string[];
  planOut?: string;
  planDigest?: string;
  planFile?: string;
}

/**
 * `--services` against the stack's catalogue: every name a service of it, canaried unless the canary is skipped (a
 * service the catalogue does not canary ships with the whole release, or alone with --skip-canary).
 */
export function checkServices(config: StackConfig, a: Pick<PlanArgs, "services" | "skipCanary">): void {
  const names = Object.keys(config.catalogue);
  for (const s of a.services ?? []) {
    if (!names.includes(s))
      throw new InputError(
        `--services ${JSON.stringify(s)} is not a service of ${config.stack}: use ${names.join(", ")}`,
      );
    if (!a.skipCanary && !config.catalogue[s].canary)
      throw new InputError(
        `--services ${JSON.stringify(s)} is not canaried (canary false in slipway:services): drop it (it ships when the whole release becomes stable), or add --skip-canary --reason to ship it directly`,
      );
  }
}

export async function checkStage(
  d: Deps,
  a: PlanArgs,
  config: StackConfig,
  services: string[],
): Promise<string | undefined> {
  const prev = previousStage(a.stack, d.stacks);
  if (prev === undefined) return undefined;
  // Admission reads only a verified journal: entries inserted or rewritten by hand must not admit a version.
  const state = d.state(prev);
  const verified = await verifyStack(state);
  if (!verified.ok)
    throw new InputError(
      `${a.stack} is admitted on ${prev}'s journal, which does not verify (${verified.broken!.problem} at ${verified.broken!.ref}: ` +
        `${verified.broken!.detail}): run slipway audit verify --stack ${prev}, restore that journal, then promote again`,
    );
  const ready = stageReadiness(await state.read(), a.version, d.clock.now(), config.canary.soak);
  if (!ready.ok)
    throw new InputError(
      `${a.stack} takes ${a.version} only after ${prev} ran it healthily, but ${ready.why}: promote ${prev} first`,
    );
  const running = (await readRelease(d.engine, state, prev)).config.release.serviceVersions as Record<string, string>;
  const behind = services.filter((s) => running[s] !== a.version);
  if (behind.length > 0)
    throw new InputError(`${prev} no longer runs ${a.version} on ${behind.join(", ")}: promote ${prev} first`);
  return prev;
}

/** The release plan from the arguments, the stack's release and canary policy, and the deployed stack. */
export async function buildPlan(d: Deps, a: PlanArgs, rel: StackRelease, resumed?: Resumption): Promise<ReleasePlan> {
  const c: StackConfig = rel.config;
  const services = resumed?.services ?? a.services ?? canariedServices(c);
  // One build from stage to stage: the digests the stage before recorded for this version (release/digests.ts).
  const at = { stack: a.stack, version: a.version, config: c, services };
  const digests = await readPromotionDigests(d, at, previousStage(a.stack, d.stacks));
  return planRelease({
    digests,
    stack: a.stack,
    version: a.version,
    skipCanary: a.skipCanary,
    reason: a.reason,
    previous: previousStage(a.stack, d.stacks),
    steps: resumed?.steps ?? a.steps ?? c.canary.steps,
    pauseAfter: resumed ? (resumed.pauseAfter ?? []) : a.steps ? (a.pauseAfter ?? []) : (c.canary.pauseAfter ?? []),
    intervalMs: a.intervalMs ?? c.canary.interval,
    services,
    from: resumed?.from ?? 0,
    rel,
    outputs: await d.engine.outputs(a.stack),
    strategy: c.canary.strategy,
    bakeMs: c.canary.bake,
    hooks: {
      preTraffic: c.hooks.preTraffic.map((h) => h.name),
      postPromotion: c.hooks.postPromotion.map((h) => h.name),
    },
    backup: c.backup ? (c.environment === "local" ? "local" : "snapshot") : "none",
  });
}

/** The plan and the previews of its first update and its final stable update, as a reviewer sees them. */
export async function reviewedPlan(
  d: Deps,
  a: PlanArgs,
  rel?: StackRelease,
): Promise<{ plan: ReleasePlan; doc: PlanDocument; previews: PreviewResult[] }> {
  rel ??= await readRelease(d.engine, d.state(a.stack), a.stack);
  const plan = await buildPlan(d, a, rel);
  const first = await d.engine.preview(a.stack, { release: plan.updates[0].release, signal: d.signal });
  const last = plan.updates.at(-1)!;
  const stable =
    last === plan.updates[0] ? first : await d.engine.preview(a.stack, { release: last.release, signal: d.signal });
  const doc = planDocument(plan, rel.config, { first: previewSummary(first), stable: previewSummary(stable) });
  return { plan, doc, previews: last === plan.updates[0] ? [first] : [first, stable] };
}

/**
 * `--dry-run`: the plan and the preview of its first update; with --plan-out also the final update's preview, and the
 * plan file with its digest. Changes nothing.
 */
export async function dryRunPlan(d: Deps, a: PlanArgs): Promise<{ plan: ReleasePlan; digest?: string }> {
  const rel = await readRelease(d.engine, d.state(a.stack), a.stack);
  checkServices(rel.config, a);
  const frozen = activeWindow(rel.config.freeze, d.clock.now());
  if (frozen)
    d.progress(
      `${a.stack}: inside freeze "${frozen.name}" until ${frozen.end}: the promotion itself would be refused without --break-glass --reason`,
    );
  if (a.planOut === undefined) {
    const plan = await buildPlan(d, a, rel);
    d.progress(
      `${a.stack}: plan: ${plan.updates.map((u) => u.label).join(" -> ")} for ${plan.services.join(", ")}; previewing the first update`,
    );
    await d.engine.preview(a.stack, { release: plan.updates[0].release, signal: d.signal });
    return { plan };
  }
  const { plan, doc, previews } = await reviewedPlan(d, a, rel);
  d.progress(
    `${a.stack}: plan: ${plan.updates.map((u) => u.label).join(" -> ")} for ${plan.services.join(", ")}; previewed the first and the final update`,
  );
  const file = planFile(doc);
  await d.writeFile(a.planOut, `${JSON.stringify(file, null, 2)}\n`);
  d.output?.("plan_digest", file.digest);
  d.summary?.(
    `## slipway plan: ${mdCode(a.version)} to ${mdCode(a.stack)}\n\nplan digest (sha256): ${mdCode(file.digest)}\n\n` +
      d.renderers.previewMarkdown(previews),
  );
  return { plan, digest: file.digest };
}

async function readPlanFile(d: Deps, path: string): Promise<PlanDocument> {
  let doc: unknown;
  try {
    doc = JSON.parse(await (d.readFile ?? ((p: string) => fs.promises.readFile(p, "utf8")))(path));
  } catch (err) {
    throw new InputError(
      `--plan-file ${path} cannot be read as JSON (${(err as Error).message.split("\n")[0]}): pass the file promote --dry-run --plan-out wrote`,
    );
  }
  const f = doc as Partial<PlanDocument & { digest: string }>;
  if (typeof doc !== "object" || doc === null || f.kind !== PLAN_KIND || typeof f.digest !== "string")
    throw new InputError(
      `--plan-file ${path} is not a slipway plan (${PLAN_KIND}): pass the file promote --dry-run --plan-out wrote`,
    );
  if (planDigest(f as PlanDocument) !== f.digest)
    throw new InputError(
      `--plan-file ${path} was changed after it was written (its content no longer matches its digest): download the reviewed plan again`,
    );
  return f as PlanDocument;
}

/**
 * The apply job's check: the plan recomputed now must have the digest the reviewer saw. Refuses (before anything
 * changes) naming what differs, from the reviewed plan file when given.
 */
export async function checkPlanDigest(d: Deps, a: PlanArgs): Promise<string | undefined> {
  if (a.planDigest === undefined) return undefined;
  const { doc } = await reviewedPlan(d, a);
  const now = planDigest(doc);
  if (now === a.planDigest) {
    d.progress(`${a.stack}: the plan matches the reviewed plan (sha256 ${now})`);
    return now;
  }
  const reviewed = a.planFile ? await readPlanFile(d, a.planFile) : undefined;
  if (reviewed && planDigest(reviewed) !== a.planDigest)
    throw new InputError(
      `--plan-file ${a.planFile} is not the plan of --plan-digest ${a.planDigest}: pass the reviewed plan's file and digest`,
    );
  const what = reviewed ? planDifferences(reviewed, doc) : [];
  throw new InputError(
    `${a.stack}: the plan is not the one reviewed (sha256 ${a.planDigest}, now ${now})` +
      (what.length > 0 ? `: ${what.join("; ")} differ` : reviewed ? "" : "; pass --plan-file to name what differs") +
      `: run promote --dry-run --plan-out again and have it reviewed`,
  );
}
