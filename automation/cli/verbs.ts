// The one table of the CLI's verbs: argv.ts builds the command tree and parses from it, entry.ts dispatches through
// it. Each command module owns its argument type, options, help text, parse and run.
import { abortVerb } from "../commands/abort";
import { auditExportVerb } from "../commands/auditExport";
import { auditVerifyVerb } from "../commands/auditVerify";
import type { Verb } from "../commands/command";
import { driftVerb } from "../commands/drift";
import { historyVerb } from "../commands/history";
import { previewVerb } from "../commands/preview";
import { promoteVerb } from "../commands/promote";
import { rollbackVerb } from "../commands/rollback";
import { reportVerb } from "../commands/report";
import { statusVerb } from "../commands/status";
import { upVerb } from "../commands/up";
import { waitVerb } from "../commands/watch";

export const VERBS = {
  preview: previewVerb,
  up: upVerb,
  promote: promoteVerb,
  rollback: rollbackVerb,
  status: statusVerb,
  abort: abortVerb,
  drift: driftVerb,
  wait: waitVerb,
  history: historyVerb,
  "audit-verify": auditVerifyVerb,
  "audit-export": auditExportVerb,
  report: reportVerb,
} as const;

export type VerbName = keyof typeof VERBS;
type ArgsOf<V> = V extends Verb<infer A> ? A : never;

/** A parsed command line: the verb and its checked arguments. */
export type Call = { [K in VerbName]: { command: K; args: ArgsOf<(typeof VERBS)[K]> } }[VerbName];

/** Parent commands of two-word verbs, with their help. */
export const GROUPS: Record<string, string> = {
  audit: "change evidence: verify the journal's hash chain, export change records",
};
