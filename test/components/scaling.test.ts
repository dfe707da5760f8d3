// Each track's own disruption budget and autoscaler: no pod under two budgets, a canary scaled while it takes all traffic.
import { strict as assert } from "assert";
import type { MockRecord } from "../helpers/mocks";
import { Service, ServiceArgs } from "../../components/service";
import { build, serviceArgs, sizing } from "./fixtures";

const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

const service = (canary: ServiceArgs["canary"]) => build(() => new Service("api-gateway", serviceArgs({ canary })));

/** The budgets whose selector matches the pods of `deployment`. */
function budgetsOf(m: MockRecord, deployment: string): string[] {
  const labels = m.one(DEPLOYMENT, deployment).inputs.spec.template.metadata.labels;
  return m
    .ofType(PDB)
    .filter((b) => Object.entries(b.inputs.spec.selector.matchLabels).every(([k, v]) => labels[k] === v))
    .map((b) => b.inputs.metadata.name);
}

describe("track budgets", () => {
  it("gives the canary track a budget of its own while its Deployment exists, never matching a stable pod", async () => {
    const m = await service({ version: "1.1.0", weight: 10 });
    assert.deepEqual(budgetsOf(m, "api-gateway-stable"), ["api-gateway"]);
    assert.deepEqual(budgetsOf(m, "api-gateway-canary"), ["api-gateway-canary"]);
    const canary = m.one(PDB, "api-gateway-canary").inputs.spec;
    assert.equal(canary.maxUnavailable, 1);
    assert.equal(canary.unhealthyPodEvictionPolicy, "AlwaysAllow");
  });

  it("keeps the budget of a rolled-back canary track, whose Deployment waits at zero replicas", async () => {
    const m = await service({ version: "1.1.0", weight: 0, rolledBack: true });
    assert.deepEqual(budgetsOf(m, "api-gateway-canary"), ["api-gateway-canary"]);
  });

  it("has no canary budget without a canary track", async () => {
    const m = await service(undefined);
    assert.deepEqual(
      m.ofType(PDB).map((b) => b.inputs.metadata.name),
      ["api-gateway"],
    );
  });
});

describe("track autoscalers", () => {
  const table: Array<[string, ServiceArgs["canary"], boolean]> = [
    ["a canary at weight 100", { version: "1.1.0", weight: 100 }, true],
    ["blue-green's full-size track at weight 0", { version: "1.1.0", weight: 0, fullSize: true }, true],
    ["a canary at weight 30", { version: "1.1.0", weight: 30 }, false],
    ["a rolled-back full-size track", { version: "1.1.0", weight: 0, fullSize: true, rolledBack: true }, false],
    ["no canary", undefined, false],
  ];
  for (const [what, canary, scaled] of table) {
    it(`${scaled ? "scales" : "does not scale"} the canary track for ${what}`, async () => {
      const m = await service(canary);
      const names = m.ofType(HPA).map((h) => h.inputs.metadata.name);
      assert.deepEqual(names, scaled ? ["api-gateway", "api-gateway-canary"] : ["api-gateway"]);
    });
  }

  it("scales the canary Deployment within the stack's HPA range on the stable track's metrics", async () => {
    const m = await service({ version: "1.1.0", weight: 100 });
    const canary = m.one(HPA, "api-gateway-canary");
    const stable = m.one(HPA, "api-gateway").inputs.spec;
    assert.deepEqual(canary.inputs.spec.scaleTargetRef, {
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "api-gateway-canary",
    });
    assert.equal(canary.inputs.spec.minReplicas, sizing.minReplicas);
    assert.equal(canary.inputs.spec.maxReplicas, sizing.maxReplicas);
    assert.deepEqual(canary.inputs.spec.metrics, stable.metrics);
    assert.ok(canary.dependencies.includes(m.one(DEPLOYMENT, "api-gateway-canary").urn));
  });
});
