import { strict as assert } from "assert";
import { ConfigError, environmentOfStack, parseStackConfig } from "../../stacks/config";
import { loadFailure } from "../helpers/stack";

const base = { "slipway:stableVersion": "1.4.0", "slipway:imageRepository": "registry.example/slipway" };

describe("parseStackConfig", () => {
  it("applies the prod defaults from the seeds when only the release keys are set", () => {
    const cfg = parseStackConfig("prod", base);
    assert.equal(cfg.environment, "prod");
    assert.equal(cfg.namespace, "slipway-prod");
    assert.equal(cfg.router, "smi");
    assert.equal(cfg.installRouterCrds, false);
    assert.deepEqual(cfg.release.canaryServices.length, 5);
    assert.equal(cfg.release.canaryWeight, 0);
    assert.equal(cfg.release.canaryVersion, undefined);
    assert.deepEqual(cfg.canary, {
      strategy: "canary",
      steps: [10, 30, 100],
      interval: 60_000,
      failureLimit: 1,
      soak: 0,
      timeout: 300_000,
      analysis: [{ provider: "kubernetes" }],
      prePromotionAnalysis: [{ provider: "kubernetes" }],
      bake: 0,
      postPromotionAnalysis: [{ provider: "kubernetes" }],
    });
    assert.equal(cfg.backup, true, "prod takes a database backup before a release by default");
    assert.deepEqual(cfg.hooks, { preTraffic: [], postPromotion: [] });
  });

  it("takes no backup by default outside prod", () => {
    assert.equal(parseStackConfig("staging", base).backup, false);
    assert.equal(parseStackConfig("dev", base).backup, false);
  });

  it("reads the strategy, the bake window and its own gates", () => {
    const cfg = parseStackConfig("staging", {
      ...base,
      "slipway:canary": JSON.stringify({
        strategy: "blueGreen",
        bake: "10m",
        analysis: [{ provider: "kubernetes" }],
        postPromotionAnalysis: [{ provider: "http", url: "http://api-gateway.slipway-staging.svc/health" }],
      }),
    });
    assert.equal(cfg.canary.strategy, "blueGreen");
    assert.equal(cfg.canary.bake, 600_000);
    assert.deepEqual(cfg.canary.prePromotionAnalysis, [{ provider: "kubernetes" }]);
    assert.equal(cfg.canary.postPromotionAnalysis[0].provider, "http");
  });

  it("refuses an unknown strategy, naming the key and the choices", () => {
    assert.throws(
      () => parseStackConfig("dev", { ...base, "slipway:canary": '{"strategy":"bluegreen"}' }),
      (e: Error) =>
        e instanceof ConfigError && /canary\.strategy/.test(e.message) && /canary or blueGreen/.test(e.message),
    );
  });

  it("reads release hooks with their timeout and irreversibility", () => {
    const cfg = parseStackConfig("prod", {
      ...base,
      "slipway:release": JSON.stringify({
        backup: false,
        hooks: {
          preTraffic: [
            { name: "migrate", image: "registry.example/pricing:$version", args: ["upgrade"], irreversible: true },
          ],
          postPromotion: [{ name: "notify", image: "registry.example/notify:1.0.0", timeout: "2m" }],
        },
      }),
    });
    assert.equal(cfg.backup, false);
    assert.deepEqual(cfg.hooks.preTraffic, [
      {
        name: "migrate",
        image: "registry.example/pricing:$version",
        args: ["upgrade"],
        irreversible: true,
        timeout: 600_000,
      },
    ]);
    assert.equal(cfg.hooks.postPromotion[0].timeout, 120_000);
    assert.equal(cfg.hooks.postPromotion[0].irreversible, false);
  });

  it("refuses a hook without a name or with an unpinned image", () => {
    const hooks = (h: object) => JSON.stringify({ hooks: { preTraffic: [h] } });
    assert.throws(
      () => parseStackConfig("dev", { ...base, "slipway:release": hooks({ image: "registry.example/app:1.0.0" }) }),
      (e: Error) => e instanceof ConfigError && /release\.hooks\.preTraffic\[0\]\.name is missing/.test(e.message),
    );
    assert.throws(
      () =>
        parseStackConfig("dev", {
          ...base,
          "slipway:release": hooks({ name: "m", image: "registry.example/app:latest" }),
        }),
      (e: Error) => e instanceof ConfigError && /pinned tag or digest/.test(e.message),
    );
  });

  it("refuses $service in a hook, which runs once per release", () => {
    const release = JSON.stringify({
      hooks: {
        postPromotion: [{ name: "smoke", image: "registry.example/smoke:1.0.0", args: ["--target", "$service"] }],
      },
    });
    assert.throws(
      () => parseStackConfig("dev", { ...base, "slipway:release": release }),
      (e: Error) =>
        e instanceof ConfigError &&
        /release\.hooks\.postPromotion\[0\]/.test(e.message) &&
        /\$service has no value there/.test(e.message),
    );
  });

  it("reads JSON strings and numeric strings exactly as the engine hands them over", () => {
    const cfg = parseStackConfig("staging", {
      ...base,
      "slipway:canaryVersion": "v1.5.0-rc.1",
      "slipway:canaryWeight": "30",
      "slipway:canaryServices": '["api-gateway","data-service"]',
      "slipway:serviceVersions": '{"audit-service":"1.3.9"}',
      "slipway:canary": '{"steps":[10,50,100],"interval":"2m","soak":"1h","timeout":"90s"}',
    });
    assert.equal(cfg.release.canaryWeight, 30);
    assert.deepEqual(cfg.release.canaryServices, ["api-gateway", "data-service"]);
    assert.equal(cfg.release.serviceVersions["audit-service"], "1.3.9");
    assert.equal(cfg.release.serviceVersions["api-gateway"], "1.4.0");
    assert.equal(cfg.canary.interval, 120_000);
    assert.equal(cfg.canary.soak, 3_600_000);
    assert.equal(cfg.canary.timeout, 90_000);
  });

  it("treats an empty canaryVersion as no canary", () => {
    const cfg = parseStackConfig("dev", { ...base, "slipway:canaryVersion": "" });
    assert.equal(cfg.release.canaryVersion, undefined);
  });

  it("ignores other namespaces such as aws:region", () => {
    assert.doesNotThrow(() => parseStackConfig("dev", { ...base, "aws:region": "eu-west-1" }));
  });

  it("derives the environment from stack names such as prod-eu and acme/staging", () => {
    assert.equal(environmentOfStack("prod-eu"), "prod");
    assert.equal(environmentOfStack("acme/staging"), "staging");
    assert.equal(environmentOfStack("sandbox"), undefined);
  });

  it("defaults the local stack to router CRDs, a 120 s rollout timeout and the local image repository", () => {
    const cfg = parseStackConfig("local", { "slipway:stableVersion": "1.0.0" });
    assert.equal(cfg.installRouterCrds, true);
    assert.equal(cfg.deploymentTimeoutSeconds, 120);
    assert.equal(cfg.imageRepository, "registry.local/slipway");
    assert.equal(cfg.aws, undefined);
    assert.ok(cfg.local !== undefined && Object.keys(cfg.local.dataEndpoints).length > 0);
  });

  it("is pure: it needs no Pulumi runtime and throws ConfigError", () => {
    assert.throws(() => parseStackConfig("dev", {}), ConfigError);
  });
});

