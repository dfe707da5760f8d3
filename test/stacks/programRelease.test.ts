// The program's one read of its release (stacks/release.ts): which store it reads, and when it reads one at all.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { fileStackDir, releaseFile, type Release } from "../../contract/store";
import { loadConfig } from "../../stacks/config";
import { programRelease, runByEngine, storeUrl } from "../../stacks/release";
import { setMocks } from "../helpers/mocks";
import { fullKeys } from "../helpers/stack";

const release = (stable: string, weight = 0): Release => ({
  stableVersion: stable,
  serviceVersions: {},
  canaryVersion: weight > 0 ? "9.9.9" : "",
  canaryWeight: weight,
  canaryServices: ["api-gateway"],
});

/** A file store holding one release record of slipway/dev; returns its URL. */
function fileStore(r: Release): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-program-release-"));
  const file = releaseFile(fileStackDir(root, "slipway", "dev"), 1);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(
    file,
    JSON.stringify({ seq: 1, stack: "dev", updatedAt: "", writtenBy: "p1", command: "promote", release: r }),
  );
  return `file://${root}`;
}

describe("#program-release: the store the program reads", () => {
  const table: Array<[string, NodeJS.ProcessEnv, string | undefined]> = [
    [
      "SLIPWAY_STATE_URL over PULUMI_BACKEND_URL",
      { SLIPWAY_STATE_URL: "file:///a", PULUMI_BACKEND_URL: "s3://b" },
      "file:///a",
    ],
    ["PULUMI_BACKEND_URL when no state URL is set", { PULUMI_BACKEND_URL: "s3://b/p" }, "s3://b/p"],
    ["no store for a backend slipway keeps no state in", { PULUMI_BACKEND_URL: "https://api.pulumi.com" }, undefined],
    ["no store without either variable", {}, undefined],
  ];
  for (const [what, env, url] of table) {
    it(`reads ${what}`, () => assert.equal(storeUrl(env), url));
  }

  it("reads the newest record of the store SLIPWAY_STATE_URL names", () => {
    const url = fileStore(release("2.0.0", 20));
    assert.deepEqual(
      programRelease("slipway", "dev", { SLIPWAY_STATE_URL: url, PULUMI_BACKEND_URL: "https://api.pulumi.com" }),
      release("2.0.0", 20),
    );
  });

  it("reads nothing from a backend slipway keeps no state in, so the stack file's release keys apply", () => {
    assert.equal(programRelease("slipway", "dev", { PULUMI_BACKEND_URL: "https://api.pulumi.com" }), undefined);
  });
});

describe("#program-release: only a program the engine runs reads the store", () => {
  const config = fullKeys({ stableVersion: "1.0.0", imageRepository: "registry.local/slipway" });
  const VARS = ["PULUMI_BACKEND_URL", "SLIPWAY_STATE_URL", "SLIPWAY_RELEASE"] as const;
  let saved: Partial<Record<(typeof VARS)[number], string>> = {};
  beforeEach(() => {
    saved = Object.fromEntries(VARS.map((v) => [v, process.env[v]]));
    for (const v of VARS) delete process.env[v];
    process.env.PULUMI_BACKEND_URL = fileStore(release("3.0.0"));
    setMocks("dev");
    pulumi.runtime.setAllConfig(config);
  });
  afterEach(() => {
    for (const v of VARS) {
      if (saved[v] === undefined) delete process.env[v];
      else process.env[v] = saved[v];
    }
    setMocks("dev");
  });

  it("is not run by an engine under the unit tests' mocks", () => assert.equal(runByEngine(), false));

  it("is run by an engine once a real resource monitor is connected", () => {
    // The client connects lazily: nothing listens on this port and nothing is sent.
    pulumi.runtime.resetOptions("slipway", "dev", -1, "", "127.0.0.1:1", false, "");
    assert.equal(runByEngine(), true);
  });

  it("gives a program under mocks exactly the config it set", () => {
    assert.equal(loadConfig().release.stableVersion, "1.0.0");
    assert.equal(loadConfig({ readRelease: false }).release.stableVersion, "1.0.0");
  });

  it("merges the store's release record when told to read it", () => {
    assert.equal(loadConfig({ readRelease: true }).release.stableVersion, "3.0.0");
  });
});
