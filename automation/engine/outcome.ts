// What an engine run comes to for the driver: the summary of a preview's or an update's events, and its failure
// mapped to the error taxonomy (automation/errors.ts).
import { CommandError, ConcurrentUpdateError } from "@pulumi/pulumi/automation";
import { EngineError, PolicyError, SlipwayError } from "../errors";
import type { PreviewResult } from "../types";
import type { EventCollector } from "./events";
import { lockedError } from "./pulumiCli";

/** What a preview or an update changed and what the policy pack said, from its events. */
export function summary(stack: string, ev: EventCollector, started: number): PreviewResult {
  return {
    stack,
    changes: ev.changes(),
    counts: ev.counts(),
    violations: ev.violations(),
    durationMs: Date.now() - started,
  };
}

/** Engine failures -> the taxonomy: locked (5), refused by policy (4), otherwise an engine error (1). */
export function mapError(err: unknown, stack: string, events: EventCollector | undefined, signal?: AbortSignal): Error {
  if (err instanceof SlipwayError) return err;
  if (signal?.aborted) return new EngineError(`${stack}: interrupted`, { interrupted: true });
  if (err instanceof ConcurrentUpdateError) return lockedError(stack);
  const mandatory = events?.violations().filter((v) => v.level === "mandatory") ?? [];
  if (mandatory.length > 0) {
    const v = mandatory[0];
    return new PolicyError(
      `${stack}: policy ${v.policyName} refused ${v.resourceName ?? v.urn ?? "the stack"}: ${v.message.split("\n")[0]}`,
      {
        violations: mandatory,
      },
    );
  }
  const cause = events?.firstError() ?? lastErrorLine(err);
  return new EngineError(`${stack}: ${cause}`);
}

function lastErrorLine(err: unknown): string {
  const text = err instanceof CommandError || err instanceof Error ? err.message : String(err);
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.find((l) => /^error:/i.test(l))?.replace(/^error:\s*/i, "") ?? lines[0] ?? "the engine failed";
}
