// slipway on its user's own Pulumi, as a GitHub runner has it: the e2e tier's only test without the lab's engine
// environment (userRunner.ts). up, preview, promote and drift succeed; the pack loads in a stock CLI from any
// directory; nothing is written to a slipway cache.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { copyTree, deleteNamespace, deployment, removeCopy, Run, SERVICES, Slipway, STACK } from "./harness";
import { installedPlugins, pulumiOn, UserRunner, userRunner } from "./userRunner";

const NS = `${process.env.SLIPWAY_E2E_NAMESPACE ?? "slipway-e2e"}-user`;

describe("slipway on a runner whose Pulumi is installed the ordinary way", () => {
  let r: UserRunner;
  const on = (...args: string[]): Promise<Run> => new Slipway(args, undefined, r).done;
  const ok = (run: Run, what: string): Run => {
    assert.equal(run.code, 0, `${what} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    return run;
  };

  before(async function () {
    this.timeout(5 * 60_000);
    await deleteNamespace(NS);
    r = userRunner(NS);
  });
  after(async function () {
    this.timeout(5 * 60_000);
    await deleteNamespace(NS).catch(() => undefined);
    removeCopy(r);
    fs.rmSync(r.home, { recursive: true, force: true });
  });

  it("has the provider from ~/.pulumi/plugins, installed by the CLI's own command", () => {
    const k8s = installedPlugins(r).find((p) => p.name === "kubernetes" && p.kind === "resource");
    assert.ok(k8s, "no kubernetes plugin installed");
    assert.ok(fs.existsSync(path.join(r.home, ".pulumi", "plugins")), "the plugin is not in ~/.pulumi/plugins");
  });

  it("deploys with up, previews no change, promotes a version and finds no drift", async () => {
    ok(await on("up", "--stack", STACK), "up");
    for (const s of SERVICES) assert.ok((await deployment(`${s}-stable`, NS)).ready >= 1, `${s}-stable not ready`);
    const preview = JSON.parse(ok(await on("preview", "--stack", STACK, "--json"), "preview").stdout);
    assert.deepEqual(preview[0].changes, [], "preview after up wants changes");
    ok(await on("promote", "--stack", STACK, "--version", "1.0.1", "--interval", "1s"), "promote");
    assert.equal((await deployment("api-gateway-stable", NS)).version, "1.0.1");
    ok(await on("drift", "--stack", STACK), "drift");
  });

  it("writes no slipway cache in HOME", () => {
    assert.equal(fs.existsSync(path.join(r.home, ".cache", "slipway")), false, "~/.cache/slipway appeared");
  });

  it("the policy pack loads in the stock CLI from a directory outside the project, and passes the stack", () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-pack-elsewhere-"));
    copyTree(path.join(r.workDir, "policies"), path.join(elsewhere, "policies"));
    fs.symlinkSync(path.join(r.workDir, "node_modules"), path.join(elsewhere, "node_modules"), "dir");
    const config = path.join(elsewhere, "policies", "config", "local.json");
    const p = pulumiOn(
      r,
      r.workDir,
      "preview",
      "--stack",
      STACK,
      "--expect-no-changes",
      "--policy-pack",
      path.join(elsewhere, "policies"),
      "--policy-pack-config",
      config,
    );
    fs.rmSync(elsewhere, { recursive: true, force: true });
    assert.equal(p.code, 0, `a stock pulumi preview with the pack from another directory failed:\n${p.out}`);
    assert.match(p.out, /slipway/, "the pack did not report");
  });

  it("without a Pulumi CLI, exits 1 and names what to install", async () => {
    const bare = {
      ...r,
      env: { ...r.env, PATH: path.dirname(process.execPath), HOME: os.tmpdir(), PULUMI_HOME: os.tmpdir() },
    };
    const run = await new Slipway(["preview", "--stack", STACK], undefined, bare).done;
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /no Pulumi CLI found on PATH or in ~\/\.pulumi\/bin: install the Pulumi CLI 3\.\d+\.\d+ or newer/,
    );
  });
});
