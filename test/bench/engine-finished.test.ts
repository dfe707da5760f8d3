import { strict as assert } from "assert";
import type { V1Deployment } from "@kubernetes/client-node";
import { type Figures, type FinishedFigures, report, targetLines } from "../../bench/engine/figures";
import { retagged, rolledOut, tagOf } from "../../bench/engine/rollout";

/** Three runs of a figure whose median is the given number of milliseconds. */
const runs = (median: number) => [median - 100, median, median + 100];
const SAME = ["targeted", "full", "toZero", "complete", "switchBack", "noops", "unsparedNoops", "bare", "cold"];
const MORE = ["previews", "unsparedPreviews", "drifts", "cliStart"];

function figures(f: { targeted: number; patch: number }, x: { applied: number; serving: number; rollout: number }) {
  const base = Object.fromEntries([...SAME, ...MORE].map((k) => [k, runs(1000)]));
  const finished: FinishedFigures = { applied: runs(x.applied), serving: runs(x.serving), rollout: runs(x.rollout) };
  return { ...base, targeted: runs(f.targeted), patch: runs(f.patch), drifted: 0, finished } as unknown as Figures;
}

const setting = { services: 3, runs: 3, load: "0.50 0.40 0.30", cores: 2 };
const line = (out: string[], start: string) => {
  const found = out.find((l) => l.trimStart().startsWith(start));
  assert.ok(found, `no line starting "${start}" in:\n${out.join("\n")}`);
  return found;
};

describe("bench:engine figures: rollback of a finished release", () => {
  it("prints its applied and serving rows and the kubectl rollout beside the other figures", () => {
    const out = report(
      figures({ targeted: 2000, patch: 200 }, { applied: 1500, serving: 4000, rollout: 2700 }),
      setting,
    );
    assert.match(line(out, "rollback of a finished release -> old version applied"), / 1\.50 s +7\.5x kubectl/);
    assert.match(line(out, "rollback of a finished release -> old version serving (rollout complete)"), / 4\.00 s /);
    assert.match(line(out, "kubectl set image + rollout (readiness floor)"), / 2\.70 s +13\.5x kubectl/);
    assert.match(line(out, "ratios:"), /finished release rollback serving\/kubectl rollout 1\.48/);
  });

  // Target: targeted step + readiness, readiness = kubectl set image + rollout - kubectl patch floor.
  const cases: Array<[number, number, number, number, string, string]> = [
    [2000, 200, 2700, 4500, "2.00 s + 2.50 s = 4.50 s", "met"],
    [2000, 200, 2700, 4501, "2.00 s + 2.50 s = 4.50 s", "NOT met"],
    [1800, 300, 3300, 4000, "1.80 s + 3.00 s = 4.80 s", "met"],
    [1800, 300, 1300, 3000, "1.80 s + 1.00 s = 2.80 s", "NOT met"],
  ];
  for (const [targeted, patch, rollout, serving, sum, verdict] of cases) {
    it(`is ${verdict} for serving after ${serving} ms against ${sum}`, () => {
      const f = figures({ targeted, patch }, { applied: 1000, serving, rollout });
      const out = targetLines(f);
      assert.equal(out.length, 4);
      const target = line(out, "rollback of a finished release -> old version serving: target <= ");
      assert.ok(target.includes(`targeted step + readiness (${sum}; readiness = kubectl set image + rollout`));
      assert.ok(target.includes(`: ${verdict} (median `), target);
      assert.deepEqual(report(f, setting).slice(-4), out);
      const row = line(report(f, setting), "rollback of a finished release -> old version serving (rollout");
      assert.ok(row.includes(`target <= ${sum.split(" = ")[1]}: ${verdict}  [`), row);
    });
  }
});

function deployment(image: string, generation: number, observed: number, counts: number[]): V1Deployment {
  const [updated, replicas, ready, available] = counts;
  return {
    metadata: { name: "api-stable", generation },
    spec: {
      replicas: 2,
      selector: {},
      template: { spec: { containers: [{ name: "api", image }] } },
    },
    status: {
      observedGeneration: observed,
      updatedReplicas: updated,
      replicas,
      readyReplicas: ready,
      availableReplicas: available,
    },
  };
}

describe("bench:engine: a stable Deployment's rollout as the cluster reports it", () => {
  const img = "registry.local/slipway/api:1.0.0";
  const cases: Array<[string, V1Deployment | undefined, boolean]> = [
    ["complete: latest spec seen, every replica updated, ready, available", deployment(img, 3, 3, [2, 2, 2, 2]), true],
    ["not complete: the controller has not seen the new spec yet", deployment(img, 4, 3, [2, 2, 2, 2]), false],
    ["not complete: a pod of the old ReplicaSet still runs (surge)", deployment(img, 3, 3, [2, 3, 3, 3]), false],
    ["not complete: a new pod is not ready yet", deployment(img, 3, 3, [2, 2, 1, 1]), false],
    [
      "not complete: another version's image",
      deployment("registry.local/slipway/api:1.0.1", 3, 3, [2, 2, 2, 2]),
      false,
    ],
    ["not complete: no such Deployment", undefined, false],
  ];
  for (const [name, d, complete] of cases) it(name, () => assert.equal(rolledOut(d, "api", "1.0.0"), complete));

  it("reads and replaces an image's tag, a digest after it dropped", () => {
    assert.equal(tagOf("registry.local:5000/slipway/api:1.0.1-bench@sha256:ab"), "1.0.1-bench");
    assert.equal(
      retagged("registry.local:5000/slipway/api:1.0.1-bench@sha256:ab", "1.0.0"),
      "registry.local:5000/slipway/api:1.0.0",
    );
    assert.equal(retagged("registry.local/slipway/web:2.0.0", "1.9.0"), "registry.local/slipway/web:1.9.0");
  });
});
