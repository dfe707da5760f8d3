import { strict as assert } from "assert";
import { subnetLayout, parseCidr } from "../../components/cidr";
import { canaryReplicas, imageRef, podLabels, selectorLabels } from "../../components/naming";
import {
  containerSecurityContext,
  healthProbes,
  pinnedImage,
  podTemplate,
  scrapeAnnotations,
  topologySpread,
} from "../../components/podSpec";
import { albAnnotations, httpRouteSpec, splitWeights, trafficSplitSpec } from "../../components/routing";
import { crdSpec, ROUTER_CRDS } from "../../components/routerCrds";
import { isRdsIdentifier, releaseSlug, releaseSnapshotId, tlsOnlyPolicy } from "../../components/dataTier";
import { callersOf, SERVICE_ACCESS } from "../../components/access";
import { defaultDenySpec, serviceSpec } from "../../components/networkPolicy";
import { accessPolicy, trustPolicy } from "../../components/serviceIdentity";

describe("naming", () => {
  it("labels pods with name, part-of, track and version", () => {
    assert.deepEqual(podLabels("api-gateway", "canary", "1.2.0"), {
      "app.kubernetes.io/name": "api-gateway",
      "app.kubernetes.io/part-of": "slipway",
      "slipway.dev/track": "canary",
      "app.kubernetes.io/version": "1.2.0",
    });
  });
  it("keeps the version out of selectors so a release never changes a selector", () => {
    assert.ok(!("app.kubernetes.io/version" in selectorLabels("api-gateway", "stable")));
  });
  it("computes canary replicas as ceil(stable x weight / 100), 0 at weight 0", () => {
    assert.deepEqual(
      [0, 1, 10, 30, 34, 50, 100].map((w) => canaryReplicas(3, w)),
      [0, 1, 1, 1, 2, 2, 3],
    );
    assert.throws(() => canaryReplicas(3, 101), /outside 0\.\.100/);
  });
  it("builds image references as <repository>/<service>:<version>", () => {
    assert.equal(
      imageRef("registry.local/slipway", "data-service", "1.0.0"),
      "registry.local/slipway/data-service:1.0.0",
    );
  });
});

describe("subnet layout", () => {
  it("splits 10.0.0.0/16 into /19 app subnets and /22 public and data subnets over 3 zones", () => {
    assert.deepEqual(subnetLayout("10.0.0.0/16", 3), {
      app: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
      public: ["10.0.128.0/22", "10.0.132.0/22", "10.0.136.0/22"],
      data: ["10.0.160.0/22", "10.0.164.0/22", "10.0.168.0/22"],
    });
  });
  it("refuses CIDRs with host bits set and ranges too small to split", () => {
    assert.throws(() => parseCidr("10.0.0.1/16"), /host bits/);
    assert.throws(() => subnetLayout("10.0.0.0/24", 3), /too small/);
  });
});

/** The stable pod template of audit-service, and its container. */
const t = podTemplate({
  service: "audit-service",
  track: "stable",
  version: "1.0.0",
  imageRepository: "r/s",
  environment: "prod",
  resources: { cpuRequest: "500m", memoryRequest: "1Gi", cpuLimit: "1000m", memoryLimit: "2Gi" },
  connectionSecret: "slipway-connections",
  serviceAccountName: "audit-service",
});
const c = (t.spec as any).containers[0];

