// Digest pinning per stage: the contract's list of digest-pinned environments and the pack's per-stack levels of
// `container-images-digest-pinned` say the same thing, so config refusals and policy refusals never disagree.
import { strict as assert } from "assert";
import { DIGEST_PINNED_ENVIRONMENTS, isDigestPinned } from "../../contract/release";
import { enforcementLevel, loadPackConfig, STACKS } from "../../policies/lib/packConfig";

describe("#digest-pinning: the contract and the policy pack agree", () => {
  for (const stack of STACKS) {
    const pinned = isDigestPinned(stack);
    it(`${pinned ? "enforces" : "only reports"} container-images-digest-pinned on ${stack}, as contract/release.ts says`, () => {
      const level = enforcementLevel({ name: "container-images-digest-pinned" }, loadPackConfig(stack));
      assert.equal(level, pinned ? "mandatory" : "advisory");
    });
  }

  it("pins digests from staging on: one build runs from staging to prod", () => {
    assert.deepEqual([...DIGEST_PINNED_ENVIRONMENTS], ["staging", "prod"]);
  });
});
