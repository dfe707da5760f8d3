import { strict as assert } from "assert";
import { EventCollector, violationText } from "../../../automation/engine/events";

// The message of a policy event as the engine sends it: the policy's description, a newline, the violation.
const ENGINE_MESSAGE =
  "Checks whether every container's CPU and memory stay within the stack's per-container ceilings and limit/request ratio.\n" +
  'Deployment "api-gateway-stable" container "api-gateway" must keep resources.limits.cpu (2) at or below 1; lower it or raise maxCpu in this stack\'s policy config.';

describe("policy events from the engine", () => {
  it("keep the violation's own message, not the policy's description", () => {
    assert.match(
      violationText(ENGINE_MESSAGE),
      /^Deployment "api-gateway-stable" container "api-gateway" must keep resources\.limits\.cpu \(2\) at or below 1/,
    );
  });

  it("keep a message that carries no description whole", () => {
    assert.equal(violationText("Deployment must run as non-root\n  uid 0"), "Deployment must run as non-root\n  uid 0");
  });

  it("mark a violation not verifiable at preview by its message, after the description", () => {
    const ev = new EventCollector("local", () => undefined);
    ev.handle({
      policyEvent: {
        policyName: "not-verifiable-at-preview",
        policyPackName: "slipway",
        enforcementLevel: "advisory",
        message:
          "Checks whether every property the other resource policies check is known at preview.\nnot verifiable at preview: spec.template",
      },
    });
    assert.equal(ev.violations()[0].unverifiable, true);
  });
});

describe("error diagnostics from the engine", () => {
  const STACK_URN = "urn:pulumi:local::slipway::pulumi:pulumi:Stack::slipway-local";
  const DEPLOYMENT_URN = "urn:pulumi:local::slipway::kubernetes:apps/v1:Deployment::api-gateway-stable";
  const PROVIDER_MESSAGE =
    "2 errors occurred:\n\t* the Kubernetes API server reported that the rollout failed\n\t* Minimum number of live Pods was not attained\n\n";

  it("name the resource and keep every cause the provider listed, in the error and as progress", () => {
    const lines: string[] = [];
    const ev = new EventCollector("local", (l) => lines.push(l));
    ev.handle({ diagnosticEvent: { urn: STACK_URN, severity: "error", message: "update failed" } });
    ev.handle({ diagnosticEvent: { urn: DEPLOYMENT_URN, severity: "error", message: PROVIDER_MESSAGE } });
    assert.equal(
      ev.firstError(),
      "api-gateway-stable: 2 errors occurred:\n  * the Kubernetes API server reported that the rollout failed\n  * Minimum number of live Pods was not attained",
    );
    assert.match(lines.join("\n"), /error api-gateway-stable: 2 errors occurred:\n +\* the Kubernetes API server/);
  });

  it("fall back to the update's own error when no resource failed", () => {
    const ev = new EventCollector("local", () => undefined);
    ev.handle({ diagnosticEvent: { urn: STACK_URN, severity: "error", message: "update failed\n" } });
    ev.handle({ diagnosticEvent: { urn: STACK_URN, severity: "warning", message: "a warning" } });
    assert.equal(ev.firstError(), "update failed");
  });
});

describe("secrets in engine events", () => {
  const URN = "urn:pulumi:dev::slipway::kubernetes:apps/v1:Deployment::api-gateway-stable";
  const env = (value: string) => ({
    spec: { template: { spec: { containers: [{ name: "app", env: [{ name: "API_KEY", value }] }] } } },
  });
  const step = (op: string, oldValue: string, newValue: string) => ({
    resourcePreEvent: {
      metadata: {
        op,
        urn: URN,
        type: "kubernetes:apps/v1:Deployment",
        old: { inputs: env(oldValue) },
        new: { inputs: env(newValue) },
        diffs: ["spec"],
      },
    },
  });

  it("mask an env value named like a secret wherever the provider repeats it: errors, progress and changes", () => {
    const lines: string[] = [];
    const ev = new EventCollector("dev", (l) => lines.push(l));
    ev.handle(step("update", "OldKeyValue123", "NewKeyValue456"));
    ev.handle({
      diagnosticEvent: {
        urn: URN,
        severity: "error",
        message: "admission webhook denied API_KEY=NewKeyValue456 (was OldKeyValue123)",
      },
    });
    const everything = JSON.stringify([ev.firstError(), lines, ev.changes()]);
    assert.ok(!everything.includes("NewKeyValue456") && !everything.includes("OldKeyValue123"), everything);
    assert.match(ev.firstError() ?? "", /API_KEY=\[secret\] \(was \[secret\]\)/);
  });

  it("mask token shapes and URL credentials in diagnostics and policy messages", () => {
    const lines: string[] = [];
    const ev = new EventCollector("dev", (l) => lines.push(l));
    ev.handle({
      diagnosticEvent: {
        urn: URN,
        severity: "error",
        message: "dial postgres://app:Pw0rd9876@db:5432/app with AKIAIOSFODNN7EXAMPLE",
      },
    });
    ev.handle({
      policyEvent: {
        policyName: "no-plaintext-token",
        policyPackName: "slipway",
        enforcementLevel: "mandatory",
        resourceUrn: URN,
        message: "header Authorization: Bearer Tok3nTok3nTok3n is set in plain text",
      },
    });
    const everything = JSON.stringify([ev.firstError(), lines, ev.violations()]);
    for (const s of ["Pw0rd9876", "AKIAIOSFODNN7EXAMPLE", "Tok3nTok3nTok3n"]) assert.ok(!everything.includes(s), s);
    assert.match(ev.violations()[0].message, /Bearer \[secret\]/);
  });

  it("mask a Secret's data, plain and decoded, wherever a message repeats it", () => {
    const urn = "urn:pulumi:dev::slipway::kubernetes:core/v1:Secret::db";
    const ev = new EventCollector("dev", () => undefined);
    const data = { conn: Buffer.from("DecodedConn42").toString("base64") };
    ev.handle({
      resourcePreEvent: {
        metadata: {
          op: "create",
          urn,
          type: "kubernetes:core/v1:Secret",
          new: { inputs: { data, stringData: { dsn: "PlainDsn77" } } },
        },
      },
    });
    ev.handle({
      diagnosticEvent: { urn, severity: "error", message: "bad DecodedConn42 / PlainDsn77 / " + data.conn },
    });
    assert.equal(ev.firstError(), "db: bad [secret] / [secret] / [secret]");
  });
});

