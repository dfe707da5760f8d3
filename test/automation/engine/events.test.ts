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
