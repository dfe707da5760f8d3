// What an update changes, property by property, as the engine's step events say: the source of the preview report's
// before -> after lines and of the change record.
import { strict as assert } from "assert";
import { EventCollector } from "../../../automation/engine/events";
import { propertyLines, renderPreviewMarkdown, renderPreviewText } from "../../../automation/report/preview";

const DEPLOYMENT = "urn:pulumi:prod::slipway::slipway:apps:Service$kubernetes:apps/v1:Deployment::api-gateway-stable";
const SECRET = "urn:pulumi:prod::slipway::kubernetes:core/v1:Secret::data-connection";
const SIG = "4dabf18193072939515e22adb298388d";

function deployment(image: string, replicas: number, weight: string) {
  return {
    metadata: { name: "api-gateway-stable", annotations: { "slipway.dev/canary-weight": weight } },
    spec: {
      replicas,
      template: {
        spec: { containers: [{ name: "api-gateway", image, env: [{ name: "API_TOKEN", value: "tok-123" }] }] },
      },
    },
  };
}

function collected() {
  const ev = new EventCollector("prod", () => undefined);
  ev.handle({
    resourcePreEvent: {
      metadata: {
        op: "update",
        urn: DEPLOYMENT,
        type: "kubernetes:apps/v1:Deployment",
        old: { inputs: deployment("registry.local/slipway/api-gateway:1.0.1", 3, "0") },
        new: { inputs: deployment("registry.local/slipway/api-gateway:1.0.0", 5, "10") },
        detailedDiff: {
          "spec.template.spec.containers[0].image": { kind: "update" },
          "spec.replicas": { kind: "update" },
          'metadata.annotations["slipway.dev/canary-weight"]': { kind: "update" },
          "spec.template.spec.containers[0].env[0].value": { kind: "update" },
        },
      },
    },
  });
  ev.handle({
    resourcePreEvent: {
      metadata: {
        op: "update",
        urn: SECRET,
        type: "kubernetes:core/v1:Secret",
        old: { inputs: { stringData: { DATABASE_URL: "postgresql://app:old-pass@db/slipway" } } },
        new: {
          inputs: {
            stringData: {
              DATABASE_URL: {
                [SIG]: "1b47061264138c4ac30d75fd1eb44270",
                value: "postgresql://app:new-pass@db/slipway",
              },
            },
          },
        },
        detailedDiff: { "stringData.DATABASE_URL": { kind: "update" } },
      },
    },
  });
  return { stack: "prod", changes: ev.changes(), counts: ev.counts(), violations: [], durationMs: 1200 };
}

describe("#preview-property-diff", () => {
  it("records each changed property of an update with its value before and after", () => {
    const c = collected().changes[0];
    assert.deepEqual(c.values?.["spec.template.spec.containers[0].image"], {
      old: "registry.local/slipway/api-gateway:1.0.1",
      new: "registry.local/slipway/api-gateway:1.0.0",
    });
    assert.deepEqual(c.values?.["spec.replicas"], { old: 3, new: 5 });
    assert.deepEqual(c.values?.['metadata.annotations["slipway.dev/canary-weight"]'], { old: "0", new: "10" });
  });

  it("masks secrets at the source: a Secret's data, a secret value, a path that names a token", () => {
    const r = collected();
    const text = JSON.stringify(r);
    for (const s of ["old-pass", "new-pass", "tok-123"]) assert.ok(!text.includes(s), `${s} leaked into the result`);
    assert.deepEqual(r.changes[1].values?.["stringData.DATABASE_URL"], { old: "[secret]", new: "[secret]" });
  });

  it("shows before -> after in the terminal", () => {
    const text = renderPreviewText([collected()]);
    assert.match(
      text,
      /~  kubernetes:apps\/v1:Deployment api-gateway-stable\n {6}spec\.template\.spec\.containers\[0\]\.image: "registry\.local\/slipway\/api-gateway:1\.0\.1" -> "registry\.local\/slipway\/api-gateway:1\.0\.0"/,
    );
    assert.match(text, /spec\.replicas: 3 -> 5/);
    assert.match(text, /metadata\.annotations\["slipway\.dev\/canary-weight"\]: "0" -> "10"/);
    assert.ok(!/old-pass|new-pass|tok-123/.test(text));
  });

  it("shows before -> after in the pull-request Markdown", () => {
    const md = renderPreviewMarkdown([collected()]);
    assert.match(md, /#### What changes \(2\)/);
    assert.match(
      md,
      /\| `spec\.template\.spec\.containers\[0\]\.image` \| `"registry\.local\/slipway\/api-gateway:1\.0\.1"` \| `"registry\.local\/slipway\/api-gateway:1\.0\.0"` \|/,
    );
    assert.match(md, /\| `spec\.replicas` \| `3` \| `5` \|/);
    assert.match(md, /\| `stringData\.DATABASE_URL` \| `\[secret\]` \| `\[secret\]` \|/);
    assert.ok(!/old-pass|new-pass|tok-123/.test(md));
  });

  it("says 'changed' where the engine named a property without its values", () => {
    assert.deepEqual(propertyLines({ urn: "u", type: "t", name: "n", op: "update", properties: ["spec"] }), [
      "spec: changed",
    ]);
  });
});
