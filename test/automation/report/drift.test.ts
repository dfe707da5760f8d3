import { strict as assert } from "node:assert";
import {
  buildDriftReport,
  DRIFT_MARKER,
  renderDriftJson,
  renderDriftMarkdown,
  renderDriftText,
} from "../../../automation/report/drift";
import { drift } from "./fixtures";

const SECRETS = ["hunter2", "s3cr3t", "plain-secret"];

describe("#drift report", () => {
  it("names each drifted resource with type, name and URN in text", () => {
    const text = renderDriftText(drift);
    assert.match(text, /^staging: 2 resources drifted \(2\.5 s\)/);
    assert.match(
      text,
      /~ kubernetes:apps\/v1:Deployment api-gateway-stable\n {4}urn: urn:pulumi:staging::slipway::kubernetes:apps\/v1:Deployment::api-gateway-stable/,
    );
    assert.match(text, /spec\.replicas: 3 → 5/);
    assert.match(text, /metadata\.labels: \{"team":"pricing"\} → \{"team":"pricing","hotfix":"yes"\}/);
    assert.match(text, /backupRetentionPeriod: 7 → \(absent\)/);
    assert.match(text, /prod: no drift \(1\.2 s\)/);
  });

  it("never prints a secret, in any format", () => {
    for (const out of [renderDriftText(drift), renderDriftJson(drift), renderDriftMarkdown(drift)]) {
      for (const s of SECRETS) assert.ok(!out.includes(s), `leaked ${s}`);
      assert.ok(out.includes("[secret]"));
    }
    assert.match(renderDriftText(drift), /password: \[secret\] → \[secret\]/);
  });

  it("gives machines a JSON document with the drift flag and each property's old and new value", () => {
    const doc = JSON.parse(renderDriftJson(drift)) as ReturnType<typeof buildDriftReport>;
    assert.equal(doc.drift, true);
    assert.deepEqual(
      doc.stacks.map((s) => [s.stack, s.resources.length]),
      [
        ["staging", 2],
        ["prod", 0],
      ],
    );
    assert.deepEqual(doc.stacks[0].resources[0].properties[0], { path: "spec.replicas", old: 3, new: 5 });
    assert.deepEqual(doc.stacks[0].resources[1].properties[1], { path: "backupRetentionPeriod", old: 7 });
    assert.deepEqual(doc.stacks[0].resources[1].properties[2].new, {
      a: "1",
      apiToken: "[secret]",
      wrapped: "[secret]",
    });
    assert.equal(buildDriftReport([{ stack: "dev", drifted: [], durationMs: 1 }]).drift, false);
  });

  it("renders Markdown with a marker, a section per stack and a table per resource", () => {
    const md = renderDriftMarkdown(drift);
    assert.equal(md.split("\n")[0], DRIFT_MARKER);
    assert.match(md, /Drift in `staging`\./);
    assert.match(
      md,
      /#### `kubernetes:apps\/v1:Deployment` api-gateway-stable\n\n`urn:pulumi:staging::slipway::kubernetes:apps\/v1:Deployment::api-gateway-stable`/,
    );
    assert.match(md, /\| `spec\.replicas` \| `3` \| `5` \|/);
    assert.match(md, /### Stack `prod`\n\nNo drift/);
  });

  it("says when nothing drifted", () => {
    assert.match(
      renderDriftMarkdown([{ stack: "dev", drifted: [], durationMs: 10 }]),
      /No drift: every stack matches its state\./,
    );
  });

  it("lists a changed property whose values the engine did not report", () => {
    const text = renderDriftText([
      {
        stack: "dev",
        durationMs: 1,
        drifted: [
          { urn: "urn:x", type: "aws:s3/bucket:Bucket", name: "logs", op: "update", properties: ["versioning"] },
        ],
      },
    ]);
    assert.match(text, /versioning: changed/);
  });
});
