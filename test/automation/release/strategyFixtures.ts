// Shared fixtures of the release-shape tests: the CLI on a harness, a local stack with a canary policy, gates.
import { run } from "../../../automation/cli/entry";
import type { AnalysisSpec } from "../../../automation/deps";
import { baseConfig, FakeEngine, harness, Harness, provider } from "../fakes";

export const STACKS = ["dev", "staging", "prod", "local"];
export const SERVICES = ["api-gateway", "calculation-service", "data-service", "cache-service", "audit-service"];
export const HEALTH = { provider: "http", url: "http://api-gateway.slipway-local.svc/health" };

export async function cli(h: Harness, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await run(argv, STACKS, async () => h.deps, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

export function stack(canary: Record<string, unknown>, extra: Record<string, string> = {}): Harness {
  return harness(
    new FakeEngine({
      local: baseConfig("local", { "slipway:canary": JSON.stringify({ interval: "1s", ...canary }), ...extra }),
    }),
  );
}

/** Gates per spec: the step analysis passes, the http gate (the post-promotion one here) follows `healthy`. */
export function gates(h: Harness, healthy: (weight: number) => boolean, asked: string[] = []) {
  h.deps.providers = (specs: AnalysisSpec[]) =>
    specs.map((s) =>
      s.provider === "http"
        ? provider((w) => {
            asked.push(`http@${w}`);
            return { provider: "http", ok: healthy(w), detail: healthy(w) ? "UP" : "DOWN", durationMs: 1 };
          }, "http")
        : provider(
            (w) => (
              asked.push(`kubernetes@${w}`),
              { provider: "kubernetes", ok: true, detail: "ready", durationMs: 1 }
            ),
          ),
    );
}

export const promoteLocal = ["promote", "--stack", "local", "--version", "1.4.0"];
export const ups = (h: Harness) => h.engine.trace().filter((t) => t.startsWith("up "));
