// `slipway rollback`: return a stack to its last good release, fast, like `kubectl rollout undo`. The target is the
// newest version the stack's verified journal shows it ran to completion before the one serving, or --to. The stage
// order does not apply. Admission (approval, freeze) as for promote; under the stack's lock; journaled as its own
// change record. --restore-database also restores the primary database from the snapshot taken before the release it
// backs out (./rollbackTarget.ts says what is refused, automation/release/revert.ts runs the updates).
import { humanDuration } from "../report/format";
import { failedSummary, rollbackSummary } from "../report/jobSummary";
import type { Deps } from "../deps";
import { EXIT, InputError, LockedError } from "../errors";
import { admit, engineUpdates, Evidence, origin } from "../release/evidence";
import type { BreakGlass } from "../release/freeze";
import { finishInterruptedRollback, revert, revertPlan } from "../release/revert";
import { headOf } from "../state/chain";
import { StackSession, withStackLock } from "../state/lock";
import { readRelease } from "../state/release";
import type { RollbackRecord } from "../state/rollbacks";
import type { RestoreFrom } from "../state/store";
import { checkVersion } from "../../contract/release";
import { check, freeText, oneStack, text } from "./args";
import { APPROVED_BY_OPTION, glassLine, JSON_OPTION, Opts, Verb } from "./command";
import { Target, targetOf, verifiedJournal } from "./rollbackTarget";

export interface RollbackArgs {
  stack: string;
  /** The version to return to; default: the previous good one. */
  to?: string;
  reason: string;
  canary: boolean;
  breakGlass: boolean;
  approvedBy?: string;
  dryRun: boolean;
  restoreDatabase: boolean;
  json: boolean;
}

export interface RollbackResult {
  stack: string;
  status: "completed" | "dry-run";
  from: string;
  to: string;
  rollbackId?: string;
  canary: boolean;
  restoredFrom?: RestoreFrom;
  breakGlass?: BreakGlass;
  journalHead?: string;
  durationMs: number;
}

async function dryRun(d: Deps, a: RollbackArgs, t: Target, started: number): Promise<RollbackResult> {
  const rel = await readRelease(d.engine, d.state(a.stack), a.stack);
  const plan = revertPlan({ stack: a.stack, rel }, await d.engine.outputs(a.stack), { ...a, version: t.to, ...t });
  d.progress(
    `${a.stack}: dry run: rollback ${t.from} -> ${t.to}: ${plan.updates.map((u) => u.label).join(" -> ")}; previewing the first update`,
  );
  await d.engine.preview(a.stack, { release: plan.updates[0].release, signal: d.signal });
  return { ...base(a, t), status: "dry-run", durationMs: d.clock.now() - started };
}

function base(a: RollbackArgs, t: Target) {
  return { stack: a.stack, from: t.from, to: t.to, canary: a.canary, restoredFrom: t.restoreFrom };
}

/** The restore's preview, printed before the update that applies it: what it creates and replaces, policy results. */
async function previewRestore(d: Deps, a: RollbackArgs, s: StackSession, t: Target): Promise<void> {
  const plan = revertPlan(s, await d.engine.outputs(a.stack), { ...a, version: t.to, ...t });
  const p = await d.engine.preview(a.stack, { release: plan.updates[0].release, signal: d.signal });
  const counts = Object.entries(p.counts)
    .filter(([op, n]) => op !== "same" && (n ?? 0) > 0)
    .map(([op, n]) => `${n} to ${op}`);
  const named = p.changes.filter((c) => c.op !== "same").map((c) => `${c.op} ${c.type} ${c.name}`);
  d.progress(
    `${a.stack}: preview of the restore from ${t.restoreFrom!.snapshotId}: ${counts.join(", ") || "no changes"}${named.length ? `: ${named.join("; ")}` : ""}`,
  );
}

