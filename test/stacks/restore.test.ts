// The release's database restore (`slipway:restoreFrom`, written by slipway rollback --restore-database), with the
// prod stack run under mocks: the services' connection Secret names the restored instance; the primary stays.
import { strict as assert } from "assert";
import { runStack, StackRun, stackFileConfig } from "../helpers/stack";

const DB = "aws:rds/instance:Instance";
const RESTORE = { snapshotId: "slipway-prod-release-1-4-0", release: "1.4.0" };

describe("release database restore (prod)", () => {
  let restored: StackRun;
  let plain: StackRun;
  before(async () => {
    restored = await runStack("prod", { ...stackFileConfig("prod"), "slipway:restoreFrom": JSON.stringify(RESTORE) });
    plain = await runStack("prod", { ...stackFileConfig("prod"), "slipway:restoreFrom": "null" });
  });

  it("builds the restored instance from the journaled snapshot beside the kept primary", () => {
    const names = restored.mocks.ofType(DB).map((r) => r.name);
    assert.ok(names.includes("data-db") && names.includes("data-db-restored-1-4-0"), names.join(", "));
    assert.equal(restored.mocks.one(DB, "data-db-restored-1-4-0").inputs.snapshotIdentifier, RESTORE.snapshotId);
    assert.ok(!plain.mocks.ofType(DB).some((r) => r.name.startsWith("data-db-restored")));
  });

  it("points the services' connection Secret and the databaseAddress output at the restored instance", () => {
    const address = restored.mocks.one(DB, "data-db-restored-1-4-0").state.address;
    const secret = restored.mocks.one("kubernetes:core/v1:Secret", "slipway-connections");
    assert.equal(secret.inputs.stringData.DATABASE_HOST, address);
    assert.equal(restored.outputs.endpoints.databaseAddress, address);
    assert.notEqual(plain.outputs.endpoints.databaseAddress, address);
  });
});
