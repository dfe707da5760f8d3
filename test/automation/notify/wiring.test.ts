// Notifications from real commands: a promotion tells a webhook each step that passed and its completion, drift is
// reported as drift-detected, and a receiver that is down costs a warning, never the release.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import { stackNotifier } from "../../../automation/notify/send";
import { baseConfig, FakeEngine, harness, Harness } from "../fakes";
import { receiver } from "./receiver";

async function cli(h: Harness, argv: string[]) {
  let err = "";
  const code = await run(argv, ["dev", "staging", "prod", "local"], async () => h.deps, {
    stdout: () => undefined,
    stderr: (t) => (err += t),
  });
  return { code, err };
}

function notifying(events: string[]): Harness {
  const target = { kind: "webhook", url: "env:SLIPWAY_TEST_HOOK", secretEnv: "SLIPWAY_TEST_KEY", events };
  const h = harness(
    new FakeEngine({
      dev: baseConfig("dev", {
        "slipway:canary": JSON.stringify({ steps: [10, 50, 100], interval: "0s" }),
        "slipway:notifications": JSON.stringify([target]),
      }),
    }),
  );
  return h;
}

describe("notifications from promote and drift", function () {
  this.timeout(30_000);

  it("sends step-passed per step and completed, each with the version and stack, signed", async () => {
    const r = await receiver();
    const h = notifying(["step-passed", "completed"]);
    h.deps.notify = stackNotifier(h.engine, h.deps.progress, undefined, {
      SLIPWAY_TEST_HOOK: `${r.url}/hook`,
      SLIPWAY_TEST_KEY: "signing-key",
    });
    const p = await cli(h, ["promote", "--stack", "dev", "--version", "1.4.0"]);
    await r.close();
    assert.equal(p.code, 0, p.err);
    assert.deepEqual(
      r.got.map((g) => g.headers["x-slipway-event"]),
      ["step-passed", "step-passed", "step-passed", "completed"],
    );
    const last = JSON.parse(r.got.at(-1)!.body);
    assert.deepEqual([last.stack, last.version, last.summary], ["dev", "1.4.0", "dev: 1.4.0 promoted"]);
    assert.ok(r.got.every((g) => /^sha256=[0-9a-f]{64}$/.test(String(g.headers["x-slipway-signature"]))));
  });

  it("reports drift as drift-detected with the resources", async () => {
    const r = await receiver();
    const h = notifying(["drift-detected"]);
    h.deps.notify = stackNotifier(h.engine, h.deps.progress, undefined, {
      SLIPWAY_TEST_HOOK: r.url,
      SLIPWAY_TEST_KEY: "k3y1",
    });
    h.engine.drift = [
      { urn: "urn:x", type: "aws:rds/instance:Instance", name: "db", op: "update", properties: ["tags"] },
    ];
    assert.equal((await cli(h, ["drift", "--stack", "dev"])).code, 2);
    await r.close();
    assert.deepEqual(JSON.parse(r.got[0].body).resources, ["aws:rds/instance:Instance db (protected)"]);
  });

  it("a receiver that is down is a warning; the promotion completes", async () => {
    const r = await receiver();
    await r.close();
    const h = notifying(["step-passed", "completed"]);
    h.deps.notify = stackNotifier(h.engine, h.deps.progress, undefined, {
      SLIPWAY_TEST_HOOK: r.url,
      SLIPWAY_TEST_KEY: "k3y1",
    });
    const p = await cli(h, ["promote", "--stack", "dev", "--version", "1.4.0"]);
    assert.equal(p.code, 0, p.err);
    const warnings = h.progress.filter((l) => /warning: webhook notification/.test(l));
    assert.equal(warnings.length, 4);
    assert.match(warnings[0], /to env:SLIPWAY_TEST_HOOK failed: .*; the release goes on/);
  });
});
