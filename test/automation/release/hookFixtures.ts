// Shared fixtures of the release hook tests: a hook Job, the irreversible migration, the context, a harness.
import type { HookJob } from "../../../stacks/config";
import { journal } from "../../../automation/state/journal";
import { baseConfig, FakeEngine, fakeHooks, harness } from "../fakes";

export const hook = (name: string, extra: Partial<HookJob> = {}): HookJob => ({
  name,
  image: "registry.local/pricing:$version",
  timeout: 60_000,
  irreversible: false,
  ...extra,
});
export const MIGRATE = hook("migrate", { args: ["upgrade"], irreversible: true });
export const CTX = { stack: "local", namespace: "slipway-local", version: "1.4.0", promotionId: "p9" };

export function setup(script: Parameters<typeof fakeHooks>[0] = {}) {
  const hooks = fakeHooks(script);
  const h = harness(new FakeEngine({ local: baseConfig("local") }), { hooks, kubeconfigPath: "/tmp/kubeconfig" });
  const note = journal(h.deps, h.deps.state("local"), "local", "p9");
  const entries = () => h.deps.state("local").read();
  return { h, hooks, note, entries };
}
