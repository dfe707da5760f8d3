// The policy pack on every update: the standard pack in policies/, or the driver's private wrapper of it, which only
// the driver's own CLI runs can find (its plugin is on their PATH alone) and which loads the same pack and config.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  isWrapperNotice,
  PACK_DIR_ENV,
  PACK_WRAPPER,
  packFlags,
  wrapperEnv,
  wrapperUsable,
} from "../../../automation/engine/pack";

const ROOT = path.resolve(__dirname, "../../..");

describe("the policy pack the driver passes", () => {
  it("is a standard runtime: nodejs pack in policies/, with nothing of the driver in it", () => {
    const pack = parse(fs.readFileSync(path.join(ROOT, "policies", "PulumiPolicy.yaml"), "utf8"));
    assert.equal(pack.runtime, "nodejs");
    assert.deepEqual(
      fs.readdirSync(path.join(ROOT, "policies")).filter((f) => /spare|^bin$/.test(f)),
      [],
    );
    assert.equal(parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).plugins, undefined);
  });

  it("is policies/ with the stack's config when the wrapper is not used", () => {
    assert.deepEqual(packFlags(ROOT, "prod", false), [
      "--policy-pack",
      path.join(ROOT, "policies"),
      "--policy-pack-config",
      path.join(ROOT, "policies", "config", "prod.json"),
    ]);
  });

  it("is the wrapper, with the same per-stack config, when it is used", () => {
    const flags = packFlags(ROOT, "org/slipway/staging", true);
    assert.deepEqual(flags, [
      "--policy-pack",
      PACK_WRAPPER,
      "--policy-pack-config",
      path.join(ROOT, "policies", "config", "staging.json"),
    ]);
  });

  it("passes no config for a stack that has none (every policy at its default level)", () => {
    assert.deepEqual(packFlags(ROOT, "scratch", false), ["--policy-pack", path.join(ROOT, "policies")]);
  });

  it("puts the wrapper's plugin first on the PATH of the driver's own runs and names the real pack", () => {
    const env = wrapperEnv(ROOT, { PATH: "/usr/bin" });
    assert.equal(env.PATH, `${path.join(PACK_WRAPPER, "bin")}${path.delimiter}/usr/bin`);
    assert.equal(env[PACK_DIR_ENV], path.join(ROOT, "policies"));
    const plugin = path.join(PACK_WRAPPER, "bin", "pulumi-analyzer-policy-slipway-spare");
    assert.ok(fs.statSync(plugin).mode & 0o100, "the wrapper's plugin is not executable");
  });

  it("is not used when the caller tells the engine to ignore plugins on PATH", () => {
    for (const v of ["1", "true", "TRUE"]) assert.equal(wrapperUsable({ PULUMI_IGNORE_AMBIENT_PLUGINS: v }), false);
    for (const v of ["", "0", "false"]) assert.equal(wrapperUsable({ PULUMI_IGNORE_AMBIENT_PLUGINS: v }), true);
  });

  it("keeps the engine's notice about the wrapper's plugin out of what users read, and nothing else", () => {
    assert.ok(
      isWrapperNotice(
        "using pulumi-analyzer-policy-slipway-spare from $PATH at /x/bin/pulumi-analyzer-policy-slipway-spare",
      ),
    );
    assert.equal(isWrapperNotice("using pulumi-resource-kubernetes from $PATH at /x"), false);
    assert.equal(isWrapperNotice(undefined), false);
  });
});
