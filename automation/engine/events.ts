// Engine events -> ResourceChange / PolicyViolation, and progress lines as they arrive. The event shapes are the
// subset of the Automation API's EngineEvent the driver reads, declared here so only engine.ts imports the SDK.
import { isSecretPath, mask, redact, SECRET, SecretSet } from "../secrets";
import { terminalText } from "../report/terminal";
import { plural } from "../report/format";
import type { ChangeOp, EnforcementLevel, PolicyViolation, ResourceChange } from "../types";

interface StepState {
  type?: string;
  urn?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}
interface StepMetadata {
  op: string;
  urn: string;
  type: string;
  /** null in the engine's own events for a create (no old state) or a delete (no new one). */
  old?: StepState | null;
  new?: StepState | null;
  diffs?: string[];
  detailedDiff?: Record<string, unknown>;
}
export interface EngineEventLike {
  resourcePreEvent?: { metadata: StepMetadata; planning?: boolean };
  resOutputsEvent?: { metadata: StepMetadata; planning?: boolean };
  policyEvent?: {
    resourceUrn?: string;
    message: string;
    policyName: string;
    policyPackName: string;
    enforcementLevel: string;
  };
  diagnosticEvent?: { urn?: string; message: string; severity: string };
  summaryEvent?: { durationSeconds: number; resourceChanges: Record<string, number> };
}

const OPS: Record<string, ChangeOp> = {
  create: "create",
  update: "update",
  delete: "delete",
  same: "same",
  read: "read",
  refresh: "refresh",
  import: "import",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
  "read-replacement": "read",
  "import-replacement": "import",
};
export const UNVERIFIABLE = "not verifiable at preview";

/**
 * The engine sends a policy event's message as "<policy description>\n<violation message>": the description says
 * what every resource is checked for, the rest what is wrong with this one. Reports and errors need the latter.
 */
export function violationText(engineMessage: string): string {
  const lines = engineMessage.trim().split("\n");
  return (lines.length > 1 && /^checks whether/i.test(lines[0]) ? lines.slice(1).join("\n") : lines.join("\n")).trim();
}

export function nameOfUrn(urn: string): string {
  return urn.split("::").pop() ?? urn;
}

/** Whether a changed path is secret by where it is: a Secret's data, a path naming a secret, an env value named so. */
function secretAt(type: string, p: string, inputs: unknown): boolean {
  if (isSecretPath(p) || (type === "kubernetes:core/v1:Secret" && /^(data|stringData)\b/.test(p))) return true;
  const pair = /^(.*)\.value$/.exec(p);
  const name = pair ? valueAtPath(inputs, `${pair[1]}.name`) : undefined;
  return typeof name === "string" && isSecretPath(name);
}

