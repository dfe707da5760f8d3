import * as assert from "assert";
import { containerResourceCeilings, containerResourcesRequired, hpaReplicaRange } from "../../policies/resourceLimits";
import { container, cronJob, deployment, hpa, pod, T } from "./fixtures";
import { validateResource, withProp } from "./helpers";

const C0 = "spec.template.spec.containers.0";
const LABEL = 'Deployment "api-gateway-stable" container "api-gateway"';

function deploy(path?: string, value?: unknown) {
  const props = path === undefined ? deployment() : withProp(deployment(), path, value);
  return { type: T.deployment, name: "api-gateway-stable", props };
}

describe("#container-resources-required", () => {
  const check = (r: ReturnType<typeof deploy>) => validateResource(containerResourcesRequired, r);

  it("passes a container with CPU and memory requests and limits", () => {
    assert.deepStrictEqual(check(deploy()), []);
  });

  for (const [kind, resource, example] of [
    ["requests", "cpu", 'CPU request such as "500m"'],
    ["requests", "memory", 'memory request such as "512Mi"'],
    ["limits", "cpu", 'CPU limit such as "500m"'],
    ["limits", "memory", 'memory limit such as "512Mi"'],
  ]) {
    it(`fails when resources.${kind}.${resource} is missing`, () => {
      assert.deepStrictEqual(check(deploy(`${C0}.resources.${kind}.${resource}`, undefined)), [
        `${LABEL} must set resources.${kind}.${resource}; add a ${example} to the container's resources.`,
      ]);
    });
  }

  it("fails when the CPU limit is below the request", () => {
    assert.deepStrictEqual(check(deploy(`${C0}.resources.limits.cpu`, "250m")), [
      `${LABEL} must set resources.limits.cpu ("250m") at or above resources.requests.cpu ("500m"); raise the limit or lower the request.`,
    ]);
  });

  it("fails when the memory limit is below the request, across units", () => {
    assert.deepStrictEqual(check(deploy(`${C0}.resources.limits.memory`, "1000M")), [
      `${LABEL} must set resources.limits.memory ("1000M") at or above resources.requests.memory ("1Gi"); raise the limit or lower the request.`,
    ]);
  });

  it("passes a limit equal to the request written in other units", () => {
    assert.deepStrictEqual(check(deploy(`${C0}.resources.limits.cpu`, "0.5")), []);
  });

  it("fails when a quantity is not a Kubernetes quantity", () => {
    assert.deepStrictEqual(check(deploy(`${C0}.resources.requests.memory`, "1GB")), [
      `${LABEL} must set resources.requests.memory to a Kubernetes quantity, not "1GB"; use a value such as "512Mi".`,
    ]);
  });

  it("fails when an init container has no resources", () => {
    const init = { ...container("migrate"), resources: undefined };
    assert.deepStrictEqual(check(deploy("spec.template.spec.initContainers", [init])).length, 4);
    assert.match(
      check(deploy("spec.template.spec.initContainers", [init]))[0],
      /^Deployment "api-gateway-stable" init container "migrate" must set resources.requests.cpu/,
    );
  });

  it("fails for a CronJob's job template container", () => {
    const props = withProp(cronJob(), "spec.jobTemplate.spec.template.spec.containers.0.resources.limits", undefined);
    assert.deepStrictEqual(validateResource(containerResourcesRequired, { type: T.cronJob, name: "nightly", props }), [
      'CronJob "nightly-report" container "api-gateway" must set resources.limits.cpu; add a CPU limit such as "500m" to the container\'s resources.',
      'CronJob "nightly-report" container "api-gateway" must set resources.limits.memory; add a memory limit such as "512Mi" to the container\'s resources.',
    ]);
  });

  it("fails for a bare Pod", () => {
    const props = withProp(pod(), "spec.containers.0.resources.requests.cpu", undefined);
    assert.deepStrictEqual(validateResource(containerResourcesRequired, { type: T.pod, name: "debug", props }), [
      'Pod "debug" container "api-gateway" must set resources.requests.cpu; add a CPU request such as "500m" to the container\'s resources.',
    ]);
  });

  for (const type of [T.statefulSet, T.daemonSet, T.replicaSet, T.job]) {
    it(`fails for a ${type.split(":")[2]} too`, () => {
      const props = withProp(deployment("worker"), `${C0}.resources.requests.cpu`, undefined);
      assert.strictEqual(validateResource(containerResourcesRequired, { type, name: "worker", props }).length, 1);
    });
  }

  it("ignores other resource types", () => {
    assert.deepStrictEqual(validateResource(containerResourcesRequired, { type: T.hpa, props: { spec: {} } }), []);
  });
});