export async function rollback(d: Deps, a: RollbackArgs): Promise<RollbackResult> {
  const started = d.clock.now();
  // Every refusal before the lock and before the engine changes anything.
  const entries = await verifiedJournal(d.state(a.stack), a.stack);
  const rel = await readRelease(d.engine, d.state(a.stack), a.stack);
  const first = targetOf(a, rel.config, entries);
  if (a.dryRun) return dryRun(d, a, first, started);
  const rule = rel.config.approval;
  const admitted = await admit(d, a.stack, { freeze: rel.config.freeze, approval: rule.rollback ?? rule }, a);
  try {
    return await withStackLock(d, a.stack, "rollback", async (s) => {
      // Read again under the lock: another runner may have changed the stack since.
      let entries = await verifiedJournal(s.state, a.stack);
      // A rollback whose driver stopped is finished first; asked for nothing else, this one is then done.
      const finished = await finishInterruptedRollback(d, s, entries);
      if (finished && (a.to === undefined || a.to === finished.to))
        return finishedResult(d, s, a, finished, started, admitted.breakGlass);
      if (finished) entries = await s.state.read();
      const t = targetOf(a, s.rel.config, entries);
      return rollbackLocked(d, s, a, t, { ...origin(d), ...admitted }, started);
    });
  } catch (err) {
    if (!(err instanceof LockedError) || (await d.state(a.stack).holder()) === undefined) throw err;
    throw new LockedError(
      `${err.message.split("\n")[0]}; nothing was rolled back: wait for it to end and roll back then, or stop a promotion with slipway abort --stack ${a.stack}`,
      err.detail,
    );
  }
}

/** Whether this session's rollback already has its end in the journal. */
async function closed(s: StackSession): Promise<boolean> {
  return (await s.state.read()).some((e) => e.promotionId === s.id && e.event === "end");
}

/** The result of a rerun that finished an interrupted rollback, reported as that rollback. */
async function finishedResult(
  d: Deps,
  s: StackSession,
  a: RollbackArgs,
  r: RollbackRecord,
  started: number,
  breakGlass?: BreakGlass,
): Promise<RollbackResult> {
  const journalHead = headOf(await s.state.records());
  const durationMs = d.clock.now() - started;
  const reason = r.reason ?? a.reason;
  d.summary?.(rollbackSummary({ stack: a.stack, from: r.from, to: r.to, reason, durationMs, journalHead }));
  const t = { from: r.from, to: r.to, restoreFrom: r.restoreFrom };
  return {
    ...base(a, t),
    canary: false,
    status: "completed",
    rollbackId: r.rollbackId,
    breakGlass,
    journalHead,
    durationMs,
  };
}

async function rollbackLocked(
  d: Deps,
  s: StackSession,
  a: RollbackArgs,
  t: Target,
  evidence: Evidence,
  started: number,
): Promise<RollbackResult> {
  if (t.restoreFrom) await previewRestore(d, a, s, t);
  const note = s.note();
  await note({
    event: "start",
    action: "rollback",
    version: t.to,
    stableVersion: t.from,
    approvedBy: evidence.approval?.approvers.join(", "),
    reason: a.reason,
    host: d.host.hostname,
    pid: d.host.pid,
    detail: [
      a.canary ? "through canary steps" : "one update",
      t.restoreFrom && `restore the database from ${t.restoreFrom.snapshotId}`,
    ]
      .filter(Boolean)
      .join("; "),
    evidence,
  });
  d.progress(`${a.stack}: rolling back ${t.from} -> ${t.to}: ${a.reason}`);
  const deployment = (await d.githubDeployment?.({ environment: a.stack, version: t.to })) ?? {
    status: async () => undefined,
  };
  await deployment.status("in_progress", `rollback ${t.from} -> ${t.to}: ${a.reason}`);
  try {
    const how = { version: t.to, reason: a.reason, restoreFrom: t.restoreFrom, canary: a.canary, startedAt: started };
    await revert(d, s, how);
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    // A gate that failed afterwards, or the canary executor, closed the record; any other failure closes it here, so
    // the next command starts from a consistent journal (the release record still names what the stack serves).
    if (!(await closed(s)))
      await note({ event: "end", action: "rollback", status: "failed", version: t.to, detail: why });
    await deployment.status("failure", why);
    d.summary?.(failedSummary("rollback", a.stack, "failed", why));
    throw err;
  }
  await deployment.status("success", `rolled back to ${t.to}`);
  await note({
    event: "end",
    action: "rollback",
    status: "completed",
    version: t.to,
    durationMs: d.clock.now() - started,
    evidence: await engineUpdates(d, a.stack, started),
  });
  d.progress(`${a.stack}: rolled back to ${t.to} in ${humanDuration(d.clock.now() - started)}`);
  const journalHead = headOf(await s.state.records());
  const durationMs = d.clock.now() - started;
  d.summary?.(rollbackSummary({ stack: a.stack, from: t.from, to: t.to, reason: a.reason, durationMs, journalHead }));
  return {
    ...base(a, t),
    status: "completed",
    rollbackId: s.id,
    breakGlass: evidence.breakGlass,
    journalHead,
    durationMs: d.clock.now() - started,
  };
}

