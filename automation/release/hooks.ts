// Release hooks (`slipway:release.hooks`): the Jobs a promotion runs before any traffic moves (a schema migration with
// the new image) and after the new version became stable, each journaled before and after it runs; and the hold: once
// an irreversible hook ran, a failure leaves traffic where it is (the old version may not read what the hook changed,
// Flagger #1186) and says how to go on. The executor (./canary.ts) decides when; this module runs and records.
import type { HookJob } from "../../stacks/config";
import { fill } from "../analysis/jobRunner";
import type { Deps, HookContext, HookResult } from "../deps";
import { HeldError, JobRefusedError, PolicyError } from "../errors";
import { isSecretPath, SECRET } from "../secrets";
import type { Journal } from "../state/journal";
import type { StackSession } from "../state/session";
import { irreversibleHookRan } from "../state/progress";
import type { Evidence } from "./evidence";
import type { HookPhase, JournalEntry } from "../state/store";
import { humanDuration } from "../report/format";

export interface HookRunContext extends HookContext {
  /** The promotion the runs are journaled under: hooks that ran ok in it earlier (before a hold) are not run again. */
  promotionId: string;
}
export interface HooksOutcome {
  ok: boolean;
  /** The hook that failed; the later hooks of the phase did not run. */
  failed?: string;
  detail: string;
}

/** Names of the hooks of `phase` that ran ok in promotion `promotionId`. Pure. */
export function hooksDone(entries: readonly JournalEntry[], promotionId: string, phase: HookPhase): Set<string> {
  const ok = entries.filter(
    (e) => e.promotionId === promotionId && e.action === "hook" && e.event === "outcome" && e.ok && e.phase === phase,
  );
  return new Set(ok.map((e) => e.hook as string));
}

/** `text` with the value of every env entry whose name says secret (DB_PASSWORD, API_TOKEN) replaced. Pure. */
export function maskHookText(text: string, hook: HookJob, ctx: HookContext): string {
  const vars = { version: ctx.version, namespace: ctx.namespace, service: "" };
  return Object.entries(hook.env ?? {})
    .filter(([name, value]) => isSecretPath(name) && value !== "")
    .flatMap(([, value]) => [value, fill(value, vars)])
    .reduce((t, secret) => t.replaceAll(secret, SECRET), text);
}

async function runOne(d: Deps, note: Journal, phase: HookPhase, hook: HookJob, ctx: HookRunContext, label: string) {
  const who = {
    action: "hook" as const,
    hook: hook.name,
    phase,
    irreversible: hook.irreversible,
    version: ctx.version,
  };
  const image = fill(hook.image, { version: ctx.version, namespace: ctx.namespace, service: "", digests: ctx.digests });
  await note({ ...who, event: "intent", detail: `${phase} hook ${hook.name}: Job from ${image}` });
  d.progress(`${label}: starting its Job from ${image} (timeout ${humanDuration(hook.timeout)})`);
  const started = d.clock.now();
  const where: HookContext = {
    stack: ctx.stack,
    namespace: ctx.namespace,
    version: ctx.version,
    kubeconfigPath: ctx.kubeconfigPath ?? d.kubeconfigPath,
    ...(ctx.digests && { digests: ctx.digests }),
  };
  let r: HookResult;
  let refused: PolicyError | undefined;
  try {
    r =
      d.hooks === undefined
        ? { ok: false, detail: "no Job runner is wired into this driver", durationMs: 0 }
        : await d.hooks(hook, where, d.signal);
  } catch (err) {
    if (err instanceof PolicyError) refused = err;
    r = { ok: false, detail: err instanceof Error ? err.message : String(err), durationMs: d.clock.now() - started };
  }
  const detail = maskHookText(r.detail, hook, ctx);
  await note({ ...who, event: "outcome", ok: r.ok, detail, durationMs: r.durationMs });
  // Refused by policy, the Job was never created: the promotion stops where it is (exit 4), nothing to roll back.
  if (refused) {
    d.progress(`${label}: Job not created: ${detail}`);
    throw new JobRefusedError(`${phase} hook ${hook.name} refused: ${detail}`, refused.detail);
  }
  d.progress(
    `${label}: Job ${r.job ?? "(not created)"} ${r.ok ? "succeeded" : "FAILED"} in ${humanDuration(r.durationMs)}${r.ok ? "" : `: ${detail}`}`,
  );
  return { ok: r.ok, detail };
}

