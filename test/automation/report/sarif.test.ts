import { strict as assert } from "node:assert";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { buildSarif, renderSarif, stackFile } from "../../../automation/report/sarif";
import { devPreview, prodPreview } from "./fixtures";

// The OASIS SARIF 2.1.0 schema (rtm.5 = the published 2.1.0), draft-04. Its `language` pattern is not valid under
// the `u` flag, hence unicodeRegExp: false.
const schema = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object;
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

function assertValid(log: unknown): void {
  assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
}

describe("#sarif report", () => {
  const log = buildSarif([devPreview, prodPreview], { toolVersion: "0.1.0" });
  const run = log.runs[0];

  it("is valid against the SARIF 2.1.0 schema", () => {
    assertValid(log);
    assertValid(JSON.parse(renderSarif([devPreview])));
    assertValid(buildSarif([]));
  });

  it("the validator rejects an invalid log", () => {
    assert.equal(validate({ version: "2.1.0", runs: [{ tool: { driver: {} } }] }), false);
  });

  it("has one run by tool slipway with one rule per policy seen", () => {
    assert.equal(log.version, "2.1.0");
    assert.equal(log.runs.length, 1);
    assert.equal(run.tool.driver.name, "slipway");
    assert.equal(run.tool.driver.version, "0.1.0");
    assert.deepEqual(
      run.tool.driver.rules?.map((r) => r.id),
      ["k8s-read-only-root", "k8s-resource-limits", "rds-storage-encrypted"],
    );
  });

  it("maps mandatory to error, advisory to warning, unverifiable to note", () => {
    assert.deepEqual(
      run.results?.map((r) => [r.ruleId, r.level]),
      [
        ["k8s-read-only-root", "warning"],
        ["k8s-resource-limits", "error"],
        ["rds-storage-encrypted", "note"],
      ],
    );
    for (const r of run.results ?? []) assert.equal(run.tool.driver.rules?.[r.ruleIndex as number].id, r.ruleId);
  });

  it("points at the stack file and names the resource by URN", () => {
    const r = run.results?.[1];
    assert.equal(r?.locations?.[0].physicalLocation?.artifactLocation?.uri, "stacks/Pulumi.dev.yaml");
    assert.equal(stackFile("prod"), "stacks/Pulumi.prod.yaml");
    assert.deepEqual(r?.locations?.[0].logicalLocations?.[0], {
      fullyQualifiedName: "urn:pulumi:dev::slipway::kubernetes:apps/v1:Deployment::api-gateway-canary",
      name: "api-gateway-canary",
      kind: "resource",
    });
    assert.match(r?.message.text ?? "", /^api-gateway-canary: Deployment must set CPU and memory limits/);
  });

  it("fingerprints a violation by stack, policy and resource, not by message", () => {
    const again = buildSarif([
      { ...devPreview, violations: devPreview.violations.map((v) => ({ ...v, message: `${v.message} (value 3)` })) },
    ]);
    assert.deepEqual(
      again.runs[0].results?.map((r) => r.partialFingerprints),
      run.results?.map((r) => r.partialFingerprints),
    );
  });

  it("is empty but valid when nothing was violated", () => {
    const empty = buildSarif([prodPreview]);
    assert.deepEqual(empty.runs[0].results, []);
    assert.deepEqual(empty.runs[0].tool.driver.rules, []);
  });
});
