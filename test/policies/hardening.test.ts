import * as assert from "assert";
import {
  pdbUnhealthyPodEvictionAlwaysAllow,
  servingObjectsCreateBeforeReplace,
  workloadsSpreadAcrossFailureDomains,
} from "../../policies/availability";
import { workloadsOwnServiceAccount } from "../../policies/identity";
import {
  containerEphemeralStorageLimits,
  containerImagesDigestPinned,
  containerReadinessOwnEndpoint,
} from "../../policies/workloads";
import { deployment, pdb, T } from "./fixtures";
import { validateResource, withProp } from "./helpers";

const POD = "spec.template.spec";
const C0 = `${POD}.containers.0`;
const LABEL = 'Deployment "api-gateway-stable" container "api-gateway"';
const WORKLOAD = 'Deployment "api-gateway-stable"';
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;
const ZONE = "topology.kubernetes.io/zone";

function run(
  policy: Parameters<typeof validateResource>[0],
  changes: Array<[string, unknown]>,
  config: Record<string, unknown> = {},
): string[] {
  let props: object = deployment();
  for (const [path, value] of changes) props = withProp(props, path, value);
  return validateResource(policy, { type: T.deployment, name: "api-gateway-stable", props }, config);
}

describe("#container-images-digest-pinned", () => {
  it("passes an image pinned by digest", () => {
    assert.deepStrictEqual(
      run(containerImagesDigestPinned, [[`${C0}.image`, `registry.local/slipway/api-gateway:1.4.0@${DIGEST}`]]),
      [],
    );
  });
  it("fails when the image has a tag only", () => {
    assert.deepStrictEqual(run(containerImagesDigestPinned, []), [
      `${LABEL} must pin its image by digest (it is "111122223333.dkr.ecr.eu-west-1.amazonaws.com/slipway/api-gateway:1.4.0"); add the release's digest, e.g. "<repository>:1.4.0@sha256:<digest>" (config slipway:imageDigests).`,
    ]);
  });
  it("fails when the digest is truncated", () => {
    assert.strictEqual(
      run(containerImagesDigestPinned, [[`${C0}.image`, "registry.local/app:1.4.0@sha256:abc"]]).length,
      1,
    );
  });
});

describe("#container-readiness-own-endpoint", () => {
  it("passes readiness on its own path", () => {
    assert.deepStrictEqual(
      run(containerReadinessOwnEndpoint, [
        [`${C0}.readinessProbe`, { httpGet: { path: "/health/external", port: 8080 } }],
      ]),
      [],
    );
  });
  it("fails when readiness and liveness probe the same endpoint", () => {
    assert.deepStrictEqual(run(containerReadinessOwnEndpoint, []), [
      `${LABEL} must probe readiness on its own endpoint, not the liveness one ([["httpGet",{"path":"/health","port":8080}]]); serve readiness from a path that also checks dependencies, e.g. /health/external.`,
    ]);
  });
  it("fails when only the timings differ", () => {
    assert.strictEqual(run(containerReadinessOwnEndpoint, [[`${C0}.readinessProbe.periodSeconds`, 5]]).length, 1);
  });
});

describe("#container-ephemeral-storage-limits", () => {
  const withStorage: Array<[string, unknown]> = [
    [`${C0}.resources.requests.ephemeral-storage`, "128Mi"],
    [`${C0}.resources.limits.ephemeral-storage`, "1Gi"],
  ];
  it("passes a request and a limit", () =>
    assert.deepStrictEqual(run(containerEphemeralStorageLimits, withStorage), []));
  it("fails when the request is missing", () => {
    assert.deepStrictEqual(run(containerEphemeralStorageLimits, [withStorage[1]]), [
      `${LABEL} must set resources.requests.ephemeral-storage; add a quantity such as "128Mi".`,
    ]);
  });
  it("fails when the limit is missing", () => {
    assert.deepStrictEqual(run(containerEphemeralStorageLimits, [withStorage[0]]), [
      `${LABEL} must set resources.limits.ephemeral-storage; add a quantity such as "1Gi".`,
    ]);
  });
});

describe("#workloads-own-service-account", () => {
  it("passes a named ServiceAccount", () =>
    assert.deepStrictEqual(run(workloadsOwnServiceAccount, [[`${POD}.serviceAccountName`, "api-gateway"]]), []));
  it("fails when no ServiceAccount is named", () => {
    assert.deepStrictEqual(run(workloadsOwnServiceAccount, []), [
      `${WORKLOAD} must run under a ServiceAccount of its own (it uses the namespace's default); set spec.template.spec.serviceAccountName to the workload's own account.`,
    ]);
  });
  it("fails when it names default", () => {
    assert.deepStrictEqual(run(workloadsOwnServiceAccount, [[`${POD}.serviceAccountName`, "default"]]), [
      `${WORKLOAD} must run under a ServiceAccount of its own (it uses "default"); set spec.template.spec.serviceAccountName to the workload's own account.`,
    ]);
  });
  it("reads the deprecated serviceAccount field too", () =>
    assert.deepStrictEqual(run(workloadsOwnServiceAccount, [[`${POD}.serviceAccount`, "api-gateway"]]), []));
});

