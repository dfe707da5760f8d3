// `slipway status`: per stack the stable and canary versions, the weight, the last promotion and the lock holder.
import type { StacksArgs } from "../cli/argv";
import type { Deps } from "../deps";
import type { LockHolder } from "../state/journal";
import { lastPromotion, PromotionRecord } from "../state/progress";
import { candidate } from "../release/values";

export interface StackStatus {
  stack: string;
  stableVersion: string;
  serviceVersions: Record<string, string>;
  canaryVersion?: string;
  canaryWeight: number;
  canaryServices: string[];
  lastPromotion?: PromotionRecord;
  lock?: LockHolder;
}

export async function status(d: Deps, a: StacksArgs): Promise<StackStatus[]> {
  const out: StackStatus[] = [];
  for (const stack of a.stacks) {
    const r = candidate(stack, await d.engine.getConfig(stack), {}).release;
    const state = d.state(stack);
    out.push({
      stack, stableVersion: r.stableVersion, serviceVersions: r.serviceVersions, canaryVersion: r.canaryVersion,
      canaryWeight: r.canaryWeight, canaryServices: r.canaryServices, lastPromotion: lastPromotion(await state.read()), lock: await state.holder(),
    });
  }
  return out;
}

export function statusText(all: StackStatus[]): string {
  return all.map((s) => {
    const p = s.lastPromotion;
    const last = p ? `${p.action} ${p.version} ${p.status ?? "INTERRUPTED"} (${p.startedAt}${p.approvedBy ? `, approved by ${p.approvedBy}` : ""})` : "none";
    return [
      `${s.stack}: stable ${s.stableVersion}, canary ${s.canaryVersion ? `${s.canaryVersion} at ${s.canaryWeight}% on ${s.canaryServices.join(", ")}` : "none"}`,
      `  last promotion: ${last}`,
      `  lock: ${s.lock ? `${s.lock.command} ${s.lock.promotionId} pid ${s.lock.pid} on ${s.lock.host} since ${s.lock.startedAt}` : "free"}`,
    ].join("\n");
  }).join("\n") + "\n";
}
