// `slipway status`: per stack the stable and canary versions, the weight, the last promotion and the lock holder.
import type { StacksArgs } from "../cli/argv";
import type { Deps } from "../deps";
import type { LockHolder } from "../state/journal";
import { lastPromotion, PromotionRecord } from "../state/progress";
import { candidate } from "../release/values";
import { activeWindow, nextWindow, Occurrence } from "../release/freeze";

export interface StackStatus {
  stack: string;
  stableVersion: string;
  serviceVersions: Record<string, string>;
  canaryVersion?: string;
  canaryWeight: number;
  canaryServices: string[];
  lastPromotion?: PromotionRecord;
  lock?: LockHolder;
  /** The change freeze in force now, and the next one to start. */
  freeze: { active?: Occurrence; next?: Occurrence };
}

export async function status(d: Deps, a: StacksArgs): Promise<StackStatus[]> {
  const out: StackStatus[] = [];
  for (const stack of a.stacks) {
    const config = candidate(stack, await d.engine.getConfig(stack), {});
    const r = config.release;
    const now = d.clock.now();
    const state = d.state(stack);
    out.push({
      stack, stableVersion: r.stableVersion, serviceVersions: r.serviceVersions, canaryVersion: r.canaryVersion,
      canaryWeight: r.canaryWeight, canaryServices: r.canaryServices, lastPromotion: lastPromotion(await state.read()), lock: await state.holder(),
      freeze: { active: activeWindow(config.freeze, now), next: nextWindow(config.freeze, now) },
    });
  }
  return out;
}

export function statusText(all: StackStatus[]): string {
  return all.map((s) => {
    const p = s.lastPromotion;
    const glass = p?.breakGlass ? `, BREAK-GLASS: ${p.breakGlass}` : "";
    const last = p ? `${p.action} ${p.version} ${p.status ?? "INTERRUPTED"} (${p.startedAt}${p.approvedBy ? `, approved by ${p.approvedBy}` : ""}${glass})` : "none";
    return [
      `${s.stack}: stable ${s.stableVersion}, canary ${s.canaryVersion ? `${s.canaryVersion} at ${s.canaryWeight}% on ${s.canaryServices.join(", ")}` : "none"}`,
      `  last promotion: ${last}`,
      `  lock: ${s.lock ? `${s.lock.command} ${s.lock.promotionId} pid ${s.lock.pid} on ${s.lock.host} since ${s.lock.startedAt}` : "free"}`,
      `  freeze: ${freezeText(s.freeze)}`,
    ].join("\n");
  }).join("\n") + "\n";
}

function freezeText(f: StackStatus["freeze"]): string {
  const now = f.active ? `FROZEN by "${f.active.name}" until ${f.active.end}; ` : "";
  return `${now}${f.next ? `next "${f.next.name}" ${f.next.start} -> ${f.next.end}` : "no window ahead"}`;
}
