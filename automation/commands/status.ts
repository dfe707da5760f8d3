// `slipway status`: per stack its state in the backend, the release its record holds (stable and canary versions,
// weight), the last promotion and the lock holder. Every runner reads the same record, so every runner reports the
// same release. A stack that is not deployed, or whose backend is not configured, is listed as such.
import { environmentOfStack } from "../../contract/release";
import type { StacksArgs } from "./preview";
import type { Deps } from "../deps";
import { EXIT, SlipwayError } from "../errors";
import { lastPromotion, PromotionRecord } from "../state/progress";
import { lastRollback, RollbackRecord } from "../state/rollbacks";
import { openRelease, readRelease } from "../state/release";
import type { LockHolder } from "../state/store";
import { DriftHistory, driftHistory } from "../state/drift";
import { holderAlive } from "./watchView";

export { holderAlive };
import { activeWindow, nextWindow, Occurrence } from "../release/freeze";
import { holdAdvice, irreversibleReason } from "../release/hooks";
import { manyStacks } from "./args";
import { JSON_OPTION, Opts, STACKS_OPTION, Verb } from "./command";
import { InputError } from "../errors";
import { POLL_OPTION, statusWatch, TIMEOUT_OPTION, watchDone, watchTimes } from "./watch";

/** `status`; with `--watch` (one stack) a live view until its promotion ends (watch.ts). */
export interface StatusArgs extends StacksArgs {
  watch?: true;
  intervalMs?: number;
  timeoutMs?: number;
}
import { mayContinue } from "./promoteContinue";

export type StackState = "deployed" | "not deployed" | "no backend configured";

export interface StackStatus {
  stack: string;
  state: StackState;
  stableVersion?: string;
  serviceVersions?: Record<string, string>;
  canaryVersion?: string;
  canaryWeight?: number;
  canaryServices?: string[];
  /** A canary version rolled back (never served), whose Deployments wait at zero replicas for the next promotion. */
  rolledBackVersion?: string;
  /** Which version of the release record this is, where it lives, and who wrote it. */
  record?: { seq: number; location: string; updatedAt: string; writtenBy: string; command: string };
  lastPromotion?: PromotionRecord;
  /** The last `slipway rollback` of the stack: from and to which version, why, how it ended. */
  lastRollback?: RollbackRecord;
  lock?: LockHolder;
  /**
   * Set when the last promotion has no end: true while a live driver holds the stack's lock (its pid alive on this
   * host, or a lock held from another host, which its store keeps only while fresh), false when that driver is gone.
   */
  promotionRunning?: boolean;
  /** The last drift check (`slipway drift`): when, and whether it found drift; and since when an open drift stands. */
  drift?: DriftHistory;
  /** Who may continue the last promotion when it is paused (the stack's approval rule, four-eyes against its starter). */
  mayContinue?: string;
  /** The change freeze in force now, and the next one to start (deployed stacks). */
  freeze?: { active?: Occurrence; next?: Occurrence };
}

function missingStack(err: unknown): boolean {
  return err instanceof SlipwayError && err.detail.stackMissing === true;
}

async function one(d: Deps, stack: string): Promise<StackStatus> {
  if (d.backendUrl === undefined && environmentOfStack(stack) !== "local")
    return { stack, state: "no backend configured" };
  const state = d.state(stack);
  let outputs: Record<string, unknown>;
  try {
    outputs = await d.engine.outputs(stack);
  } catch (err) {
    if (missingStack(err)) return { stack, state: "not deployed" };
    throw err;
  }
  const deployed = outputs.services !== undefined;
  // A deployed stack without a record migrates now; one never deployed gets its record from its first update.
  const rel = deployed
    ? await openRelease(d.engine, state, stack, {
        id: d.newId(),
        command: "status",
        now: () => d.clock.now(),
        progress: d.progress,
      })
    : await readRelease(d.engine, state, stack);
  const r = rel.config.release;
  const rec = rel.current?.record;
  const entries = await state.read();
  const last = lastPromotion(entries);
  return {
    stack,
    state: deployed ? "deployed" : "not deployed",
    stableVersion: r.stableVersion,
    serviceVersions: r.serviceVersions,
    canaryVersion: r.canaryVersion,
    canaryWeight: r.canaryWeight,
    canaryServices: r.canaryServices,
    rolledBackVersion: r.rolledBackVersion,
    record: rec && {
      seq: rec.seq,
      location: state.location,
      updatedAt: rec.updatedAt,
      writtenBy: rec.writtenBy,
      command: rec.command,
    },
    ...promotionState(d, last, await state.holder()),
    ...(last?.status === "paused" ? { mayContinue: mayContinue(rel.config.approval, last.startedBy) } : {}),
    lastRollback: lastRollback(entries),
    drift: driftHistory(entries),
    freeze: {
      active: activeWindow(rel.config.freeze, d.clock.now()),
      next: nextWindow(rel.config.freeze, d.clock.now()),
    },
  };
}

function promotionState(
  d: Deps,
  last: PromotionRecord | undefined,
  lock: LockHolder | undefined,
): Pick<StackStatus, "lastPromotion" | "lock" | "promotionRunning"> {
  if (last === undefined || last.status !== undefined) return { lastPromotion: last, lock };
  return { lastPromotion: last, lock, promotionRunning: holderAlive(d, lock) };
}

