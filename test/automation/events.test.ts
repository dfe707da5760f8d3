import { strict as assert } from "assert";
import { EventCollector, violationText } from "../../automation/events";

// The message of a policy event as the engine sends it: the policy's description, a newline, the violation.
const ENGINE_MESSAGE =
  "Checks whether every container's CPU and memory stay within the stack's per-container ceilings and limit/request ratio.\n" +
  'Deployment "api-gateway-stable" container "api-gateway" must keep resources.limits.cpu (2) at or below 1; lower it or raise maxCpu in this stack\'s policy config.';

describe("policy events from the engine", () => {
  it("keep the violation's own message, not the policy's description", () => {
    assert.match(violationText(ENGINE_MESSAGE), /^Deployment "api-gateway-stable" container "api-gateway" must keep resources\.limits\.cpu \(2\) at or below 1/);
  });

  it("keep a message that carries no description whole", () => {
    assert.equal(violationText("Deployment must run as non-root\n  uid 0"), "Deployment must run as non-root\n  uid 0");
  });

  it("mark a violation not verifiable at preview by its message, after the description", () => {
    const ev = new EventCollector("local", () => undefined);
    ev.handle({ policyEvent: {
      policyName: "not-verifiable-at-preview", policyPackName: "slipway", enforcementLevel: "advisory",
      message: "Checks whether every property the other resource policies check is known at preview.\nnot verifiable at preview: spec.template",
    } });
    assert.equal(ev.violations()[0].unverifiable, true);
  });
});