describe("#workloads-spread-across-failure-domains", () => {
  const prod = { topologyKey: ZONE, required: true };
  const spread = (whenUnsatisfiable: string): [string, unknown] => [
    `${POD}.topologySpreadConstraints`,
    [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable }],
  ];
  it("passes a hard zone spread on prod", () =>
    assert.deepStrictEqual(run(workloadsSpreadAcrossFailureDomains, [spread("DoNotSchedule")], prod), []));
  it("fails a soft zone spread on prod", () => {
    assert.deepStrictEqual(run(workloadsSpreadAcrossFailureDomains, [spread("ScheduleAnyway")], prod), [
      `${WORKLOAD} must spread its pods over ${ZONE}; add a topologySpreadConstraint with topologyKey ${ZONE}, maxSkew 1 and whenUnsatisfiable: DoNotSchedule.`,
    ]);
  });
  it("fails no spread at all (default: nodes)", () => {
    assert.deepStrictEqual(run(workloadsSpreadAcrossFailureDomains, []), [
      `${WORKLOAD} must spread its pods over kubernetes.io/hostname; add a topologySpreadConstraint with topologyKey kubernetes.io/hostname, maxSkew 1 and whenUnsatisfiable: ScheduleAnyway or DoNotSchedule.`,
    ]);
  });
  it("accepts preferred pod anti-affinity where the spread may be soft", () => {
    const affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: {} } },
        ],
      },
    };
    assert.deepStrictEqual(run(workloadsSpreadAcrossFailureDomains, [[`${POD}.affinity`, affinity]]), []);
  });
  it("accepts required pod anti-affinity over zones on prod", () => {
    const affinity = {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: ZONE, labelSelector: {} }] },
    };
    assert.deepStrictEqual(run(workloadsSpreadAcrossFailureDomains, [[`${POD}.affinity`, affinity]], prod), []);
  });
  it("leaves Jobs, Pods and DaemonSets alone", () => {
    assert.deepStrictEqual(
      validateResource(workloadsSpreadAcrossFailureDomains, { type: T.daemonSet, props: deployment() }, prod),
      [],
    );
  });
});

describe("#pdb-unhealthy-pod-eviction-always-allow", () => {
  it("passes AlwaysAllow", () => {
    assert.deepStrictEqual(
      validateResource(pdbUnhealthyPodEvictionAlwaysAllow, {
        type: T.pdb,
        props: withProp(pdb(), "spec.unhealthyPodEvictionPolicy", "AlwaysAllow"),
      }),
      [],
    );
  });
  it("fails when unset (Kubernetes defaults to IfHealthyBudget)", () => {
    assert.deepStrictEqual(validateResource(pdbUnhealthyPodEvictionAlwaysAllow, { type: T.pdb, props: pdb() }), [
      'PodDisruptionBudget "api-gateway" must set spec.unhealthyPodEvictionPolicy: AlwaysAllow (it is unset); unhealthy pods then never hold up a drain.',
    ]);
  });
  it("fails IfHealthyBudget", () => {
    assert.strictEqual(
      validateResource(pdbUnhealthyPodEvictionAlwaysAllow, {
        type: T.pdb,
        props: withProp(pdb(), "spec.unhealthyPodEvictionPolicy", "IfHealthyBudget"),
      }).length,
      1,
    );
  });
});

describe("#serving-objects-create-before-replace", () => {
  it("passes a Deployment without deleteBeforeReplace", () => {
    assert.deepStrictEqual(
      validateResource(servingObjectsCreateBeforeReplace, { type: T.deployment, props: deployment() }),
      [],
    );
  });
  it("fails a Deployment with deleteBeforeReplace", () => {
    assert.deepStrictEqual(
      validateResource(
        servingObjectsCreateBeforeReplace,
        { type: T.deployment, props: deployment() },
        {},
        { deleteBeforeReplace: true },
      ),
      [
        `${WORKLOAD} must not set deleteBeforeReplace: remove the option so a replacement starts the new object before the old one goes; keep immutable fields (selectors) stable so a replacement is never needed under the same name.`,
      ],
    );
  });
  it("fails a Service with deleteBeforeReplace", () => {
    const messages = validateResource(
      servingObjectsCreateBeforeReplace,
      { type: "kubernetes:core/v1:Service", props: { metadata: { name: "api-gateway" } } },
      {},
      { deleteBeforeReplace: true },
    );
    assert.match(messages[0], /^Service "api-gateway" must not set deleteBeforeReplace/);
  });
});
