// What the rollback tests share: a local stack promoted through versions by the CLI, a prod stack whose journal shows
// completed promotions (with the backup snapshot of each when asked), and the engine calls made after a point.
import * as fs from "fs";
import * as path from "path";
import { baseConfig, FakeEngine, harness, Harness } from "../fakes";
import { cli } from "./promoteKit";

/** A local stack that ran each of `versions` to completion through `slipway promote`, in order. */
export async function promotedLocal(versions: string[], extra: Record<string, string> = {}): Promise<Harness> {
  const h = harness(new FakeEngine({ local: baseConfig("local", extra) }));
  for (const v of versions) {
    const r = await cli(h, ["promote", "--stack", "local", "--version", v]);
    if (r.code !== 0) throw new Error(`promote ${v}: ${r.err}`);
  }
  return h;
}

/** A prod stack serving the last of `versions`, each journaled as a completed promotion (and its snapshot, if `backup`). */
export async function shippedProd(
  versions: string[],
  opts: { backup?: boolean; extra?: Record<string, string> } = {},
): Promise<Harness> {
  const h = harness(
    new FakeEngine({ prod: baseConfig("prod", { "slipway:stableVersion": versions.at(-1)!, ...opts.extra }) }),
  );
  const state = h.deps.state("prod");
  let n = 0;
  for (const version of versions) {
    const id = `prod${++n}`;
    const at = (m: number) => `2026-11-${String(10 + n).padStart(2, "0")}T0${m}:00:00.000Z`;
    const entry = { promotionId: id, stack: "prod" } as const;
    await state.append({ ...entry, at: at(1), event: "start", action: "promote", version, steps: [10, 30, 100] });
    if (opts.backup) {
      const detail = `snapshot slipway-prod-release-${version.replace(/\W/g, "-")}`;
      await state.append({ ...entry, at: at(2), event: "outcome", action: "backup", ok: true, detail });
    }
    await state.append({ ...entry, at: at(3), event: "end", action: "promote", status: "completed", version });
  }
  return h;
}

/** The engine calls from index `from` on, as trace lines. */
export function tracedSince(h: Harness, from: number): string[] {
  return h.engine.trace().slice(from);
}

export function updates(h: Harness, from = 0): string[] {
  return tracedSince(h, from).filter((l) => l.startsWith("up "));
}

/** Rewrites one journal line of `stack` behind the store's back (a version changed by hand). */
export function tamper(h: Harness, stack: string, from: string, to: string): void {
  const file = path.join(h.dir, ".slipway", "slipway", stack, "journal.jsonl");
  const text = fs.readFileSync(file, "utf8");
  if (!text.includes(from)) throw new Error(`no ${from} in ${file}`);
  fs.writeFileSync(file, text.replace(from, to));
}

/** A live promotion's lock on `stack` (this process's pid, so it is never stale). */
export function lockedByPromotion(h: Harness, stack: string): void {
  const dir = path.join(h.dir, ".slipway", "slipway", stack);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "lock"),
    JSON.stringify({
      pid: process.pid,
      host: h.deps.host.hostname,
      startedAt: "2026-11-22T07:59:00.000Z",
      promotionId: "live1",
      command: "promote",
    }),
  );
}

export const ROLLBACK_LOCAL = ["rollback", "--stack", "local", "--reason", "INC-7 error rate"];