function parseRollback(o: Opts, stacks: readonly string[]): RollbackArgs {
  const stack = oneStack(o, stacks);
  const to = text(o, "to", "--to");
  if (to !== undefined) check("--to", to, checkVersion(to));
  const reason = freeText(o, "reason", "--reason");
  if (reason === undefined)
    throw new InputError('--reason is required: say why the stack goes back, e.g. --reason "INC-4411 error rate"');
  const canary = o.canary === true;
  const restoreDatabase = o.restoreDatabase === true;
  if (canary && restoreDatabase)
    throw new InputError(
      "--restore-database restores in the rollback's one update: drop --canary, or drop --restore-database",
    );
  return {
    stack,
    to,
    reason,
    canary,
    breakGlass: o.breakGlass === true,
    approvedBy: freeText(o, "approvedBy", "--approved-by"),
    dryRun: o.dryRun === true,
    restoreDatabase,
    json: o.json === true,
  };
}

function rollbackLine(r: RollbackResult): string {
  const db = r.restoredFrom ? `, database restored from ${r.restoredFrom.snapshotId}` : "";
  if (r.status === "dry-run")
    return `dry run: ${r.stack} would roll back ${r.from} -> ${r.to}${r.canary ? " through canary steps" : " in one update"}${db}; nothing changed\n`;
  const head = r.journalHead ? `; journal head ${r.journalHead}` : "";
  return `${r.stack} rolled back ${r.from} -> ${r.to}${db} (${humanDuration(r.durationMs)})${head}\n`;
}

export const rollbackVerb: Verb<RollbackArgs> = {
  words: ["rollback"],
  description: "return a stack to its last good release (one update; the stage order does not apply)",
  options: [
    { flags: "--stack <name>", help: "stack to roll back" },
    { flags: "--to <version>", help: "a version this stack completed before (default: the previous good one)" },
    { flags: "--reason <text>", help: "why the stack goes back; required, recorded" },
    { flags: "--canary", help: "go back through the stack's canary steps and gates instead of one update" },
    { flags: "--break-glass", help: "override a change freeze (journaled, flagged in every report)" },
    APPROVED_BY_OPTION,
    { flags: "--dry-run", help: "print the target and preview the update; change nothing" },
    {
      flags: "--restore-database",
      help: "also restore the primary database from the snapshot taken before the release backed out (new instance; the old one is kept)",
    },
    JSON_OPTION,
  ],
  parse: parseRollback,
  async run(d, a) {
    const r = await rollback(d, a);
    return {
      code: EXIT.ok,
      json: r,
      text: glassLine(r.breakGlass) + rollbackLine(r),
      outcome: r.status === "dry-run" ? "dry-run" : "rolled-back",
    };
  },
};
