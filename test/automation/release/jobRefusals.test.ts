// A hook or `job` gate whose Job the policy pack refuses: nothing ran (the Job was never created), so the promotion
// stops where it is with exit 4, journals `failed` with the policy's message, changes no traffic and frees the lock.
// Fake engine, real file backend.
import { strict as assert } from "assert";
import { PolicyError } from "../../../automation/errors";
import { fakeHooks, Harness, provider, recorded } from "../fakes";
import { cli, promoteLocal, stack, ups } from "./strategyFixtures";

const REFUSAL =
  'local: policy container-images-digest-pinned refuses the Job: Job "migrate" container "job" must pin its image by digest';
const MIGRATE = { name: "migrate", image: "registry.local/slipway/data-service:$version" };

function refusingHook(canary: Record<string, unknown>): Harness {
  const h = stack(canary, { "slipway:release": JSON.stringify({ hooks: { preTraffic: [MIGRATE] } }) });
  h.deps.hooks = fakeHooks({
    migrate: () => {
      throw new PolicyError(REFUSAL, { violations: [] });
    },
  });
  return h;
}

/** The step analysis passes; a `job` gate (named `job`) is refused by policy, as its runner throws before creating it. */
function refusingGate(h: Harness, asked: number[] = []): void {
  h.deps.providers = () => [
    provider(() => ({ provider: "kubernetes", ok: true, detail: "ready", durationMs: 1 })),
    provider((w) => {
      asked.push(w);
      throw new PolicyError(REFUSAL.replace('"migrate"', '"smoke-tests"'));
    }, "job"),
  ];
}

async function endOf(h: Harness) {
  const entries = await h.deps.state("local").read();
  return { entries, end: entries.at(-1)! };
}

describe("#job-refused-by-policy: a preTraffic hook", () => {
  it("exits 4 with the policy's message, before any traffic moves and without a rollback update", async () => {
    const h = refusingHook({ steps: [10, 100] });
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 4, r.err);
    assert.match(
      r.err,
      /preTraffic hook migrate refused: local: policy container-images-digest-pinned refuses the Job/,
    );
    assert.match(r.err, /traffic stays at 0% on 1\.4\.0/);
    assert.deepEqual(ups(h), ["up local full 1.0.0 canary 1.4.0@0"], "an update ran after the refusal");
    assert.equal(recorded(h, "local")!.canaryWeight, 0);
    assert.equal(recorded(h, "local")!.stableVersion, "1.0.0");
  });

  it("journals the hook's refused outcome and ends the promotion `failed` with the policy's message", async () => {
    const h = refusingHook({ steps: [10, 100] });
    await cli(h, promoteLocal);
    const { entries, end } = await endOf(h);
    const outcome = entries.find((e) => e.action === "hook" && e.event === "outcome")!;
    assert.equal(outcome.ok, false);
    assert.match(outcome.detail!, /policy container-images-digest-pinned refuses the Job/);
    assert.equal(end.action, "promote");
    assert.equal(end.event, "end");
    assert.equal(end.status, "failed");
    assert.match(end.detail!, /policy container-images-digest-pinned refuses the Job/);
    assert.ok(!entries.some((e) => e.action === "rollback"), "a rollback was journaled");
  });

  it("releases the stack's lock: the next promotion is not refused as locked", async () => {
    const h = refusingHook({ steps: [10, 100] });
    await cli(h, promoteLocal);
    assert.equal(await h.deps.state("local").holder(), undefined);
    h.deps.hooks = fakeHooks();
    const again = await cli(h, promoteLocal);
    assert.equal(again.code, 0, again.err);
    assert.equal(recorded(h, "local")!.stableVersion, "1.4.0");
  });
});

describe("#job-refused-by-policy: a job gate", () => {
  it("exits 4 at the first analysis, asks the gate once, and leaves traffic at the step's weight", async () => {
    const h = stack({ steps: [10, 30, 100], failureLimit: 3 });
    const asked: number[] = [];
    refusingGate(h, asked);
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 4, r.err);
    assert.match(r.err, /gate job: local: policy container-images-digest-pinned refuses the Job: Job "smoke-tests"/);
    assert.match(r.err, /traffic stays at 10% on 1\.4\.0: .*slipway abort --stack local/);
    assert.deepEqual(asked, [10], "a refused Job cannot pass when asked again");
    assert.deepEqual(ups(h), ["up local full 1.0.0 canary 1.4.0@10"], "traffic changed after the refusal");
    const { end } = await endOf(h);
    assert.equal(end.status, "failed");
    assert.match(end.detail!, /refuses the Job/);
    assert.equal(await h.deps.state("local").holder(), undefined);
  });

  it("stops blue-green before the switch: the pre-promotion gate's refusal leaves weight 0", async () => {
    const h = stack({ strategy: "blueGreen" });
    refusingGate(h);
    const r = await cli(h, promoteLocal);
    assert.equal(r.code, 4, r.err);
    assert.deepEqual(ups(h), ["up local full 1.0.0 canary 1.4.0@0"]);
    assert.equal(recorded(h, "local")!.canaryWeight, 0);
  });
});