export async function status(d: Deps, a: StacksArgs): Promise<StackStatus[]> {
  const out: StackStatus[] = [];
  for (const stack of a.stacks) out.push(await one(d, stack));
  return out;
}

function releaseLine(s: StackStatus): string {
  const canary = s.canaryVersion
    ? `${s.canaryVersion} at ${s.canaryWeight}% on ${s.canaryServices!.join(", ")}`
    : s.rolledBackVersion
      ? `none (${s.rolledBackVersion} rolled back, at zero replicas)`
      : "none";
  return `${s.stack}: stable ${s.stableVersion}, canary ${canary} (${s.state})`;
}

export function statusText(all: StackStatus[]): string {
  return (
    all
      .map((s) => {
        if (s.state === "no backend configured")
          return `${s.stack}: no backend configured (export PULUMI_BACKEND_URL to read it)`;
        if (s.stableVersion === undefined) return `${s.stack}: not deployed (no such stack in the backend)`;
        const p = s.lastPromotion;
        const glass = p?.breakGlass ? `, BREAK-GLASS: ${p.breakGlass}` : "";
        const last = p
          ? `${p.action} ${p.version} ${outcomeText(s, p)} (${p.startedAt}${p.approvedBy ? `, approved by ${p.approvedBy}` : ""}${glass})`
          : "none";
        const rec = s.record;
        return [
          releaseLine(s),
          `  release record: ${rec ? `version ${rec.seq} at ${rec.location}, written by ${rec.command} ${rec.writtenBy} at ${rec.updatedAt}` : "none"}`,
          `  last promotion: ${last}`,
          ...(s.lastRollback ? [`  last rollback: ${rollbackText(s.lastRollback, s)}`] : []),
          `  lock: ${s.lock ? `${s.lock.command} ${s.lock.promotionId} pid ${s.lock.pid} on ${s.lock.host} since ${s.lock.startedAt}` : "free"}`,
          `  last drift check: ${driftText(s.drift)}`,
          ...(s.freeze ? [`  freeze: ${freezeText(s.freeze)}`] : []),
        ].join("\n");
      })
      .join("\n") + "\n"
  );
}

/** How the last promotion ended; a held one says why and how to go on. */
function outcomeText(s: StackStatus, p: PromotionRecord): string {
  if (p.status === "held")
    return `HELD at ${s.canaryWeight ?? 0}% (${irreversibleReason(p.irreversibleHook ?? "?")}): ${holdAdvice(s.stack, p.version)}`;
  if (p.status === "paused")
    return `PAUSED at ${p.pausedAt?.weight ?? s.canaryWeight ?? 0}% after step ${(p.pausedAt?.step ?? -1) + 1}/${p.steps.length}: ${s.mayContinue ?? "anyone"} may continue with slipway promote --stack ${s.stack} --continue (or roll back with slipway abort --stack ${s.stack})`;
  return p.status ?? (s.promotionRunning ? "RUNNING" : "INTERRUPTED");
}

function rollbackText(r: RollbackRecord, s: StackStatus): string {
  const finish = `INTERRUPTED: the next slipway rollback --stack ${s.stack} (or promote) finishes it`;
  const how = r.status ?? (s.promotionRunning ? "RUNNING" : finish);
  return `${r.from} -> ${r.to} ${how} (${r.startedAt}${r.reason ? `, reason: ${r.reason}` : ""})`;
}

function driftText(h: DriftHistory | undefined): string {
  const last = h?.lastCheck;
  if (last === undefined) return "none journaled";
  const open = h!.open ? ` (first seen ${h!.open.firstSeen})` : "";
  return `${last.at} ${last.status === "drifted" ? "DRIFTED" : "clean"}${open}`;
}

function freezeText(f: NonNullable<StackStatus["freeze"]>): string {
  const now = f.active ? `FROZEN by "${f.active.name}" until ${f.active.end}; ` : "";
  return `${now}${f.next ? `next "${f.next.name}" ${f.next.start} -> ${f.next.end}` : "no window ahead"}`;
}

function parseStatus(o: Opts, present: readonly string[]): StatusArgs {
  const stacks = manyStacks(o, present);
  const base = { stacks, json: o.json === true };
  if (o.watch !== true) {
    if (o.interval !== undefined || o.timeout !== undefined)
      throw new InputError("--interval and --timeout go with --watch: add --watch, or drop them");
    return base;
  }
  if (o.stack === undefined || stacks.length !== 1)
    throw new InputError("--watch follows one stack: name it once, e.g. slipway status --stack dev --watch");
  return { ...base, watch: true, ...watchTimes(o) };
}

export const statusVerb: Verb<StatusArgs> = {
  words: ["status"],
  description: "stable and canary versions, weight, last promotion and lock holder per stack",
  options: [
    STACKS_OPTION,
    { flags: "--watch", help: "redraw one stack's promotion until it ends; exit with its outcome's code" },
    POLL_OPTION,
    TIMEOUT_OPTION,
    JSON_OPTION,
  ],
  parse: parseStatus,
  async run(d, a) {
    if (a.watch) return watchDone(await statusWatch(d, { stack: a.stacks[0], ...a }));
    const r = await status(d, a);
    return { code: EXIT.ok, json: r, text: statusText(r), outcome: "ok" };
  },
};
