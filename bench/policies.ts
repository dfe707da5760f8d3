// Runs every resource policy of the pack over 10,000 generated resources in-process, the way the engine calls them
// (properties wrapped in the unknown-checking proxy, typed policies skipped for other types), 5 times, and prints
// resources per second (median). Figures only: the target (>= 10,000/s) lives in the issue, not in assertions.
import { performance } from "perf_hooks";
import { ResourceValidation, unknownCheckingProxy } from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { resourcePolicies } from "../policies/rules";

const RESOURCES = 10_000;
const RUNS = 5;
const DIGEST = "0123456789abcdef".repeat(4);

function container(i: number, compliant: boolean) {
  return {
    name: `app-${i}`,
    image: compliant ? `registry.local/app:1.${i % 50}.0@sha256:${DIGEST}` : "registry.local/app:latest",
    resources: {
      requests: { cpu: "500m", memory: "1Gi", "ephemeral-storage": "128Mi" },
      limits: { cpu: compliant ? "2" : "250m", memory: "4Gi", "ephemeral-storage": "1Gi" },
    },
    livenessProbe: { httpGet: { path: "/health", port: 8080 } },
    readinessProbe: compliant ? { httpGet: { path: "/health/external", port: 8080 } } : undefined,
    securityContext: {
      runAsNonRoot: compliant,
      runAsUser: 10001,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    },
  };
}

function podSpec(i: number, compliant: boolean) {
  return {
    serviceAccountName: `app-${i}`,
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { app: `r${i}` } },
      },
    ],
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      fsGroup: 10001,
      seccompProfile: { type: "RuntimeDefault" },
    },
    containers: [container(i, compliant), container(i + 1, true)],
    initContainers: i % 3 === 0 ? [container(i + 2, true)] : [],
    volumes: [{ name: "tmp", emptyDir: {} }],
  };
}

/** A mix shaped like a platform's stacks: mostly workloads, then autoscalers and data stores; one in ten non-compliant. */
function generate(n: number): Array<{ type: string; name: string; props: Record<string, unknown> }> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const ok = i % 10 !== 0;
    const name = `r${i}`;
    const template = { metadata: { labels: { app: name } }, spec: podSpec(i, ok) };
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
        out.push({
          type: "kubernetes:apps/v1:Deployment",
          name,
          props: { metadata: { name }, spec: { replicas: 3, template } },
        });
        break;
      case 3:
        out.push({ type: "kubernetes:apps/v1:StatefulSet", name, props: { metadata: { name }, spec: { template } } });
        break;
      case 4:
        out.push({
          type: "kubernetes:batch/v1:CronJob",
          name,
          props: { metadata: { name }, spec: { jobTemplate: { spec: { template } } } },
        });
        break;
      case 5:
        out.push({
          type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
          name,
          props: { spec: { minReplicas: 3, maxReplicas: 10 } },
        });
        break;
      case 6:
        out.push({
          type: "aws:rds/instance:Instance",
          name,
          props: {
            engine: "postgres",
            storageEncrypted: true,
            kmsKeyId: "arn:aws:kms:key",
            backupRetentionPeriod: 30,
            deletionProtection: true,
            publiclyAccessible: false,
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: "arn:aws:kms:key",
          },
        });
        break;
      case 7:
        out.push({
          type: "aws:elasticache/replicationGroup:ReplicationGroup",
          name,
          props: {
            atRestEncryptionEnabled: true,
            transitEncryptionEnabled: true,
            authToken: "token",
            kmsKeyId: "arn:aws:kms:key",
          },
        });
        break;
      case 8:
        out.push({
          type: "kubernetes:core/v1:Service",
          name,
          props: { metadata: { name }, spec: { ports: [{ port: 80 }] } },
        });
        break;
      default:
        out.push({ type: "aws:ebs/volume:Volume", name, props: { size: 100, encrypted: true } });
    }
  }
  return out;
}

function evaluate(resources: ReturnType<typeof generate>): number {
  let violations = 0;
  const report = () => {
    violations++;
  };
  for (const r of resources) {
    for (const policy of resourcePolicies) {
      const validations = (
        Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource]
      ) as ResourceValidation[];
      for (const validate of validations) {
        const only = (validate as unknown as { __pulumiType?: string }).__pulumiType;
        if (only !== undefined && only !== r.type) {
          continue;
        }
        const props = unknownCheckingProxy(r.props);
        void validate(
          {
            type: r.type,
            name: r.name,
            urn: r.name,
            props,
            opts: undefined as never,
            stackTags: new Map(),
            isType: (cls) => (cls as unknown as { __pulumiType: string }).__pulumiType === r.type,
            asType: () => undefined,
            getConfig: <T extends object>() => ({}) as T,
            notApplicable: () => {
              throw new Error("not applicable");
            },
          },
          report,
        );
      }
    }
  }
  return violations;
}

/** As in a preview: one workload in ten has an image computed during the update (e.g. a digest from a build). */
function withComputedImages(resources: ReturnType<typeof generate>): ReturnType<typeof generate> {
  return resources.map((r, i) => {
    if (i % 10 !== 1) return r;
    const copy = structuredClone(r) as any;
    copy.props.spec.template.spec.containers[0].image = unknownValue;
    return copy;
  });
}

function measure(title: string, resources: ReturnType<typeof generate>): void {
  const times: number[] = [];
  let violations = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    violations = evaluate(resources);
    times.push(performance.now() - start);
  }
  const median = [...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)];
  console.log(`${title}:`);
  console.log(`  runs (ms):     ${times.map((t) => t.toFixed(0)).join(", ")}`);
  console.log(`  median (ms):   ${median.toFixed(0)}`);
  console.log(`  violations:    ${violations} per run`);
  console.log(`  resources/s:   ${Math.round(RESOURCES / (median / 1000))} (median of ${RUNS})`);
}

function main(): void {
  const resources = generate(RESOURCES);
  console.log(
    `policies: ${resourcePolicies.length} resource policies over ${RESOURCES} generated resources, ${RUNS} runs in one process`,
  );
  measure("every value known (an update)", resources);
  measure("one workload in ten with a computed image (a preview)", withComputedImages(resources));
}

main();
