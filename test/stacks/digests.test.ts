// The digests a stack's images run: the release record's over the stack file's, and one build in the committed stacks.
import { strict as assert } from "assert";
import { parseStackConfig, withRelease } from "../../stacks/config";
import { stackFileConfig } from "../helpers/stack";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const file = {
  "slipway:stableVersion": "1.0.0",
  "slipway:imageRepository": "registry.example/slipway",
  "slipway:imageDigests": JSON.stringify({ "api-gateway": { "1.0.0": D("a") }, "data-service": { "1.0.0": D("b") } }),
};
const release = {
  stableVersion: "1.0.0",
  serviceVersions: {},
  canaryVersion: "1.4.0",
  canaryWeight: 10,
  canaryServices: ["api-gateway"],
};

describe("#image-digests: the record's digests over the stack file's", () => {
  it("adds the versions the record holds and keeps the file's other versions and services", () => {
    const cfg = parseStackConfig(
      "prod",
      withRelease(file, { ...release, imageDigests: { "api-gateway": { "1.4.0": D("c") } } }),
    );
    assert.deepEqual(cfg.imageDigests, {
      "api-gateway": { "1.0.0": D("a"), "1.4.0": D("c") },
      "data-service": { "1.0.0": D("b") },
    });
  });

  it("leaves the stack file's digests as they are when the record holds none", () => {
    assert.equal(withRelease(file, release)["slipway:imageDigests"], file["slipway:imageDigests"]);
  });
});

describe("#image-digests: the committed stacks run one build", () => {
  it("names the same digest on dev, staging and prod for every service and version they share", () => {
    const digests = ["dev", "staging", "prod"].map((s) => parseStackConfig(s, stackFileConfig(s)).imageDigests);
    let shared = 0;
    for (const [service, versions] of Object.entries(digests[0]))
      for (const [version, digest] of Object.entries(versions ?? {}))
        for (const other of digests.slice(1)) {
          const theirs = other[service as keyof typeof other]?.[version];
          if (theirs !== undefined) ((shared += 1), assert.equal(theirs, digest, `${service} ${version}`));
        }
    assert.ok(shared >= 10, "staging and prod name the initial release's digests");
  });
});