/** Reads `a.b[0]["c.d"]` out of an object. */
export function valueAtPath(obj: unknown, p: string): unknown {
  const parts = [...p.matchAll(/\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\[(\d+)\]|([^.[\]]+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  return parts.reduce<unknown>(
    (o, k) => (o !== null && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined),
    obj,
  );
}

function changedTopLevel(a: Record<string, unknown> = {}, b: Record<string, unknown> = {}): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

function level(l: string): EnforcementLevel {
  return l === "mandatory" ? "mandatory" : l === "remediate" ? "remediate" : l === "disabled" ? "disabled" : "advisory";
}

export class EventCollector {
  private readonly steps = new Map<string, StepMetadata>();
  private readonly outputs = new Map<string, StepMetadata>();
  private readonly policy: PolicyViolation[] = [];
  private readonly errors: { resource?: string; text: string }[] = [];
  private rootOutputs?: Record<string, unknown>;
  /** Every secret value seen in any step's inputs or outputs, masked wherever else it shows up (errors included). */
  private readonly secrets = new SecretSet();

  private readonly progress: (line: string) => void;
  /** Advisory findings not yet printed, per policy: how many resources of each kind (folded unless verbose). */
  private readonly advisories = new Map<string, Map<string, number>>();

  /** `verbose`: one progress line per advisory finding instead of one per policy per update. */
  constructor(
    private readonly stack: string,
    progress: (line: string) => void,
    private readonly options: { verbose?: boolean } = {},
  ) {
    // Progress goes to a terminal or the CI log: secrets masked, control and bidi characters shown as escapes.
    this.progress = (line) => progress(terminalText(this.secrets.scrub(line)));
  }

  readonly handle = (e: EngineEventLike): void => {
    if (e.resourcePreEvent) this.learn(e.resourcePreEvent.metadata);
    if (e.resOutputsEvent) this.learn(e.resOutputsEvent.metadata);
    if (e.resourcePreEvent) this.onStep(e.resourcePreEvent.metadata);
    if (e.resOutputsEvent) this.outputs.set(e.resOutputsEvent.metadata.urn, e.resOutputsEvent.metadata);
    if (e.resOutputsEvent?.metadata.type === "pulumi:pulumi:Stack")
      this.rootOutputs = e.resOutputsEvent.metadata.new?.outputs;
    if (e.policyEvent) this.onPolicy(e.policyEvent);
    if (e.diagnosticEvent?.severity === "error") this.onError(e.diagnosticEvent);
    if (e.summaryEvent) {
      this.flushAdvisories();
      const c = Object.entries(e.summaryEvent.resourceChanges)
        .filter(([op]) => op !== "same")
        .map(([op, n]) => `${op} ${n}`);
      this.progress(`${this.stack}: done in ${e.summaryEvent.durationSeconds}s (${c.join(", ") || "no changes"})`);
    }
  };

  /** Learns the secrets of a step: values secret by key, env entry, Pulumi secret or shape, and a Secret's data. */
  private learn(m: StepMetadata): void {
    for (const state of [m.old, m.new]) {
      if (state === undefined || state === null) continue;
      this.secrets.collect(state.inputs).collect(state.outputs);
      if (m.type === "kubernetes:core/v1:Secret")
        for (const part of [state.inputs, state.outputs])
          for (const key of ["data", "stringData"]) this.secrets.collect(part?.[key], "secret");
    }
  }

  private onStep(m: StepMetadata): void {
    const prev = this.steps.get(m.urn);
    // create-replacement and delete-replaced arrive separately for one replacement: keep it a replacement.
    if (prev === undefined || OPS[prev.op] !== "replace") this.steps.set(m.urn, m);
    if (m.op !== "same" && !m.type.startsWith("pulumi:providers:"))
      this.progress(`${this.stack}:   ${m.op} ${m.type} ${nameOfUrn(m.urn)}`);
  }

  /**
   * An error diagnostic names its resource and keeps every line: the provider reports several causes as one
   * message ("2 errors occurred:" then one "* cause" line each), and the first line alone says nothing.
   */
  private onError(d: NonNullable<EngineEventLike["diagnosticEvent"]>): void {
    const lines = d.message
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
    if (lines.length === 0) return;
    const resource = d.urn && !d.urn.includes("::pulumi:pulumi:Stack::") ? nameOfUrn(d.urn) : undefined;
    const text = `${resource ? `${resource}: ` : ""}${lines.join("\n  ")}`;
    this.errors.push({ resource, text });
    this.progress(`${this.stack}:   error ${text.replace(/\n/g, "\n    ")}`);
  }

  private onPolicy(p: NonNullable<EngineEventLike["policyEvent"]>): void {
    const message = violationText(p.message);
    this.policy.push({
      policyPack: p.policyPackName,
      policyName: p.policyName,
      level: level(p.enforcementLevel),
      message,
      urn: p.resourceUrn,
      resourceType: p.resourceUrn?.split("::")[2]?.split("$").pop(),
      resourceName: p.resourceUrn ? nameOfUrn(p.resourceUrn) : undefined,
      unverifiable: message.toLowerCase().startsWith(UNVERIFIABLE),
    });
    if (p.enforcementLevel === "advisory" && !this.options.verbose) {
      const kinds = this.advisories.get(p.policyName) ?? new Map<string, number>();
      const kind = p.resourceUrn?.split("::")[2]?.split("$").pop()?.split(":").pop() ?? "stack";
      this.advisories.set(p.policyName, kinds.set(kind, (kinds.get(kind) ?? 0) + 1));
      return;
    }
    this.progress(`${this.stack}:   policy ${p.enforcementLevel} ${p.policyName}: ${message.split("\n")[0]}`);
  }

  /**
   * Prints the advisory findings held back so far, one line per policy ("container-images-digest-pinned:
   * 10 Deployments (advisory)"); called when the update's summary arrives and when the update ends.
   */
  flushAdvisories(): void {
    for (const [policy, kinds] of this.advisories) {
      const what = [...kinds].map(([kind, n]) => plural(n, kind, /s$/.test(kind) ? `${kind}es` : `${kind}s`));
      this.progress(`${this.stack}:   policy ${policy}: ${what.join(", ")} (advisory)`);
    }
    this.advisories.clear();
  }

  private toChange(m: StepMetadata, useOutputs: boolean): ResourceChange {
    const pick = (s?: StepState | null) => (useOutputs ? s?.outputs : s?.inputs);
    const properties = m.detailedDiff
      ? Object.keys(m.detailedDiff)
      : m.diffs?.length
        ? [...m.diffs]
        : changedTopLevel(pick(m.old), pick(m.new));
    const values: Record<string, { old?: unknown; new?: unknown }> = {};
    // Masked here, at the source, so no report, JSON document, journal entry or export can print them.
    const at = (p: string, v: unknown) =>
      v === undefined
        ? undefined
        : secretAt(m.type, p, pick(m.new) ?? pick(m.old)) || secretAt(m.type, p, pick(m.old))
          ? SECRET
          : mask(v, p);
    for (const p of properties)
      values[p] = { old: at(p, valueAtPath(pick(m.old), p)), new: at(p, valueAtPath(pick(m.new), p)) };
    const change = { urn: m.urn, type: m.type, name: nameOfUrn(m.urn), op: OPS[m.op] ?? "other", properties, values };
    return redact(change as ResourceChange, this.secrets);
  }

  changes(): ResourceChange[] {
    return [...this.steps.values()]
      .filter((m) => m.op !== "same" && !m.type.startsWith("pulumi:providers:"))
      .map((m) => this.toChange(m, false));
  }

  counts(): Partial<Record<ChangeOp, number>> {
    const out: Partial<Record<ChangeOp, number>> = {};
    for (const m of this.steps.values()) {
      if (m.type.startsWith("pulumi:providers:")) continue;
      const op = OPS[m.op] ?? "other";
      out[op] = (out[op] ?? 0) + 1;
    }
    return out;
  }

  violations(): PolicyViolation[] {
    return this.policy.map((v) => redact(v, this.secrets));
  }

  /** Refresh results: a resource drifted when its read state differs from the recorded one, or it is gone. */
  drift(): ResourceChange[] {
    const seen = new Map([...this.steps, ...this.outputs]);
    const out: ResourceChange[] = [];
    for (const m of seen.values()) {
      if (m.type.startsWith("pulumi:providers:") || m.type === "pulumi:pulumi:Stack") continue;
      const gone = m.op === "delete" || (m.old !== undefined && m.new === undefined);
      const change = this.toChange(m, true);
      if (gone) out.push({ ...change, op: "delete" });
      else if (change.properties.length > 0) out.push({ ...change, op: "update" });
    }
    return out;
  }

  /**
   * The stack's outputs as the update left them, from the root stack's outputs event, secrets left out (the event
   * masks them); undefined when the update sent no such event.
   */
  stackOutputs(): Record<string, unknown> | undefined {
    if (this.rootOutputs === undefined) return undefined;
    const shown = Object.entries(this.rootOutputs).filter(([k, v]) => mask(v, k) !== SECRET);
    return redact(Object.fromEntries(shown), this.secrets);
  }

  /** The first resource's error in full, else the first error of the update as a whole ("update failed"). */
  firstError(): string | undefined {
    const text = (this.errors.find((e) => e.resource !== undefined) ?? this.errors[0])?.text;
    return text === undefined ? undefined : this.secrets.scrub(text);
  }
}
