// slipway runs the Pulumi CLI its caller installed: found on PATH or in ~/.pulumi/bin, refused (exit 1, naming what to
// install) when missing or older than slipway supports. Real executables in temporary directories stand in for CLIs.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findPulumi, MIN_PULUMI_VERSION, pulumiRoot } from "../../../automation/engine/pulumiCli";
import { exitCodeOf, InputError } from "../../../automation/errors";

/** A directory tree with a `pulumi` that prints `version` for `pulumi version`. */
function fakeCli(version: string, where = "bin"): { root: string; dir: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-cli-"));
  const dir = path.join(root, where);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "pulumi"), `#!/bin/sh\necho ${version}\n`, { mode: 0o755 });
  return { root, dir };
}

const SYSTEM = "/usr/bin:/bin";

describe("the Pulumi CLI slipway runs", () => {
  it("is the first pulumi on PATH, addressed by its installation root when it sits in a bin/ directory", () => {
    const cli = fakeCli("v3.259.0");
    assert.equal(pulumiRoot({ PATH: `${cli.dir}:${SYSTEM}`, HOME: os.tmpdir() }), cli.root);
  });

  it("is ~/.pulumi/bin/pulumi when PATH has none, where pulumi/actions and the installer put it", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-home-"));
    const bin = path.join(home, ".pulumi", "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\necho v3.259.0\n", { mode: 0o755 });
    assert.equal(pulumiRoot({ PATH: SYSTEM, HOME: home }), path.join(home, ".pulumi"));
  });

  it("is $PULUMI_HOME/bin/pulumi when PULUMI_HOME holds one", () => {
    const cli = fakeCli("v3.259.0");
    assert.equal(pulumiRoot({ PATH: SYSTEM, HOME: os.tmpdir(), PULUMI_HOME: cli.root }), cli.root);
  });

  it("is accepted at the oldest supported version and newer", async () => {
    for (const v of [`v${MIN_PULUMI_VERSION}`, "v3.259.0", "v4.0.0"]) {
      const cli = fakeCli(v);
      const found = await findPulumi({ PATH: `${cli.dir}:${SYSTEM}`, HOME: os.tmpdir() });
      assert.equal(found.version?.format(), v.slice(1));
    }
  });

  const refusals: Array<[string, () => NodeJS.ProcessEnv, RegExp]> = [
    [
      "no CLI anywhere",
      () => ({ PATH: SYSTEM, HOME: fs.mkdtempSync(path.join(os.tmpdir(), "slipway-empty-")) }),
      /no Pulumi CLI found on PATH or in ~\/\.pulumi\/bin: install the Pulumi CLI 3\.221\.0 or newer/,
    ],
    [
      "a CLI older than supported",
      () => ({ PATH: `${fakeCli("v3.200.0").dir}:${SYSTEM}`, HOME: os.tmpdir() }),
      /is 3\.200\.0: install the Pulumi CLI 3\.221\.0 or newer .*pulumi plugin install resource kubernetes/,
    ],
    [
      "a CLI whose version cannot be read",
      () => ({ PATH: `${fakeCli("not-a-version").dir}:${SYSTEM}`, HOME: os.tmpdir() }),
      /install the Pulumi CLI 3\.221\.0 or newer/,
    ],
  ];
  for (const [what, env, message] of refusals) {
    it(`refuses ${what} with exit 1, naming what to install`, async () => {
      await assert.rejects(findPulumi(env()), (err: Error) => {
        assert.ok(err instanceof InputError, err.message);
        assert.equal(exitCodeOf(err), 1);
        assert.match(err.message, message);
        return true;
      });
    });
  }
});
