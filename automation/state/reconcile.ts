// A driver killed between an update and the record write leaves the journal's last intent open: the release it was
// applying is in that intent. Under the lock, the next command finds it, lets Pulumi's leftovers settle (the killed
// driver's `pulumi up` may still be running), and compares the deployed stack with that release: applied -> the record
// takes it (and a finalize closes its promotion as completed); not applied -> the record stays, and the command
// (promote's recovery, abort) brings the stack back to it. Either way it says so.
import type { Deps } from "../deps";
import type { StackSession } from "./session";
import type { JournalEntry, Release } from "./store";

const UPDATE_EVENTS = new Set(["intent", "outcome", "end"]);

/** The last intent with a release and nothing after it: the update it announced was never recorded. */
export function openIntent(entries: readonly JournalEntry[]): JournalEntry | undefined {
  const last = [...entries].reverse().find((e) => UPDATE_EVENTS.has(e.event));
  return last?.event === "intent" && last.release !== undefined ? last : undefined;
}

interface ServiceOutput {
  stableVersion?: string;
  canaryVersion?: string;
  canaryWeight?: number;
}

/** Whether the deployed stack's `services` output is what `release` builds. */
export function applied(outputs: Record<string, unknown>, release: Release): boolean {
  const svc = outputs.services as Record<string, ServiceOutput> | undefined;
  if (svc === undefined || typeof svc !== "object" || Object.keys(svc).length === 0) return false;
  return Object.entries(svc).every(([s, o]) => {
    const on = release.canaryVersion !== "" && release.canaryServices.includes(s);
    return (
      o.stableVersion === (release.serviceVersions[s] ?? release.stableVersion) &&
      (o.canaryVersion ?? "") === (on ? release.canaryVersion : "") &&
      (o.canaryWeight ?? 0) === (on ? release.canaryWeight : 0)
    );
  });
}

const same = (a: Release, b: Release) => JSON.stringify(a) === JSON.stringify(b);

/** Pulumi's lock of the killed update (after waiting for an orphaned `pulumi up` to end) and its pending operations. */
export async function clearEngineLeftovers(d: Deps, stack: string): Promise<void> {
  try {
    await d.engine.cancel(stack);
    d.progress(`${stack}: cleared the lock a killed update left on the stack`);
  } catch {
    // `pulumi cancel` fails when no update holds the stack: nothing was left behind.
  }
  const settled = await d.engine.settlePendingCreates(stack);
  if (settled !== "") d.progress(`${stack}: ${settled}`);
}

export async function reconcile(d: Deps, s: StackSession): Promise<void> {
  const entries = await s.state.read();
  const open = openIntent(entries);
  if (open === undefined) return;
  const what = `${open.action}${open.step !== undefined ? ` (step ${open.step + 1}, weight ${open.weight}%)` : ""} of ${open.promotionId}`;
  await clearEngineLeftovers(d, s.stack);
  const release = open.release as Release;
  const note = s.note(open.promotionId);
  if (!applied(await d.engine.outputs(s.stack), release)) {
    await note({ event: "outcome", action: "reconcile", ok: false, detail: `the interrupted ${what} did not apply` });
    d.progress(
      `${s.stack}: reconciled: the interrupted ${what} did not apply; the release record stays at version ${s.rel.current?.record.seq}`,
    );
    return;
  }
  if (s.rel.current === undefined || !same(release, s.rel.current.record.release)) await s.commit(release);
  await note({
    event: "outcome",
    action: "reconcile",
    ok: true,
    detail: `the interrupted ${what} had applied; recorded`,
  });
  if (open.action === "finalize")
    await note({
      event: "end",
      action: "promote",
      status: "completed",
      version: open.version,
      detail: "completed before the driver stopped; reconciled",
    });
  d.progress(
    `${s.stack}: reconciled: the interrupted ${what} had applied before the driver stopped; the release record (version ${s.rel.current?.record.seq}) now records it`,
  );
}
