// `slipway abort`: roll the canary of a stack back now (weight 0, canary cleared, stable untouched). While another
// job's promotion holds the stack (a canary step's interval, the bake window), the abort is a request that promotion
// reads at its next check and answers with its own rollback; this command waits for that answer. After an
// irreversible hook ran in the open (or running) promotion it refuses unless --force: the old version may not read
// the database.
import { rollback } from "../release/canary";
import { rollbackPlan } from "../release/plan";
import type { Deps } from "../deps";
import { EXIT, InputError, LockedError } from "../errors";
import { holdAdvice, irreversibleReason } from "../release/hooks";
import { withStackLock } from "../state/lock";
import { irreversibleHookRan, openPromotion, PromotionRecord } from "../state/progress";
import { origin } from "../release/evidence";
import type { JournalEntry } from "../state/store";
import { freeText, oneStack } from "./args";
import { JSON_OPTION, Verb } from "./command";
import type { StackArgs } from "./up";

export interface AbortArgs extends StackArgs {
  reason?: string;
  /** Route back even after an irreversible hook ran in the open promotion. */
  force: boolean;
}

/** How long an abort waits for the promotion holding the lock to answer its request: one update and its check. */
export const ABORT_WAIT_MS = 15 * 60_000;
const POLL_MS = 1000;

export interface AbortResult {
  stack: string;
  rolledBack: boolean;
  canaryVersion?: string;
  /** The irreversible hook --force routed back past. */
  forcedPast?: string;
}

/** The irreversible hook of the open promotion that --force overrides; refuses without --force. */
function irreversibleGate(a: AbortArgs, open: PromotionRecord | undefined, hook: string | undefined): void {
  if (open === undefined || hook === undefined || a.force) return;
  throw new InputError(
    `${a.stack}: not rolled back: ${irreversibleReason(hook)}, and it ran in promotion ${open.promotionId} of ${open.version}; ${holdAdvice(a.stack, open.version)}`,
  );
}

export async function abort(d: Deps, a: AbortArgs): Promise<AbortResult> {
  try {
    return await abortLocked(d, a);
  } catch (err) {
    const holder = err instanceof LockedError ? await d.state(a.stack).holder() : undefined;
    if (holder?.command !== "promote") throw err;
    return askPromotion(d, a, holder.promotionId);
  }
}

/** Asks the running promotion to roll back and waits for its end entry in the journal. */
async function askPromotion(d: Deps, a: AbortArgs, promotionId: string): Promise<AbortResult> {
  const state = d.state(a.stack);
  const entries = await state.read();
  const running = openPromotion(entries);
  irreversibleGate(
    a,
    running?.promotionId === promotionId ? running : undefined,
    irreversibleHookRan(entries, promotionId),
  );
  const by = d.ci?.actor ?? d.host.user ?? `${d.host.hostname}:${d.host.pid}`;
  const requestedAt = new Date(d.clock.now()).toISOString();
  await state.requestAbort({ promotionId, requestedAt, by, reason: a.reason, force: a.force || undefined });
  d.progress(`${a.stack}: promotion ${promotionId} holds the stack; asked it to roll back, waiting for its answer`);
  const until = d.clock.now() + ABORT_WAIT_MS;
  while (d.clock.now() < until) {
    const end = (await state.read()).find((e: JournalEntry) => e.promotionId === promotionId && e.event === "end");
    if (end !== undefined) {
      d.progress(`${a.stack}: promotion ${promotionId} ended: ${end.status}${end.detail ? ` (${end.detail})` : ""}`);
      return { stack: a.stack, rolledBack: end.status === "rolled-back", canaryVersion: end.version };
    }
    await d.clock.sleep(POLL_MS, d.signal);
  }
  throw new LockedError(
    `${a.stack}: promotion ${promotionId} did not answer the abort within ${ABORT_WAIT_MS / 60_000} min; it rolls back at its next check, or run slipway abort again`,
  );
}

async function abortLocked(d: Deps, a: AbortArgs): Promise<AbortResult> {
  return withStackLock(d, a.stack, "abort", async (s) => {
    const r = s.rel.config.release;
    const entries = await s.state.read();
    // An open promotion (interrupted or held) is closed by this abort, so the next promote starts clean.
    const open = openPromotion(entries);
    const hook = open && irreversibleHookRan(entries, open.promotionId);
    irreversibleGate(a, open, hook);
    const forced = hook && `--force: routed back although ${irreversibleReason(hook)}`;
    if (forced) d.progress(`${a.stack}: ${forced}`);
    const note = s.note(open?.promotionId ?? s.id);
    const end = { event: "end", action: "abort", status: "rolled-back", ok: true, reason: a.reason } as const;
    if (r.canaryVersion === undefined && r.canaryWeight === 0) {
      if (open === undefined) {
        d.progress(`${a.stack}: no canary runs; nothing to roll back`);
        return { stack: a.stack, rolledBack: false };
      }
      await note({
        ...end,
        detail: [`no canary traffic; closed promotion ${open.promotionId}`, forced].filter(Boolean).join("; "),
      });
      d.progress(`${a.stack}: no canary runs; closed the open promotion ${open.promotionId} of ${open.version}`);
      return { stack: a.stack, rolledBack: false, forcedPast: hook };
    }
    await rollback(d, s, note, rollbackPlan(s.rel, await d.engine.outputs(a.stack)), a.reason ?? "slipway abort", {
      action: "abort",
      version: r.canaryVersion,
      weight: r.canaryWeight,
      reason: a.reason,
      detail: forced,
      evidence: origin(d),
    });
    await note({ ...end, detail: forced });
    return { stack: a.stack, rolledBack: true, canaryVersion: r.canaryVersion, forcedPast: hook };
  });
}

export const abortVerb: Verb<AbortArgs> = {
  words: ["abort"],
  description: "roll the canary of a stack back now (weight 0, canary cleared)",
  options: [
    { flags: "--stack <name>", help: "stack whose canary to roll back" },
    { flags: "--reason <text>", help: "recorded in the journal" },
    {
      flags: "--force",
      help: "roll back even after an irreversible hook (a schema migration) ran: the old version may not read the database",
    },
    JSON_OPTION,
  ],
  parse: (o, stacks) => ({
    stack: oneStack(o, stacks),
    json: o.json === true,
    reason: freeText(o, "reason", "--reason"),
    force: o.force === true,
  }),
  async run(d, a) {
    const r = await abort(d, a);
    const text =
      (r.rolledBack ? `${r.stack}: canary ${r.canaryVersion} rolled back` : `${r.stack}: no canary to roll back`) +
      (r.forcedPast ? ` (--force past the irreversible hook ${r.forcedPast})\n` : "\n");
    return { code: EXIT.ok, json: r, text, outcome: "ok" };
  },
};
