// The release's database snapshot (slipway:release.backup), with the stacks run under mocks.
import { strict as assert } from "assert";
import { SERVICE_NAMES } from "../../components/naming";
import { runStack, StackRun, stackFileConfig } from "../helpers/stack";

const SNAPSHOT = "aws:rds/snapshot:Snapshot";
const ROUTE = "slipway:apps:TrafficRoute";
const SPLIT = "kubernetes:split.smi-spec.io/v1alpha4:TrafficSplit";
const IN_PROGRESS = { "slipway:canaryVersion": "1.5.0-rc.1", "slipway:canaryWeight": "10" };

function run(stack: string, keys: Record<string, string> = {}): Promise<StackRun> {
  return runStack(stack, { ...stackFileConfig(stack), ...keys });
}

describe("release backup", () => {
  describe("prod with a release in progress", () => {
    let prod: StackRun;
    before(async () => {
      prod = await run("prod", IN_PROGRESS);
    });

    it("takes exactly one snapshot, keyed by the release, of the primary database", () => {
      const snapshot = prod.mocks.one(SNAPSHOT);
      assert.equal(snapshot.name, "data-db-release-1-5-0-rc-1");
      assert.equal(snapshot.inputs.dbSnapshotIdentifier, "slipway-prod-release-1-5-0-rc-1");
      assert.equal(
        snapshot.inputs.dbInstanceIdentifier,
        prod.mocks.one("aws:rds/instance:Instance", "data-db").state.identifier,
      );
    });
    it("retains the snapshot in AWS when it leaves the program", () => {
      assert.equal(prod.mocks.one(SNAPSHOT).retainOnDelete, true);
    });
    it("tags the snapshot like the rest of the data tier, with the release", () => {
      const db = prod.mocks.one("aws:rds/instance:Instance", "data-db").inputs.tags;
      assert.deepEqual(prod.mocks.one(SNAPSHOT).inputs.tags, { ...db, "slipway.dev/release": "1.5.0-rc.1" });
    });
    it("makes every service's traffic object wait for the snapshot", () => {
      const snapshot = prod.mocks.one(SNAPSHOT).urn;
      const routes = prod.mocks.ofType(ROUTE);
      assert.equal(routes.length, SERVICE_NAMES.length);
      for (const route of routes) assert.ok(route.dependencies.includes(snapshot), route.name);
      for (const split of prod.mocks.ofType(SPLIT)) {
        assert.ok(
          routes.some((r) => r.urn === split.parent),
          `${split.name} is not the child of a route that waits for the snapshot`,
        );
      }
    });
    it("exports the snapshot's identifier and the release for the driver's journal", () => {
      assert.deepEqual(prod.outputs.backup, { snapshotId: "slipway-prod-release-1-5-0-rc-1", version: "1.5.0-rc.1" });
    });
  });

  function assertNoBackup(r: StackRun) {
    assert.deepEqual(r.mocks.ofType(SNAPSHOT), []);
    assert.equal(r.outputs.backup, undefined);
    for (const route of r.mocks.ofType(ROUTE))
      assert.deepEqual(
        route.dependencies.filter((d) => d.includes("Snapshot")),
        [],
      );
  }

  it("takes none on prod without a release in progress", async () => {
    assertNoBackup(await run("prod"));
  });
  it("takes none on staging, where backup is off by default", async () => {
    assertNoBackup(await run("staging", IN_PROGRESS));
  });
  it('takes none on prod when slipway:release sets {"backup": false}', async () => {
    assertNoBackup(await run("prod", { ...IN_PROGRESS, "slipway:release": JSON.stringify({ backup: false }) }));
  });
  it('takes one on staging when slipway:release sets {"backup": true}', async () => {
    const staging = await run("staging", { ...IN_PROGRESS, "slipway:release": JSON.stringify({ backup: true }) });
    assert.equal(staging.mocks.one(SNAPSHOT).inputs.dbSnapshotIdentifier, "slipway-staging-release-1-5-0-rc-1");
  });
  it("takes none on local, which has no data tier, even when asked", async () => {
    const local = await run("local", {
      "slipway:canaryVersion": "1.5.0-rc.1",
      "slipway:release": JSON.stringify({ backup: true }),
    });
    assertNoBackup(local);
  });
});