describe("progress lines from the engine", () => {
  it("show control and bidi characters in names and messages as visible escapes", () => {
    const lines: string[] = [];
    const ev = new EventCollector("dev", (l) => lines.push(l));
    const urn = "urn:pulumi:dev::slipway::kubernetes:apps/v1:Deployment::api\x1b[2J\u202e";
    ev.handle({ resourcePreEvent: { metadata: { op: "create", urn, type: "kubernetes:apps/v1:Deployment" } } });
    ev.handle({ diagnosticEvent: { urn, severity: "error", message: "failed \x1b]8;;https://evil\x07 here\rOK" } });
    const out = lines.join("\n");
    assert.doesNotMatch(out, /[\x1b\x07\r\u202e]/);
    assert.match(out, /api\\x1b\[2J\\u202e/);
  });
});

describe("a create in the engine's own events (no old state: null)", () => {
  it("is reported as a change and printed as progress, as an update is", () => {
    const lines: string[] = [];
    const ev = new EventCollector("local", (l) => lines.push(l));
    const urn = "urn:pulumi:local::slipway::kubernetes:apps/v1:Deployment::api-gateway-canary";
    const state = { type: "kubernetes:apps/v1:Deployment", urn, inputs: { spec: { replicas: 1 } }, outputs: {} };
    ev.handle({ resourcePreEvent: { metadata: { op: "create", urn, type: state.type, old: null, new: state } } });
    ev.handle({
      resourcePreEvent: { metadata: { op: "delete", urn: `${urn}x`, type: state.type, old: state, new: null } },
    });
    assert.deepEqual(lines, [
      "local:   create kubernetes:apps/v1:Deployment api-gateway-canary",
      "local:   delete kubernetes:apps/v1:Deployment api-gateway-canaryx",
    ]);
    assert.deepEqual(
      ev.changes().map((c) => [c.op, c.name]),
      [
        ["create", "api-gateway-canary"],
        ["delete", "api-gateway-canaryx"],
      ],
    );
  });
});

describe("advisory policy findings in the progress", () => {
  const deployment = (n: number) => `urn:pulumi:dev::slipway::kubernetes:apps/v1:Deployment::svc-${n}`;
  const finding = (policyName: string, urn: string, enforcementLevel = "advisory") => ({
    policyEvent: { policyName, policyPackName: "slipway", enforcementLevel, resourceUrn: urn, message: "unpinned" },
  });
  const summary = { summaryEvent: { durationSeconds: 1, resourceChanges: { update: 10 } } };

  function play(verbose: boolean, flush = true): { lines: string[]; ev: EventCollector } {
    const lines: string[] = [];
    const ev = new EventCollector("dev", (l) => lines.push(l), { verbose });
    for (let n = 0; n < 10; n++) ev.handle(finding("container-images-digest-pinned", deployment(n)));
    ev.handle(finding("service-has-owner", "urn:pulumi:dev::slipway::kubernetes:core/v1:Service::api"));
    ev.handle(finding("run-as-non-root", deployment(1), "mandatory"));
    if (flush) ev.handle(summary);
    return { lines, ev };
  }

  it("fold into one line per policy per update, counted by kind of resource", () => {
    const { lines, ev } = play(false);
    assert.deepEqual(
      lines.filter((l) => /advisory/.test(l)),
      [
        "dev:   policy container-images-digest-pinned: 10 Deployments (advisory)",
        "dev:   policy service-has-owner: 1 Service (advisory)",
      ],
    );
    assert.equal(ev.violations().length, 12, "every finding still reaches the reports");
    assert.ok(lines.indexOf("dev:   policy service-has-owner: 1 Service (advisory)") < lines.length - 1, "before done");
  });

  it("print each one with --verbose", () => {
    const { lines } = play(true);
    assert.equal(lines.filter((l) => / policy advisory container-images-digest-pinned: unpinned$/.test(l)).length, 10);
  });

  it("never fold a mandatory finding: it shows as it arrives", () => {
    const { lines } = play(false, false);
    assert.deepEqual(lines, ["dev:   policy mandatory run-as-non-root: unpinned"]);
  });

  it("are printed when the update ends without a summary, once", () => {
    const { lines, ev } = play(false, false);
    ev.flushAdvisories();
    ev.flushAdvisories();
    assert.equal(lines.filter((l) => /\(advisory\)$/.test(l)).length, 2);
  });
});
