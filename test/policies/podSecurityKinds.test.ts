import * as assert from "assert";
import { podsSeccompConfined, workloadsCurrentApiVersion } from "../../policies/podSecurity";
import { resourcePolicies } from "../../policies/rules";
import { cronJob, deployment, podSpec, T } from "./fixtures";
import { validateResource, withProp } from "./helpers";

describe("workloads in removed API versions", () => {
  const OLD: Array<[string, object]> = [
    ["kubernetes:batch/v1beta1:CronJob", cronJob()],
    ["kubernetes:batch/v2alpha1:CronJob", cronJob()],
    ...["Deployment", "DaemonSet", "ReplicaSet"].map((k): [string, object] => [
      `kubernetes:extensions/v1beta1:${k}`,
      deployment(),
    ]),
    ...["Deployment", "StatefulSet"].map((k): [string, object] => [`kubernetes:apps/v1beta1:${k}`, deployment()]),
    ...["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].map((k): [string, object] => [
      `kubernetes:apps/v1beta2:${k}`,
      deployment(),
    ]),
  ];
  for (const [type, props] of OLD) {
    it(`#workloads-current-api-version refuses ${type} naming the current version`, () => {
      const [, version, kind] = type.split(":");
      const current = kind === "CronJob" ? "batch/v1" : "apps/v1";
      const name = kind === "CronJob" ? "nightly-report" : "api-gateway-stable";
      assert.deepStrictEqual(validateResource(workloadsCurrentApiVersion, { type, props }), [
        `${kind} "${name}" must use apiVersion ${current}: ${version} is no longer served by Kubernetes; declare it as kubernetes:${current}:${kind}.`,
      ]);
    });

    it(`checks ${type} like its current version: a bare pod with host namespaces fails every relevant policy`, () => {
      const bare = {
        containers: [{ name: "app", image: "app:latest" }],
        hostPID: true,
        hostIPC: true,
        hostNetwork: true,
      };
      const spec = type.endsWith("CronJob")
        ? { jobTemplate: { spec: { template: { spec: bare } } } }
        : { template: { spec: bare } };
      const failing = resourcePolicies
        .filter((p) => validateResource(p, { type, props: { metadata: { name: "x" }, spec } }).length > 0)
        .map((p) => p.name);
      for (const name of [
        "container-resources-required",
        "containers-run-as-non-root",
        "containers-no-privilege-escalation",
        "pods-no-host-namespaces",
        "container-images-pinned",
        "pods-seccomp-confined",
        "workloads-current-api-version",
      ]) {
        assert.ok(failing.includes(name), `${type}: ${name} did not fail (failing: ${failing.join(", ")})`);
      }
    });
  }

  it("passes the current versions", () => {
    assert.deepStrictEqual(
      validateResource(workloadsCurrentApiVersion, { type: T.deployment, props: deployment() }),
      [],
    );
    assert.deepStrictEqual(validateResource(workloadsCurrentApiVersion, { type: T.cronJob, props: cronJob() }), []);
  });
});

describe("pod templates", () => {
  it("checks a core/v1 PodTemplate's template", () => {
    const props = {
      metadata: { name: "worker" },
      template: { spec: withProp(podSpec(), "securityContext.seccompProfile.type", "Unconfined") },
    };
    assert.strictEqual(
      validateResource(podsSeccompConfined, { type: "kubernetes:core/v1:PodTemplate", props }).length,
      1,
    );
  });
});

describe("patches (server-side apply of part of a live object)", () => {
  const PATCH = "kubernetes:apps/v1:DeploymentPatch";
  const patch = (securityContext: object) => ({
    metadata: { name: "api-gateway-stable" },
    spec: { template: { spec: { containers: [{ name: "api-gateway", securityContext }] } } },
  });

  it("checks the values a DeploymentPatch sets", () => {
    assert.deepStrictEqual(
      validateResource(
        resourcePolicies.find((p) => p.name === "containers-not-privileged")!,
        { type: PATCH, props: patch({ privileged: true }) },
      ),
      [
        'DeploymentPatch "api-gateway-stable" container "api-gateway" must not run privileged; remove securityContext.privileged or set it to false.',
      ],
    );
    assert.strictEqual(
      validateResource(
        resourcePolicies.find((p) => p.name === "containers-no-privilege-escalation")!,
        { type: PATCH, props: patch({ allowPrivilegeEscalation: true }) },
      ).length,
      1,
    );
    assert.strictEqual(
      validateResource(podsSeccompConfined, { type: PATCH, props: patch({ seccompProfile: { type: "Unconfined" } }) })
        .length,
      1,
    );
  });

  it("does not ask a patch for the fields it leaves to the live object", () => {
    const failing = resourcePolicies
      .filter((p) => validateResource(p, { type: PATCH, props: patch({ runAsUser: 10001 }) }).length > 0)
      .map((p) => p.name);
    assert.deepStrictEqual(failing, []);
  });

  it("refuses a patch in a removed API version, naming the current one", () => {
    assert.deepStrictEqual(
      validateResource(workloadsCurrentApiVersion, {
        type: "kubernetes:extensions/v1beta1:DeploymentPatch",
        props: patch({}),
      }),
      [
        'DeploymentPatch "api-gateway-stable" must use apiVersion apps/v1: extensions/v1beta1 is no longer served by Kubernetes; declare it as kubernetes:apps/v1:DeploymentPatch.',
      ],
    );
  });

  it("covers the patch of every kind and version", () => {
    for (const type of [
      "kubernetes:batch/v1:CronJobPatch",
      "kubernetes:core/v1:PodPatch",
      "kubernetes:apps/v1beta2:StatefulSetPatch",
      "kubernetes:batch/v1beta1:CronJobPatch",
    ]) {
      assert.ok(podsSeccompConfined.types.has(type), type);
    }
  });
});
