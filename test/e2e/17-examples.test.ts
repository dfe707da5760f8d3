// The seed systems deploy by config alone: the local variants of two examples (examples/<system>/Pulumi.local.yaml),
// each in a runner's checkout of its own and a namespace of its own, are deployed with `up` and promoted through
// their canary steps on the local cluster; every service of their catalogue runs the new version; a finished release
// of theirs is rolled back.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { deleteNamespace, deployment, NAMESPACE, REPO, removeCopy, Run, runnerCopy, slipwayIn, STACK } from "./harness";

const SYSTEMS = ["order-generation", "loan-management"];

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stderr}`);
  return r;
}

for (const system of SYSTEMS) {
  describe(`example ${system} on the local cluster`, function () {
    this.timeout(10 * 60_000);
    const ns = `${NAMESPACE}-${system}`;
    const backend = fs.mkdtempSync(path.join(os.tmpdir(), `slipway-e2e-${system}-`));
    const w = runnerCopy(`file://${backend}`, {});
    const doc = parseYaml(fs.readFileSync(path.join(REPO, "examples", system, `Pulumi.${STACK}.yaml`), "utf8"));
    const services = (doc.config["slipway:services"] as Array<{ name: string }>).map((s) => s.name);

    before(async () => {
      // The example as committed, in this file's namespace, with the router CRD the tier's root hook installed.
      doc.config["slipway:namespace"] = ns;
      doc.config["slipway:installRouterCrds"] = "false";
      doc.config["slipway:deploymentTimeoutSeconds"] = "30";
      fs.writeFileSync(path.join(w.workDir, "stacks", `Pulumi.${STACK}.yaml`), stringifyYaml(doc));
      await deleteNamespace(ns);
    });
    after(async () => {
      removeCopy(w);
      if (!process.env.SLIPWAY_E2E_KEEP) {
        fs.rmSync(backend, { recursive: true, force: true });
        await deleteNamespace(ns).catch(() => undefined);
      }
    });

    it(`deploys its catalogue (${services.join(", ")}) and promotes 1.0.1 through its canary steps`, async () => {
      ok(await slipwayIn(w, "up", "--stack", STACK), "up");
      for (const s of services) assert.equal((await deployment(`${s}-stable`, ns)).version, "1.0.0", s);
      ok(await slipwayIn(w, "promote", "--stack", STACK, "--version", "1.0.1", "--interval", "1s"), "promote");
      for (const s of services) assert.equal((await deployment(`${s}-stable`, ns)).version, "1.0.1", s);
    });

    it("rolls a finished 1.0.2 back to 1.0.1 on every service of its catalogue, in one update", async () => {
      const hotfix = ["--skip-canary", "--reason", "e2e"];
      ok(await slipwayIn(w, "promote", "--stack", STACK, "--version", "1.0.2", ...hotfix), "promote 1.0.2");
      const r = ok(await slipwayIn(w, "rollback", "--stack", STACK, "--reason", "e2e", "--json"), "rollback");
      const doc = JSON.parse(r.stdout);
      assert.deepEqual([doc.from, doc.to, doc.status], ["1.0.2", "1.0.1", "completed"]);
      for (const s of services) assert.equal((await deployment(`${s}-stable`, ns)).version, "1.0.1", s);
    });
  });
}
