import * as assert from "assert";
import { containersRunAsNonRoot } from "../../policies/nonRoot";
import { rdsStorageEncrypted } from "../../policies/encryption";
import { NOT_VERIFIABLE_POLICY, STACK_NOT_VERIFIABLE_POLICY } from "../../policies/previewUnknowns";
import { resourcePolicies, stackPolicies } from "../../policies/rules";
import { containerImagesPinned } from "../../policies/workloads";
import { deployment, parameterGroup, rdsInstance, T } from "./fixtures";
import { COMPUTED, validateResource, validateStack, withProp } from "./helpers";

const advisory = resourcePolicies.find((p) => p.name === NOT_VERIFIABLE_POLICY)!;
const stackAdvisory = stackPolicies.find((p) => p.name === STACK_NOT_VERIFIABLE_POLICY)!;
const C0 = "spec.template.spec.containers.0";
const LABEL = 'Deployment "api-gateway-stable" container "api-gateway"';

const computedImage = { type: T.deployment, name: "d", props: withProp(deployment(), `${C0}.image`, COMPUTED) };

describe(`#${NOT_VERIFIABLE_POLICY}`, () => {
  it("is advisory", () => assert.strictEqual(advisory.enforcementLevel, "advisory"));

  it("reports nothing when every checked property is known", () => {
    assert.deepStrictEqual(validateResource(advisory, { type: T.deployment, name: "d", props: deployment() }), []);
  });

  it("does not let the policy pass or fail a computed image", () => {
    assert.deepStrictEqual(validateResource(containerImagesPinned, computedImage), []);
  });

  it("lists a computed image as not verifiable at preview, naming the policy", () => {
    assert.deepStrictEqual(validateResource(advisory, computedImage), [
      `not verifiable at preview: ${LABEL} image is computed during the update, so container-images-pinned cannot check it yet; the update checks it again before it changes the resource.`,
      `not verifiable at preview: ${LABEL} image is computed during the update, so container-images-digest-pinned cannot check it yet; the update checks it again before it changes the resource.`,
    ]);
  });

  it("still checks the known properties of the same resource", () => {
    const props = withProp(computedImage.props, `${C0}.securityContext.runAsNonRoot`, false);
    assert.strictEqual(validateResource(containersRunAsNonRoot, { ...computedImage, props }).length, 1);
  });

  it("lists every policy that needs a computed container list", () => {
    const messages = validateResource(advisory, {
      type: T.deployment,
      name: "d",
      props: withProp(deployment(), "spec.template.spec.containers", COMPUTED),
    });
    assert.ok(messages.length >= 8, messages.join("\n"));
    assert.ok(
      messages.every((m) =>
        m.startsWith(
          'not verifiable at preview: Deployment "api-gateway-stable" spec.template.spec.containers is computed',
        ),
      ),
    );
  });

  it("lists a computed KMS key even where the stack does not require one", () => {
    const props = withProp(rdsInstance(), "kmsKeyId", COMPUTED);
    assert.deepStrictEqual(
      validateResource(
        rdsStorageEncrypted,
        { type: T.rdsInstance, name: "orders-db", props },
        { requireCustomerManagedKey: true },
      ),
      [],
    );
    assert.deepStrictEqual(validateResource(advisory, { type: T.rdsInstance, name: "orders-db", props }), [
      'not verifiable at preview: RDS instance "orders-db" kmsKeyId is computed during the update, so rds-storage-encrypted cannot check it yet; the update checks it again before it changes the resource.',
    ]);
  });
});

describe(`#${STACK_NOT_VERIFIABLE_POLICY}`, () => {
  it("is advisory", () => assert.strictEqual(stackAdvisory.enforcementLevel, "advisory"));

  it("lists a computed parameter group name the TLS policy cannot follow", () => {
    const db = {
      type: T.rdsInstance,
      name: "orders-db",
      props: withProp(rdsInstance(), "parameterGroupName", COMPUTED),
    };
    const group = { type: T.parameterGroup, name: "pg", props: parameterGroup() };
    assert.deepStrictEqual(
      validateStack(stackAdvisory, [db, group]).map((v) => v.message),
      [
        'not verifiable at preview: RDS instance "orders-db" parameterGroupName is computed during the update, so rds-tls-enforced cannot check it yet; the update checks it again when it finishes.',
      ],
    );
    assert.deepStrictEqual(
      validateStack(
        stackPolicies.find((p) => p.name === "rds-tls-enforced")!,
        [db, group],
      ),
      [],
    );
  });
});
