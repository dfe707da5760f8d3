// `slipway audit verify`: recompute the stack's journal hash chain from the backend and report the first entry that
// was changed, removed, reordered or inserted, then check it against the release record's versions (a tail cut off,
// a journal deleted). Reads only; exit 6 on a broken chain (automation/cli/entry.ts).
import type { AuditVerifyArgs } from "../cli/argv";
import type { Deps } from "../deps";
import type { Verification } from "../state/chain";
import { verifyStack } from "../state/integrity";

export interface AuditVerifyResult extends Verification {
  stack: string;
  location: string;
}

export async function auditVerify(d: Deps, a: AuditVerifyArgs): Promise<AuditVerifyResult> {
  const state = d.state(a.stack);
  const v = await verifyStack(state, a.head);
  d.progress(
    `${a.stack}: journal chain of ${v.entries} entries at ${state.location}: ${v.ok ? "intact" : `BROKEN at entry ${v.broken!.index + 1}`}`,
  );
  return { stack: a.stack, location: state.location, ...v };
}

export function auditVerifyText(r: AuditVerifyResult): string {
  const adopted = r.adopted > 0 ? ` (${r.adopted} entries from before the chain, pinned by its genesis)` : "";
  if (r.ok) return `${r.stack}: journal intact: ${r.entries} entries${adopted}, head ${r.head ?? "(empty)"}\n`;
  const b = r.broken!;
  if (r.entries === 0) return `${r.stack}: journal chain BROKEN: ${b.problem}: ${b.detail}\n`;
  return `${r.stack}: journal chain BROKEN at entry ${b.index + 1} of ${r.entries} (${b.ref}): ${b.problem}: ${b.detail}\n`;
}
