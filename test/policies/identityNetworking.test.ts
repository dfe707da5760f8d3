import * as assert from "assert";
import { iamNoWildcardActions } from "../../policies/identity";
import { namespacesDefaultDenyNetworkPolicy } from "../../policies/networking";
import { deployment, T } from "./fixtures";
import { validateResource, validateStack, withProp } from "./helpers";

describe("#iam-no-wildcard-actions", () => {
  const doc = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
  const named = doc({ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" });
  it("passes named actions", () =>
    assert.deepStrictEqual(
      validateResource(iamNoWildcardActions, {
        type: "aws:iam/rolePolicy:RolePolicy",
        name: "p",
        props: { policy: named },
      }),
      [],
    ));
  it("passes a Deny with a wildcard (the TLS-only guard)", () => {
    assert.deepStrictEqual(
      validateResource(iamNoWildcardActions, {
        type: "aws:iam/policy:Policy",
        name: "p",
        props: { policy: doc({ Effect: "Deny", Action: "s3:*", Resource: "*" }) },
      }),
      [],
    );
  });
  for (const action of ["*", "s3:*"]) {
    it(`fails Allow ${action}`, () => {
      assert.deepStrictEqual(
        validateResource(iamNoWildcardActions, {
          type: "aws:iam/rolePolicy:RolePolicy",
          name: "p",
          props: { policy: doc({ Effect: "Allow", Action: action, Resource: "*" }) },
        }),
        [
          `IAM policy "p" must name the actions it allows, not "${action}"; list each action the workload calls (e.g. "s3:GetObject").`,
        ],
      );
    });
  }
  it("fails Allow with NotAction", () => {
    assert.strictEqual(
      validateResource(iamNoWildcardActions, {
        type: "aws:iam/policy:Policy",
        name: "p",
        props: { policy: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) },
      }).length,
      1,
    );
  });
  it("checks a role's inline policies", () => {
    const props = {
      assumeRolePolicy: named,
      inlinePolicies: [{ name: "admin", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }],
    };
    assert.deepStrictEqual(validateResource(iamNoWildcardActions, { type: "aws:iam/role:Role", name: "r", props }), [
      'IAM role "r" inline policy "admin" must name the actions it allows, not "*"; list each action the workload calls (e.g. "s3:GetObject").',
    ]);
  });
});

describe("#namespaces-default-deny-network-policy", () => {
  const deny = {
    metadata: { name: "default-deny", namespace: "slipway" },
    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
  };
  const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
  it("passes a namespace with a default-deny policy", () => {
    assert.deepStrictEqual(
      validateStack(namespacesDefaultDenyNetworkPolicy, [
        { type: T.deployment, name: "d", props: deployment() },
        { type: NP, name: "np", props: deny },
      ]),
      [],
    );
  });
  it("fails a namespace without any NetworkPolicy", () => {
    assert.deepStrictEqual(
      validateStack(namespacesDefaultDenyNetworkPolicy, [{ type: T.deployment, name: "d", props: deployment() }]).map(
        (v) => v.message,
      ),
      [
        'Namespace "slipway" must have a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress], no rules) before it runs workloads; add one and allow each needed edge in its own policy.',
      ],
    );
  });
  it("does not count a policy that allows something, selects some pods, covers one direction or lives elsewhere", () => {
    for (const [path, value] of [
      ["spec.ingress", [{}]],
      ["spec.podSelector", { matchLabels: { a: "b" } }],
      ["spec.policyTypes", ["Ingress"]],
      ["metadata.namespace", "other"],
    ] as const) {
      const resources = [
        { type: T.deployment, name: "d", props: deployment() },
        { type: NP, name: "np", props: withProp(deny, path, value) },
      ];
      assert.strictEqual(validateStack(namespacesDefaultDenyNetworkPolicy, resources).length, 1, path);
    }
  });
});
