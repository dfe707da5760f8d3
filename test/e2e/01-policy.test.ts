import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { deployment, slipway, STACK, theWorld } from "./harness";

function stackFile(): string {
  return path.join(theWorld().workDir, "stacks", `Pulumi.${STACK}.yaml`);
}

describe("policy pack on the real engine", () => {
  let saved: string;
  beforeEach(() => (saved = fs.readFileSync(stackFile(), "utf8")));
  afterEach(() => fs.writeFileSync(stackFile(), saved));

  it("refuses a container limit above the local ceiling with the policy's message, exit 4, and changes nothing in the cluster", async () => {
    const doc = parseYaml(saved);
    doc.config["slipway:services"] = JSON.stringify({ "api-gateway": { cpuLimit: "2" } });
    fs.writeFileSync(stackFile(), stringifyYaml(doc));
    const before = await deployment("api-gateway-stable");

    const r = await slipway("up", "--stack", STACK);

    assert.equal(r.code, 4, `expected exit 4 (refused by policy), got ${r.code}:\n${r.stderr}`);
    assert.match(r.stderr, /container-resource-ceilings/);
    assert.match(r.stderr, /must keep resources\.limits\.cpu \(2\) at or below 1/);
    const after = await deployment("api-gateway-stable");
    assert.equal(
      after.resourceVersion,
      before.resourceVersion,
      "the Deployment changed although the policy refused the update",
    );
    assert.equal(after.generation, before.generation);
  });

  it("refuses a Deployment whose pods run seccomp Unconfined with pods-seccomp-confined's message, exit 4, and changes nothing", async () => {
    const doc = parseYaml(saved);
    doc.config["slipway:seccompProfile"] = "Unconfined";
    fs.writeFileSync(stackFile(), stringifyYaml(doc));
    const before = await deployment("api-gateway-stable");

    const r = await slipway("up", "--stack", STACK);

    assert.equal(r.code, 4, `expected exit 4 (refused by policy), got ${r.code}:\n${r.stderr}`);
    assert.match(r.stderr, /pods-seccomp-confined/);
    assert.match(
      r.stderr,
      /Deployment "[a-z-]+-stable" spec\.template\.spec\.securityContext\.seccompProfile\.type must not be "Unconfined"; use "RuntimeDefault" or "Localhost"/,
    );
    const after = await deployment("api-gateway-stable");
    assert.equal(
      after.resourceVersion,
      before.resourceVersion,
      "the Deployment changed although the policy refused the update",
    );
  });
});
