import * as assert from "assert";
import { containerImagesPinned, containerProbesRequired, imageTag } from "../../policies/workloads";
import { cronJob, deployment, T } from "./fixtures";
import { validateResource, withProp } from "./helpers";

const C0 = "spec.template.spec.containers.0";
const LABEL = 'Deployment "api-gateway-stable" container "api-gateway"';

function run(policy: Parameters<typeof validateResource>[0], path?: string, value?: unknown): string[] {
  const props = path === undefined ? deployment() : withProp(deployment(), path, value);
  return validateResource(policy, { type: T.deployment, name: "api-gateway-stable", props });
}

describe("image references", () => {
  const cases: Array<[string, string | undefined]> = [
    ["nginx:1.27", "1.27"],
    ["nginx", undefined],
    ["registry:5000/team/app", undefined],
    ["registry:5000/team/app:2.0.1", "2.0.1"],
    ["app@sha256:abc", undefined],
    ["app:1.0@sha256:abc", "1.0"],
  ];
  for (const [image, tag] of cases) {
    it(`reads the tag of ${image} as ${tag}`, () => assert.strictEqual(imageTag(image), tag));
  }
});

describe("#container-images-pinned", () => {
  it("passes a version tag", () => assert.deepStrictEqual(run(containerImagesPinned), []));

  it("passes a digest", () => {
    assert.deepStrictEqual(
      run(containerImagesPinned, `${C0}.image`, `registry.local/app@sha256:${"a".repeat(64)}`),
      [],
    );
  });

  it("fails when the image is tagged latest", () => {
    assert.deepStrictEqual(run(containerImagesPinned, `${C0}.image`, "registry.local/app:latest"), [
      `${LABEL} must pin its image to a version tag or a digest: "registry.local/app:latest" is tagged latest; use e.g. "<repository>:1.4.0" or "<repository>@sha256:<digest>".`,
    ]);
  });

  it("fails when the image has no tag, even behind a registry port", () => {
    assert.deepStrictEqual(run(containerImagesPinned, `${C0}.image`, "registry.local:5000/app"), [
      `${LABEL} must pin its image to a version tag or a digest: "registry.local:5000/app" has no tag; use e.g. "<repository>:1.4.0" or "<repository>@sha256:<digest>".`,
    ]);
  });

  it("fails when the image is unset", () => {
    assert.deepStrictEqual(run(containerImagesPinned, `${C0}.image`, undefined), [
      `${LABEL} must pin its image to a version tag or a digest: the image is unset; use e.g. "<repository>:1.4.0" or "<repository>@sha256:<digest>".`,
    ]);
  });
});

describe("#container-probes-required", () => {
  it("passes liveness and readiness probes", () => assert.deepStrictEqual(run(containerProbesRequired), []));

  for (const probe of ["livenessProbe", "readinessProbe"]) {
    it(`fails when the ${probe} is missing`, () => {
      assert.deepStrictEqual(run(containerProbesRequired, `${C0}.${probe}`, undefined), [
        `${LABEL} must define a ${probe}; add an httpGet, tcpSocket, grpc or exec probe (the services serve /health).`,
      ]);
    });
  }

  it("does not require probes on init containers", () => {
    assert.deepStrictEqual(
      run(containerProbesRequired, "spec.template.spec.initContainers", [{ name: "migrate", image: "m:1" }]),
      [],
    );
  });

  it("does not apply to CronJobs", () => {
    const props = withProp(cronJob(), "spec.jobTemplate.spec.template.spec.containers.0.livenessProbe", undefined);
    assert.deepStrictEqual(validateResource(containerProbesRequired, { type: T.cronJob, props }), []);
  });
});