/**
 * Runs the hooks of `phase` in order and stops at the first failure. Each run is journaled: an intent before, an
 * outcome after (ok, the Job's outcome with secrets masked, duration, irreversibility). A hook that ran ok earlier in
 * the same promotion (it was held, then resumed) is not run again: a migration runs once per release.
 */
export async function runHooks(
  d: Deps,
  note: Journal,
  phase: HookPhase,
  hooks: readonly HookJob[],
  ctx: HookRunContext,
): Promise<HooksOutcome> {
  if (hooks.length === 0) return { ok: true, detail: `no ${phase} hooks` };
  const done = hooksDone(await d.state(ctx.stack).read(), ctx.promotionId, phase);
  const ran: string[] = [];
  for (const [i, hook] of hooks.entries()) {
    const label = `${ctx.stack}: ${phase} hook ${i + 1}/${hooks.length} ${hook.name}${hook.irreversible ? " (irreversible)" : ""}`;
    // Interrupted (SIGINT): no new Job is started, least of all a migration.
    if (d.signal.aborted)
      return { ok: false, failed: hook.name, detail: `interrupted before ${phase} hook ${hook.name} ran` };
    if (done.has(hook.name)) {
      d.progress(`${label}: ran ok earlier in this promotion (journal); not run again`);
      continue;
    }
    const r = await runOne(d, note, phase, hook, ctx, label);
    if (!r.ok) return { ok: false, failed: hook.name, detail: `${phase} hook ${hook.name} failed: ${r.detail}` };
    ran.push(hook.name);
  }
  return { ok: true, detail: `${phase} hooks ran ok: ${ran.join(", ") || "none left to run"}` };
}

/** What to do about a hold; the same words in the error, the refusal of abort and status. */
export function holdAdvice(stack: string, version: string): string {
  return (
    `traffic stays where it is; fix forward with slipway promote --stack ${stack} --version ${version} --resume, ` +
    `or route back anyway with slipway abort --stack ${stack} --force`
  );
}

/** Why a promotion holds. */
export function irreversibleReason(hook: string): string {
  return `hook ${hook} is irreversible: the old version may not read the database`;
}

export interface Hold {
  stack: string;
  version: string;
  /** The canary weight traffic stays at. */
  weight: number;
  /** The irreversible hook that ran (irreversibleHookRan). */
  hook: string;
  /** What failed, e.g. "gates failed at 30%: ...". */
  cause: string;
}

export function heldError(h: Hold): HeldError {
  return new HeldError(
    `${h.stack}: ${h.version} held at ${h.weight}% after ${h.cause} (${irreversibleReason(h.hook)}): ${holdAdvice(h.stack, h.version)}`,
    { stack: h.stack, version: h.version, weight: h.weight, hook: h.hook, cause: h.cause },
  );
}

/**
 * Ends the promotion as held instead of rolling it back: an `end` entry with status "held" (the promotion stays open
 * for `promote --resume` and `abort --force`), a progress line, and the error to throw (exit 3).
 */
export async function hold(d: Deps, note: Journal, h: Hold, evidence?: Evidence): Promise<HeldError> {
  await note({
    event: "end",
    action: "promote",
    status: "held",
    ok: false,
    version: h.version,
    weight: h.weight,
    hook: h.hook,
    irreversible: true,
    detail: `${h.cause}; held at ${h.weight}% (${irreversibleReason(h.hook)})`,
    evidence,
  });
  d.progress(`${h.stack}: HOLD at ${h.weight}%: ${irreversibleReason(h.hook)}; not rolling back`);
  return heldError(h);
}

/**
 * For the executor's failure path: when an irreversible hook ran in `promotionId` (from the journal), ends the
 * promotion as held at the weight the release record holds and resolves to the error to throw; else undefined, and
 * the caller rolls back as usual. An `abort --force` request for the promotion (another job's) also leaves it to the
 * rollback: the operator chose to route back.
 */
export async function holdIfIrreversible(
  d: Deps,
  s: StackSession,
  note: Journal,
  o: { promotionId: string; version: string; cause: string; evidence?: Evidence },
): Promise<HeldError | undefined> {
  const hook = irreversibleHookRan(await s.state.read(), o.promotionId);
  if (hook === undefined) return undefined;
  const asked = await s.state.abortRequest();
  if (asked?.promotionId === o.promotionId && asked.force) {
    d.progress(`${s.stack}: abort --force by ${asked.by}: rolling back although ${irreversibleReason(hook)}`);
    return undefined;
  }
  const weight = s.rel.config.release.canaryWeight;
  return hold(d, note, { stack: s.stack, version: o.version, weight, hook, cause: o.cause }, o.evidence);
}