describe("hardening settings", () => {
  it("spreads prod over zones as a hard rule and every other stack as a preference", () => {
    assert.equal(parseStackConfig("prod", base).zoneSpread, "required");
    assert.equal(parseStackConfig("staging", base).zoneSpread, "preferred");
    assert.equal(parseStackConfig("local", base).zoneSpread, "preferred");
  });
  it("reads image digests per service and version", () => {
    const digest = `sha256:${"ab".repeat(32)}`;
    assert.deepEqual(
      parseStackConfig("prod", {
        ...base,
        "slipway:imageDigests": JSON.stringify({ "data-service": { "1.4.0": digest } }),
      }).imageDigests,
      { "data-service": { "1.4.0": digest } },
    );
  });
  it("defaults the seccomp profile to RuntimeDefault and reads a node-local one", () => {
    assert.deepEqual(parseStackConfig("dev", base).seccompProfile, { type: "RuntimeDefault" });
    assert.deepEqual(
      parseStackConfig("dev", { ...base, "slipway:seccompProfile": "localhost/profiles/slipway.json" }).seccompProfile,
      { type: "Localhost", localhostProfile: "profiles/slipway.json" },
    );
  });
});

// Each refused config: the exact message, and the program registers nothing before refusing.
const refusals: [string, string, Record<string, string>, string][] = [
  [
    "a weight above 100",
    "prod",
    { "slipway:canaryVersion": "1.5.0", "slipway:canaryWeight": "130" },
    "slipway:canaryWeight: 130 is not allowed; set an integer between 0 and 100",
  ],
  [
    "a weight that is not a number",
    "prod",
    { "slipway:canaryVersion": "1.5.0", "slipway:canaryWeight": "ten" },
    'slipway:canaryWeight: "ten" is not allowed; set an integer between 0 and 100',
  ],
  [
    "a fractional weight",
    "prod",
    { "slipway:canaryVersion": "1.5.0", "slipway:canaryWeight": "12.5" },
    "slipway:canaryWeight: 12.5 is not allowed; set an integer between 0 and 100",
  ],
  [
    "a weight without a canary version",
    "prod",
    { "slipway:canaryWeight": "10" },
    "slipway:canaryWeight: 10 is not allowed; set slipway:canaryVersion first, or set the weight to 0",
  ],
  [
    "the latest tag",
    "prod",
    { "slipway:stableVersion": "latest" },
    'slipway:stableVersion: "latest" is not allowed; set a semantic version such as 1.4.0 (optional leading v and -prerelease; never latest)',
  ],
  [
    "a missing stable version",
    "dev",
    { "slipway:stableVersion": undefined as unknown as string },
    "slipway:stableVersion is missing; set a semantic version such as 1.4.0 (optional leading v and -prerelease; never latest), e.g. pulumi config set slipway:stableVersion 1.0.0",
  ],
  [
    "a canary version that is not semver",
    "dev",
    { "slipway:canaryVersion": "1.5" },
    'slipway:canaryVersion: "1.5" is not allowed; set a semantic version such as 1.4.0 (optional leading v and -prerelease; never latest)',
  ],
  [
    "an unknown service in canaryServices",
    "prod",
    { "slipway:canaryServices": '["billing"]' },
    'slipway:canaryServices[0]: "billing" is not allowed; use one of api-gateway, calculation-service, data-service, cache-service, audit-service',
  ],
  [
    "canaryServices that is not JSON",
    "prod",
    { "slipway:canaryServices": "api-gateway" },
    'slipway:canaryServices: "api-gateway" is not allowed; set a JSON list of service names, e.g. ["api-gateway"]',
  ],
  [
    "an empty canaryServices list",
    "prod",
    { "slipway:canaryServices": "[]" },
    "slipway:canaryServices: [] is not allowed; list at least one service, or remove the key to release every service",
  ],
  [
    "a bad version in serviceVersions",
    "prod",
    { "slipway:serviceVersions": '{"data-service":"main"}' },
    'slipway:serviceVersions.data-service: "main" is not allowed; set a semantic version such as 1.4.0 (optional leading v and -prerelease; never latest)',
  ],
  [
    "canary steps that go down",
    "prod",
    { "slipway:canary": '{"steps":[10,5,100]}' },
    "slipway:canary.steps: [10,5,100] is not allowed; set strictly increasing integer percentages between 1 and 100 ending at 100, e.g. [10,30,100]",
  ],
  [
    "canary steps that stop short of 100",
    "prod",
    { "slipway:canary": '{"steps":[10,30]}' },
    "slipway:canary.steps: [10,30] is not allowed; set strictly increasing integer percentages between 1 and 100 ending at 100, e.g. [10,30,100]",
  ],
  [
    "a malformed canary interval",
    "prod",
    { "slipway:canary": '{"interval":"10x"}' },
    'slipway:canary.interval: "10x" is not allowed; set a duration such as "30s" or "5m"',
  ],
  [
    "a prometheus gate without a URL",
    "prod",
    { "slipway:canary": '{"analysis":[{"provider":"prometheus","query":"up","max":1}]}' },
    "slipway:canary.analysis[0].url is missing; set an http(s) URL",
  ],
  [
    "an unknown analysis provider",
    "prod",
    { "slipway:canary": '{"analysis":[{"provider":"datadog"}]}' },
    'slipway:canary.analysis[0].provider: "datadog" is not allowed; set provider to "kubernetes", "prometheus", "http" or "job"',
  ],
  [
    "a failure limit of 0",
    "prod",
    { "slipway:canary": '{"failureLimit":0}' },
    "slipway:canary.failureLimit: 0 is not allowed; set an integer of at least 1",
  ],
  [
    "a misspelt canary field",
    "prod",
    { "slipway:canary": '{"stpes":[10,100]}' },
    "slipway:canary.stpes: [10,100] is not allowed; it is not a known field; remove it or fix its spelling",
  ],
  [
    "an environment that contradicts the stack",
    "prod",
    { "slipway:environment": "dev" },
    'slipway:environment: "dev" is not allowed; stack "prod" is a prod stack: set prod or remove the key',
  ],
  [
    "an unknown router",
    "prod",
    { "slipway:router": "istio" },
    'slipway:router: "istio" is not allowed; use one of smi, gateway, alb',
  ],
  [
    "the alb router on the local stack",
    "local",
    { "slipway:router": "alb" },
    'slipway:router: "alb" is not allowed; alb needs the AWS Load Balancer Controller: use smi or gateway on the local stack',
  ],
  [
    "a misspelt key",
    "prod",
    { "slipway:canaryWieght": "10" },
    'slipway:canaryWieght: "10" is not allowed; it is not a known key; did you mean slipway:canaryWeight?',
  ],
  [
    "AWS sizing on the local stack",
    "local",
    { "slipway:database": '{"instanceClass":"db.r5.large"}' },
    'slipway:database: {"instanceClass":"db.r5.large"} is not allowed; the local stack creates no AWS resource: remove the key',
  ],
  [
    "a kubeconfig on an AWS stack",
    "staging",
    { "slipway:kubeconfig": "~/.kube/config" },
    'slipway:kubeconfig: "~/.kube/config" is not allowed; only the local stack reads it: remove the key from the staging stack',
  ],
  [
    "fewer than 3 replicas in prod",
    "prod",
    { "slipway:services": '{"api-gateway":{"minReplicas":2}}' },
    "slipway:services.api-gateway.minReplicas: 2 is not allowed; set at least 3 on a prod stack",
  ],
  [
    "a node group whose minimum exceeds its maximum",
    "dev",
    { "slipway:nodeGroup": '{"minSize":6}' },
    "slipway:nodeGroup.minSize: 6 is not allowed; set at most maxSize (5)",
  ],
  [
    "a prod API endpoint open to the internet",
    "prod",
    { "slipway:apiAllowedCidrs": '["0.0.0.0/0"]' },
    'slipway:apiAllowedCidrs: ["0.0.0.0/0"] is not allowed; list the networks that may reach the API endpoint; a prod stack never opens it to 0.0.0.0/0',
  ],
  [
    "a single-AZ prod database",
    "prod",
    { "slipway:database": '{"multiAz":false}' },
    "slipway:database.multiAz: false is not allowed; a prod stack runs its database Multi-AZ: remove the field or set true",
  ],
  [
    "an image repository with a tag",
    "dev",
    { "slipway:imageRepository": "registry.example/slipway:1.0" },
    'slipway:imageRepository: "registry.example/slipway:1.0" is not allowed; set an image repository without a tag, e.g. registry.local/slipway',
  ],
  [
    "a truncated image digest",
    "prod",
    { "slipway:imageDigests": '{"api-gateway":{"1.4.0":"sha256:abc"}}' },
    'slipway:imageDigests.api-gateway.1.4.0: "sha256:abc" is not allowed; set a JSON object of service -> { version -> "sha256:<64 hex digits>" }',
  ],
  [
    "a seccomp profile that is neither the runtime's nor a node-local one",
    "local",
    { "slipway:seccompProfile": "docker/default" },
    'slipway:seccompProfile: "docker/default" is not allowed; use "RuntimeDefault", or "localhost/<profile path>" for a node-local profile',
  ],
  [
    "a canary and a rolled-back canary at once",
    "dev",
    { "slipway:canaryVersion": "1.4.0", "slipway:rolledBackVersion": "1.3.0" },
    'slipway:rolledBackVersion: "1.3.0" is not allowed; set it to "" when slipway:canaryVersion is set: the new canary replaces the rolled-back one',
  ],
  [
    "a rollout timeout below 30 s",
    "local",
    { "slipway:deploymentTimeoutSeconds": "5" },
    "slipway:deploymentTimeoutSeconds: 5 is not allowed; set an integer number of seconds between 30 and 3600",
  ],
];

describe("stack config refusals", () => {
  for (const [what, stack, override, message] of refusals) {
    it(`refuses ${what} before registering any resource`, () => {
      const config: Record<string, string> = { ...base };
      for (const [k, v] of Object.entries(override)) {
        if (v === undefined) delete config[k];
        else config[k] = v;
      }
      const { error, mocks } = loadFailure(stack, config);
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.equal(error.message, message);
      assert.equal(mocks.resources.length, 0);
    });
  }
});
