import { strict as assert } from "assert";
import { ConfigError, environmentOfStack, parseStackConfig } from "../../stacks/config";

const base = { "slipway:stableVersion": "1.4.0", "slipway:imageRepository": "registry.example/slipway" };

describe("parseStackConfig: the per-environment defaults", () => {
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
});

describe("parseStackConfig: the release strategy and its gates", () => {
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
});

describe("parseStackConfig: the release hooks", () => {
  it("reads release hooks with their timeout and irreversibility", () => {
    const cfg = parseStackConfig("dev", {
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
});

describe("parseStackConfig: reading the engine's strings and the stack name", () => {
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
