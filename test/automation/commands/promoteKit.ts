// What the promote tests share: the CLI over a harness, the journal, and a driver killed after its first step.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "../../../automation/cli/entry";
import type { Harness } from "../fakes";

export const STACKS = ["dev", "staging", "prod", "local"];
export const SERVICES = ["api-gateway", "calculation-service", "data-service", "cache-service", "audit-service"];

export async function cli(h: Harness, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, STACKS, async () => h.deps, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}
export function journal(h: Harness, stack: string) {
  return h.deps.state(stack).read();
}
export const promoteLocal = ["promote", "--stack", "local", "--version", "1.4.0"];

/** What a driver killed after step 1 leaves: an open promotion and its lock, held by a pid that no longer exists. */
export async function killedAfterFirstStep(h: Harness, version: string): Promise<void> {
  const s = h.deps.state("local");
  const at = "2026-11-22T07:00:00Z";
  await s.append({
    at,
    promotionId: "dead1",
    stack: "local",
    event: "start",
    action: "promote",
    version,
    steps: [10, 30, 100],
  });
  await s.append({ at, promotionId: "dead1", stack: "local", event: "intent", action: "step", step: 0, weight: 10 });
  await s.append({ at, promotionId: "dead1", stack: "local", event: "outcome", action: "step", step: 0, ok: true });
  const dir = (s as unknown as { location: string }).location;
  fs.writeFileSync(
    path.join(dir, "lock"),
    JSON.stringify({
      pid: 2 ** 22 + 12345,
      host: os.hostname(),
      startedAt: at,
      promotionId: "dead1",
      command: "promote",
    }),
  );
}
