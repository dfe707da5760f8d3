// `slipway audit verify`: recompute the stack's journal hash chain from the backend and report the first entry that
// was changed, removed, reordered or inserted, then check it against the release record's versions (a tail cut off,
// a journal deleted). Reads only; exit 6 on a broken chain (automation/cli/entry.ts).
import type { Deps } from "../deps";
import type { Verification } from "../state/chain";
import { verifyStack } from "../state/integrity";
import { EXIT, InputError } from "../errors";
import { oneStack, quote, text } from "./args";
import { JSON_OPTION, Verb } from "./command";
import type { StackArgs } from "./up";

export interface AuditVerifyArgs extends StackArgs {
  head?: string;
}

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

export const auditVerifyVerb: Verb<AuditVerifyArgs> = {
  words: ["audit", "verify"],
  description:
    "recompute the stack's journal hash chain; exit 6 naming the first changed, removed, reordered or inserted entry",
  options: [
    { flags: "--stack <name>", help: "stack whose journal to verify" },
    {
      flags: "--head <sha256>",
      help: "a head hash kept outside the backend (a promote run's journal-head output) that the chain must still contain",
    },
    JSON_OPTION,
  ],
  parse(o, stacks) {
    const head = text(o, "head", "--head");
    if (head !== undefined && !/^[0-9a-f]{64}$/.test(head))
      throw new InputError(
        `--head ${quote(head)} is not allowed: give the 64-hex-digit SHA-256 a promotion printed as its journal head`,
      );
    return { stack: oneStack(o, stacks), json: o.json === true, head };
  },
  async run(d, a) {
    const r = await auditVerify(d, a);
    const ok = r.ok;
    return { code: ok ? EXIT.ok : EXIT.tampered, json: r, text: auditVerifyText(r), outcome: ok ? "ok" : "tampered" };
  },
};
