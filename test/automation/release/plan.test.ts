// The release plan: built before anything changes, from the stack's release and the deployed stack's outputs.
import { strict as assert } from "assert";
import { InputError } from "../../../automation/errors";
import { planRelease, PlanInput, planText } from "../../../automation/release/plan";
import type { StackRelease } from "../../../automation/state/release";
import { parseStackConfig, withRelease } from "../../../stacks/config";
import { baseConfig, canaryUrn, TARGETS, trafficUrn } from "../fakes";

const ALL = ["api-gateway", "calculation-service", "data-service", "cache-service", "audit-service"];

function rel(extra: Record<string, string> = {}): StackRelease {
  const file = baseConfig("local", extra);
  return {
    stack: "local",
    file,
    current: undefined,
    raw: withRelease(file, undefined),
    config: parseStackConfig("local", file),
  };
}
const services = (canaryVersion: string) =>
  Object.fromEntries(ALL.map((s) => [s, { stableVersion: "1.0.0", canaryVersion, canaryWeight: 10 }]));
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  stack: "local",
  version: "1.4.0",
  services: ALL,
  steps: [10, 30, 100],
  from: 0,
  intervalMs: 1000,
  skipCanary: false,
  rel: rel(),
  outputs: {
    services: services(""),
    releaseTargets: TARGETS,
    trafficTargets: Object.fromEntries(ALL.map((s) => [s, trafficUrn(s)])),
  },
  ...over,
});

describe("#release-plan: canary steps, resumption and the rollback", () => {
  it("plans each step's release and targets, then the finalize, and one rollback for any failure", () => {
    const p = planRelease(input());
    assert.deepEqual(
      p.updates.map((u) => [
        u.label,
        u.release.canaryWeight,
        u.release.stableVersion,
        u.targets?.length ?? u.targetsFrom ?? "full",
      ]),
      [
        ["step 1/3 weight 10%", 10, "1.0.0", "full"],
        // The canary Deployments the first step creates have no URN yet: the later steps target what it exports.
        ["step 2/3 weight 30%", 30, "1.0.0", "previous"],
        // Weight 100 adds the canary's HPA, which a targeted update cannot create: a full update.
        ["step 3/3 weight 100%", 100, "1.0.0", "full"],
        ["stable", 0, "1.4.0", "full"],
      ],
    );
    assert.equal(p.strategy, "canary");
    assert.equal(p.bakeMs, 0);
    const stable = {
      stableVersion: "1.0.0",
      serviceVersions: {},
      canaryVersion: "",
      canaryWeight: 0,
      canaryServices: ALL,
    };
    assert.deepEqual(p.rollback, {
      release: { ...stable, rolledBackVersion: "1.4.0" },
      targets: ALL.map(trafficUrn),
      services: ALL,
    });
    assert.deepEqual(p.refusedRollback, { release: stable, services: ALL });
  });

  it("rolls back a subset by its traffic objects only, recording the version as rolled back on those services", () => {
    const p = planRelease(input({ services: ["api-gateway"] }));
    assert.deepEqual(p.rollback.targets, [trafficUrn("api-gateway")]);
    assert.deepEqual(p.rollback.release.canaryServices, ["api-gateway"]);
    assert.equal(p.rollback.release.rolledBackVersion, "1.4.0");
    assert.ok(
      !p.rollback.targets!.includes(canaryUrn("api-gateway")),
      "a canary Deployment on the rollback's critical path",
    );
  });

  it("rolls back in one full update when the stack exports no traffic targets", () => {
    const p = planRelease(input({ outputs: { services: services(""), releaseTargets: TARGETS } }));
    assert.equal(p.rollback.targets, undefined);
  });

  it("replaces a rolled-back canary with the next promotion's first step", () => {
    const p = planRelease(input({ rel: rel({ "slipway:rolledBackVersion": "1.3.0" }) }));
    assert.equal(p.updates[0].release.canaryVersion, "1.4.0");
    assert.equal(p.updates[0].release.rolledBackVersion, undefined);
    assert.equal(p.updates[0].targets, undefined, "the first step changes the canary image: a full update");
  });

  it("resumes after the last completed step with a targeted update when the canary already runs the version", () => {
    const p = planRelease(
      input({
        from: 1,
        rel: rel({ "slipway:canaryVersion": "1.4.0", "slipway:canaryWeight": "10" }),
        outputs: { services: services("1.4.0"), releaseTargets: TARGETS },
      }),
    );
    assert.deepEqual(
      p.updates.map((u) => [u.step, u.targets?.length ?? "full"]),
      [
        [1, 5],
        [2, "full"],
        [undefined, "full"],
      ],
    );
  });
});

describe("#release-plan: the step that reaches full traffic", () => {
  const shapes: [string, Partial<PlanInput>, (string | number)[]][] = [
    ["canary from the start", {}, ["full", "previous", "full", "full"]],
    [
      "canary resumed with the canary running the version",
      {
        from: 1,
        rel: rel({ "slipway:canaryVersion": "1.4.0", "slipway:canaryWeight": "10" }),
        outputs: { services: services("1.4.0"), releaseTargets: TARGETS },
      },
      [5, "full", "full"],
    ],
    ["canary in one step [100]", { steps: [100] }, ["full", "full"]],
  ];
  for (const [name, over, how] of shapes) {
    it(`runs the canary step to 100% as a full update so the canary's HPA can be created (${name})`, () => {
      const p = planRelease(input(over));
      assert.deepEqual(
        p.updates.map((u) => u.targets?.length ?? u.targetsFrom ?? "full"),
        how,
      );
    });
  }

  it("keeps blue-green's switch to 100% targeted: its full-size track has its HPA since the prepare update", () => {
    const p = planRelease(input({ strategy: "blueGreen" }));
    const sw = p.updates.find((u) => u.action === "step")!;
    assert.equal(sw.weight, 100);
    assert.equal(sw.targetsFrom ?? sw.targets?.length, "previous");
  });
});