describe("pod template: security, probes and identity", () => {
  it("runs as a non-root user with a read-only root filesystem, no privilege escalation, ALL dropped and RuntimeDefault seccomp", () => {
    assert.deepEqual(c.securityContext, containerSecurityContext());
    assert.equal(c.securityContext.runAsNonRoot, true);
    assert.ok(c.securityContext.runAsUser > 0);
    assert.equal(c.securityContext.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"]);
    assert.equal((t.spec as any).securityContext.seccompProfile.type, "RuntimeDefault");
  });
  it("probes liveness on /health and readiness on its own endpoint /health/external, port 8000, with the seeds' timings", () => {
    assert.deepEqual(healthProbes().livenessProbe, {
      httpGet: { path: "/health", port: 8000 },
      initialDelaySeconds: 15,
      periodSeconds: 20,
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
    assert.deepEqual(c.readinessProbe, {
      httpGet: { path: "/health/external", port: 8000 },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 2,
    });
  });
  it("runs under the service's own ServiceAccount without a Kubernetes API token", () => {
    assert.equal((t.spec as any).serviceAccountName, "audit-service");
    assert.equal((t.spec as any).automountServiceAccountToken, false);
  });
});

describe("pod template: resources, placement, image and settings", () => {
  it("requests and limits ephemeral storage (defaults 128Mi / 1Gi)", () => {
    assert.equal(c.resources.requests["ephemeral-storage"], "128Mi");
    assert.equal(c.resources.limits["ephemeral-storage"], "1Gi");
  });
  it("spreads a track's pods over zones and nodes, zones preferred unless required", () => {
    const selector = {
      matchLabels: {
        "app.kubernetes.io/name": "audit-service",
        "app.kubernetes.io/part-of": "slipway",
        "slipway.dev/track": "stable",
      },
    };
    assert.deepEqual((t.spec as any).topologySpreadConstraints, [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: selector,
      },
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: selector,
      },
    ]);
    assert.equal(topologySpread("audit-service", "stable", "required")[0].whenUnsatisfiable, "DoNotSchedule");
  });
  it("pins the image by digest when one is given, by tag otherwise", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    assert.equal(pinnedImage("r/s", "audit-service", "1.0.0", digest), `r/s/audit-service:1.0.0@${digest}`);
    assert.equal(c.image, "r/s/audit-service:1.0.0");
  });
  it("takes connection settings from the Secret and carries Prometheus scrape annotations", () => {
    assert.deepEqual(c.envFrom, [{ secretRef: { name: "slipway-connections" } }]);
    assert.deepEqual((t.metadata as any).annotations, scrapeAnnotations());
    assert.equal(scrapeAnnotations()["prometheus.io/port"], "8000");
  });
});

describe("routing", () => {
  it("splits stable/canary weights that sum to 100", () => {
    assert.deepEqual(splitWeights(30), { stable: 70, canary: 30 });
    assert.throws(() => splitWeights(-1));
  });
  it("builds a TrafficSplit with the root Service as apex", () => {
    assert.deepEqual(trafficSplitSpec("api-gateway", splitWeights(10)), {
      service: "api-gateway",
      backends: [
        { service: "api-gateway-stable", weight: 90 },
        { service: "api-gateway-canary", weight: 10 },
      ],
    });
  });
  it("attaches the HTTPRoute to the configured Gateway", () => {
    assert.deepEqual(httpRouteSpec("api-gateway", "edge", splitWeights(0)).parentRefs, [{ name: "edge" }]);
  });
  it("keys the ALB weighted action by the service name", () => {
    const a = albAnnotations("data-service", splitWeights(50));
    assert.ok("alb.ingress.kubernetes.io/actions.data-service" in a);
  });
  it("defines the router CRDs with the contract's versions", () => {
    assert.equal(crdSpec(ROUTER_CRDS.smi).versions[0].name, "v1alpha4");
    assert.equal(crdSpec(ROUTER_CRDS.gateway).group, "gateway.networking.k8s.io");
  });
});

describe("bucket policy", () => {
  it("denies every request made without TLS", () => {
    const p = JSON.parse(tlsOnlyPolicy("arn:aws:s3:::b"));
    assert.equal(p.Statement[0].Effect, "Deny");
    assert.deepEqual(p.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
    assert.deepEqual(p.Statement[0].Resource, ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]);
  });
});

describe("release snapshot identifier", () => {
  it("names the snapshot after the prefix and the release: letters, digits and single hyphens", () => {
    assert.equal(releaseSnapshotId("slipway-prod", "1.5.0-rc.1"), "slipway-prod-release-1-5-0-rc-1");
    assert.equal(releaseSnapshotId("slipway-prod", "v2.0.0"), "slipway-prod-release-v2-0-0");
  });
  it("folds case and collapses runs of other characters into one hyphen, never at the end", () => {
    assert.equal(releaseSlug("1.5.0-RC--1"), "1-5-0-rc-1");
    assert.equal(releaseSlug("1.5.0-beta."), "1-5-0-beta");
  });
  it("gives every semantic version an identifier RDS accepts", () => {
    for (const v of ["0.0.0", "1.5.0-rc.1", "v10.20.30-alpha-1.beta", "1.0.0-x.7.z.92"]) {
      const id = releaseSnapshotId("slipway-prod", v);
      assert.ok(isRdsIdentifier(id), id);
    }
  });
  it("refuses what RDS refuses: a leading digit, double or trailing hyphens, more than 255 characters", () => {
    for (const id of ["1-slipway", "slipway--prod", "slipway-", "Slipway", "slipway_prod", `s${"a".repeat(255)}`]) {
      assert.equal(isRdsIdentifier(id), false, id);
    }
    assert.equal(isRdsIdentifier(`s${"a".repeat(254)}`), true);
  });
});