describe("#container-resource-ceilings", () => {
  const check = (r: ReturnType<typeof deploy>, config = {}) => validateResource(containerResourceCeilings, r, config);

  it("passes the seeds' largest container (4 CPU, 16Gi, ratio 4)", () => {
    const props = withProp(
      withProp(deployment(), `${C0}.resources`, {
        requests: { cpu: "1000m", memory: "4Gi" },
        limits: { cpu: "4000m", memory: "16Gi" },
      }),
      "metadata.name",
      "cache-service-stable",
    );
    assert.deepStrictEqual(check({ type: T.deployment, name: "c", props }), []);
  });

  it("fails when the CPU limit is above the ceiling", () => {
    const props = withProp(deploy(`${C0}.resources.limits.cpu`, "6").props, `${C0}.resources.requests.cpu`, "2");
    assert.deepStrictEqual(check({ type: T.deployment, name: "a", props }), [
      `${LABEL} must keep resources.limits.cpu (6) at or below 4; lower it or raise maxCpu in this stack's policy config.`,
    ]);
  });

  it("fails when the memory limit is above a configured ceiling", () => {
    assert.deepStrictEqual(check(deploy(), { maxMemory: "2Gi" }), [
      `${LABEL} must keep resources.limits.memory (4Gi) at or below 2Gi; lower it or raise maxMemory in this stack's policy config.`,
    ]);
  });

  it("fails when the limit/request ratio is above the maximum", () => {
    assert.deepStrictEqual(check(deploy(`${C0}.resources.requests.cpu`, "250m")), [
      `${LABEL} must keep its cpu limit/request ratio at or below 4 (limit 2 / request 250m = 8); raise the request or lower the limit.`,
    ]);
  });

  it("applies a configured ratio", () => {
    assert.deepStrictEqual(check(deploy(), { maxLimitRequestRatio: 2 }), [
      `${LABEL} must keep its cpu limit/request ratio at or below 2 (limit 2 / request 500m = 4); raise the request or lower the limit.`,
      `${LABEL} must keep its memory limit/request ratio at or below 2 (limit 4Gi / request 1Gi = 4); raise the request or lower the limit.`,
    ]);
  });

  it("leaves missing resources to container-resources-required", () => {
    assert.deepStrictEqual(check(deploy(`${C0}.resources`, undefined)), []);
  });
});

describe("#hpa-replica-range", () => {
  const check = (props: object, config = {}, type: string = T.hpa) =>
    validateResource(hpaReplicaRange, { type, name: "api-gateway", props }, config);

  it("passes min 3 max 10 with the prod minimum of 3", () => {
    assert.deepStrictEqual(check(hpa(3, 10), { minReplicas: 3 }), []);
  });

  it("fails when minReplicas is above maxReplicas", () => {
    assert.deepStrictEqual(check(hpa(5, 3)), [
      'HorizontalPodAutoscaler "api-gateway" must set spec.minReplicas (5) at or below spec.maxReplicas (3); lower minReplicas or raise maxReplicas.',
    ]);
  });

  it("fails when minReplicas is below the stack's minimum", () => {
    assert.deepStrictEqual(check(hpa(2, 10), { minReplicas: 3 }), [
      'HorizontalPodAutoscaler "api-gateway" must set spec.minReplicas to at least 3 on this stack (it is 2); raise minReplicas.',
    ]);
  });

  it("fails when minReplicas is unset (Kubernetes uses 1) and the stack needs more", () => {
    assert.deepStrictEqual(check(withProp(hpa(), "spec.minReplicas", undefined), { minReplicas: 2 }), [
      'HorizontalPodAutoscaler "api-gateway" must set spec.minReplicas to at least 2 on this stack (it is 1); raise minReplicas.',
    ]);
  });

  it("checks autoscaling/v1 autoscalers too", () => {
    assert.strictEqual(check(hpa(5, 3), {}, T.hpaV1).length, 1);
  });
});