describe("#release-plan: --skip-canary, subsets, blue-green and the phases before traffic", () => {
  it("plans --skip-canary as the finalize alone, with its reason in the update message", () => {
    const p = planRelease(input({ skipCanary: true, reason: "CVE-2026-1" }));
    assert.deepEqual(
      p.updates.map((u) => [u.action, u.message]),
      [["finalize", "slipway promote 1.4.0 --skip-canary: CVE-2026-1"]],
    );
    assert.deepEqual(p.steps, []);
  });

  it("moves a subset through serviceVersions and leaves the other services' stable version alone", () => {
    const p = planRelease(input({ services: ["api-gateway"] }));
    assert.deepEqual(p.updates.at(-1)!.release.serviceVersions, { "api-gateway": "1.4.0" });
    assert.equal(p.updates.at(-1)!.release.stableVersion, "1.0.0");
  });

  it("plans blue-green as the new version at full size at weight 0, one switch to 100%, the bake, then the finalize", () => {
    const p = planRelease(input({ strategy: "blueGreen", bakeMs: 60_000, steps: [10, 30, 100] }));
    assert.deepEqual(
      p.updates.map((u) => [u.action, u.label, u.release.canaryWeight, u.targets?.length ?? u.targetsFrom ?? "full"]),
      [
        ["prepare", "deploy 1.4.0 at full size, weight 0", 0, "full"],
        ["step", "switch to 1.4.0 (100%)", 100, "previous"],
        ["finalize", "stable", 0, "full"],
      ],
    );
    assert.deepEqual(p.steps, [100], "blue-green has one traffic step whatever the canary steps say");
    assert.equal(p.bakeMs, 60_000);
    assert.equal(p.rollback.release.canaryWeight, 0, "a switch back is the rollback: weight 0 on the traffic objects");
    assert.deepEqual(p.rollback.targets, ALL.map(trafficUrn));
  });

  it("deploys at weight 0 first when preTraffic hooks or a backup must come before any traffic", () => {
    const hooks = { preTraffic: ["migrate"], postPromotion: [] };
    for (const over of [{ hooks }, { backup: "snapshot" as const }]) {
      const p = planRelease(input(over));
      assert.deepEqual(
        p.updates.map((u) => [u.action, u.release.canaryWeight, u.targets?.length ?? u.targetsFrom ?? "full"]),
        [
          ["prepare", 0, "full"],
          ["step", 10, "previous"],
          ["step", 30, "previous"],
          ["step", 100, "full"],
          ["finalize", 0, "full"],
        ],
      );
    }
    assert.equal(planRelease(input()).updates[0].action, "step", "nothing before traffic: no extra update");
    assert.equal(planRelease(input({ backup: "local" })).updates[0].action, "step", "no database on local");
  });

  it("resumes without a prepare: hooks and backup ran before the first completed step", () => {
    const p = planRelease(
      input({
        from: 1,
        strategy: "canary",
        hooks: { preTraffic: ["migrate"], postPromotion: [] },
        rel: rel({ "slipway:canaryVersion": "1.4.0", "slipway:canaryWeight": "10" }),
        outputs: { services: services("1.4.0"), releaseTargets: TARGETS },
      }),
    );
    assert.deepEqual(
      p.updates.map((u) => u.action),
      ["step", "step", "finalize"],
    );
  });

  it("plans no bake for --skip-canary: there is no step to bake after", () => {
    assert.equal(planRelease(input({ skipCanary: true, reason: "CVE-2026-1", bakeMs: 60_000 })).bakeMs, 0);
  });
});

describe("#release-plan: the dry run and a release the program would refuse", () => {
  it("prints the phases between the updates in the dry run", () => {
    const text = planText(
      planRelease(
        input({
          strategy: "blueGreen",
          bakeMs: 1000,
          backup: "snapshot",
          hooks: { preTraffic: ["migrate"], postPromotion: ["notify"] },
        }),
      ),
    );
    assert.match(text, /1\. deploy 1\.4\.0 at full size, weight 0/);
    assert.match(
      text,
      /snapshot of the release exists before any traffic moves\n\s+preTraffic hook migrate\n\s+pre-promotion gates/,
    );
    assert.match(text, /2\. switch to 1\.4\.0 \(100%\)[^\n]*\n\s+postPromotion hook notify\n\s+bake 1 s/);
  });

  it("says its interval and bake in human units: a step every 5m, bake 30m", () => {
    const text = planText(planRelease(input({ intervalMs: 300_000, bakeMs: 1_800_000 })));
    assert.match(text, /a step every 5m\b/);
    assert.match(text, /bake 30m:/);
    assert.doesNotMatch(text, /300000|1800000/);
  });

  it("refuses, before anything runs, a plan whose release the program would refuse, naming the key", () => {
    assert.throws(
      () => planRelease(input({ services: ["api-gateway", "billing"] })),
      (e: Error) => e instanceof InputError && /slipway:canaryServices/.test(e.message),
    );
  });
});