describe("network rules", () => {
  const rules = { metricsNamespace: "monitoring", dataTierCidrs: [] };
  it("names each service's callers from the one access map", () => {
    assert.deepEqual(callersOf("audit-service").sort(), ["api-gateway", "calculation-service", "data-service"]);
    assert.deepEqual(callersOf("api-gateway"), []);
  });
  it("lets a service without data-tier CIDRs (local) reach the data ports of any address, and nothing else of the data tier", () => {
    const spec = serviceSpec(
      "cache-service",
      SERVICE_ACCESS["cache-service"],
      callersOf("cache-service"),
      rules,
      false,
    );
    assert.deepEqual(spec.egress, [{ to: undefined, ports: [{ protocol: "TCP", port: 6379 }] }]);
  });
  it("gives cache-service HTTPS egress for its Redis sign-in credentials once it has a role", () => {
    const egress = serviceSpec("cache-service", SERVICE_ACCESS["cache-service"], [], rules, true).egress as any[];
    assert.deepEqual(egress[egress.length - 1], { ports: [{ protocol: "TCP", port: 443 }] });
  });
  it("gives HTTPS egress only to a service with AWS access", () => {
    const https = (aws: boolean) =>
      (serviceSpec("data-service", SERVICE_ACCESS["data-service"], [], rules, aws).egress as any[]).some(
        (r) => r.ports[0].port === 443,
      );
    assert.deepEqual([https(true), https(false)], [true, false]);
  });
  it("denies both directions for every pod by default", () =>
    assert.deepEqual(defaultDenySpec(), { podSelector: {}, policyTypes: ["Ingress", "Egress"] }));
});

describe("service roles", () => {
  const arns = {
    databaseSecretArn: "arn:secret",
    bucketArns: { artifacts: "arn:aws:s3:::a", audit: "arn:aws:s3:::b" },
    kmsKeyArn: "arn:key",
  };
  it("trusts only the service's own ServiceAccount for STS, whatever the issuer's scheme", () => {
    const trust = JSON.parse(trustPolicy("arn:oidc", "https://oidc.example/id/X", "ns", "audit-service")).Statement[0];
    assert.deepEqual(trust.Condition.StringEquals, {
      "oidc.example/id/X:sub": "system:serviceaccount:ns:audit-service",
      "oidc.example/id/X:aud": "sts.amazonaws.com",
    });
  });
  it("grants a reader GetObject only, a writer PutObject too, and the data key", () => {
    const data = JSON.parse(accessPolicy(SERVICE_ACCESS["data-service"], arns)).Statement;
    assert.deepEqual(
      data.map((s: any) => [s.Action, s.Resource]),
      [
        [["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "arn:secret"],
        [["s3:ListBucket"], "arn:aws:s3:::a"],
        [["s3:GetObject"], "arn:aws:s3:::a/*"],
        [["kms:Decrypt"], "arn:key"],
      ],
    );
    const audit = JSON.parse(accessPolicy(SERVICE_ACCESS["audit-service"], arns)).Statement;
    assert.deepEqual(audit[audit.length - 1].Action, ["kms:Decrypt", "kms:GenerateDataKey"]);
  });
  it("lets a Redis user connect to its replication group as its IAM users only, with no data key", () => {
    const redis = { replicationGroupArn: "arn:rg", userArns: ["arn:user/slipway-app"] };
    const cache = JSON.parse(accessPolicy(SERVICE_ACCESS["cache-service"], { ...arns, redis })).Statement;
    assert.deepEqual(cache, [
      {
        Sid: "RedisConnect",
        Effect: "Allow",
        Action: ["elasticache:Connect"],
        Resource: ["arn:rg", "arn:user/slipway-app"],
      },
    ]);
  });
  it("refuses to build a Redis user's policy without the replication group", () => {
    assert.throws(() => accessPolicy(SERVICE_ACCESS["cache-service"], arns), /needs the replication group's ARN/);
  });
});
