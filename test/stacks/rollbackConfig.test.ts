// The config a rollback reads and writes: `slipway:approval.rollback` and the release key `slipway:restoreFrom`.
import { strict as assert } from "assert";
import { parseStackConfig } from "../../stacks/config";

const prod = (extra: Record<string, string>) =>
  parseStackConfig("prod", { "slipway:stableVersion": "1.4.0", "slipway:imageRepository": "r.local/s", ...extra });

describe("slipway:approval.rollback", () => {
  it("takes each field it sets, and the promotion's rule for the others", () => {
    const a = prod({ "slipway:approval": JSON.stringify({ rollback: { requiredReviewers: 0 } }) }).approval;
    assert.deepEqual(a.rollback, { requiredReviewers: 0, fourEyes: true, environment: "prod" });
    assert.equal(a.requiredReviewers, 1, "a promotion still needs its reviewer");
  });
  it("is absent when not set: a rollback needs what a promotion needs", () => {
    assert.equal(prod({}).approval.rollback, undefined);
  });
  it("refuses an unknown field, naming it", () => {
    assert.throws(
      () => prod({ "slipway:approval": JSON.stringify({ rollback: { reviewers: 0 } }) }),
      /slipway:approval\.rollback\.reviewers.*it is not a known field/,
    );
  });
});

describe("slipway:restoreFrom", () => {
  it("reads a snapshot id and the release it was taken before", () => {
    const r = prod({
      "slipway:restoreFrom": JSON.stringify({ snapshotId: "slipway-prod-release-1-4-0", release: "1.4.0" }),
    });
    assert.deepEqual(r.release.restoreFrom, { snapshotId: "slipway-prod-release-1-4-0", release: "1.4.0" });
  });
  it("reads null, or no key, as no restore", () => {
    assert.equal(prod({ "slipway:restoreFrom": "null" }).release.restoreFrom, undefined);
    assert.equal(prod({}).release.restoreFrom, undefined);
  });
  const bad: [string, RegExp][] = [
    [
      JSON.stringify({ snapshotId: "Bad_Id", release: "1.4.0" }),
      /slipway:restoreFrom\.snapshotId: "Bad_Id" is not allowed/,
    ],
    [JSON.stringify({ snapshotId: "slipway-prod-release-1-4-0", release: "latest" }), /slipway:restoreFrom\.release/],
    ["{", /slipway:restoreFrom.*set a JSON object such as/],
  ];
  for (const [text, message] of bad)
    it(`refuses ${text}, naming the key and the fix`, () =>
      assert.throws(() => prod({ "slipway:restoreFrom": text }), message));
});
