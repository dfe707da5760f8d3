// The refusals of bad stack config: the exact message (key, value, fix), and nothing registered before it.
import { strict as assert } from "assert";
import { ConfigError } from "../../stacks/config";
import { loadFailure } from "../helpers/stack";

const base = { "slipway:stableVersion": "1.4.0", "slipway:imageRepository": "registry.example/slipway" };

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
  [
    "image digests that are not JSON, naming the shape to set",
    "prod",
    { "slipway:imageDigests": "sha256:abc" },
    'slipway:imageDigests: "sha256:abc" is not allowed; set a JSON object of service -> { version -> "sha256:<64 hex digits>" }',
  ],
  [
    "an AWS key on the local stack",
    "local",
    { "slipway:natGateways": "perAz" },
    'slipway:natGateways: "perAz" is not allowed; the local stack creates no AWS resource: remove the key',
  ],
  [
    "a local key on an AWS stack",
    "staging",
    { "slipway:kubeContext": "kind-slipway" },
    'slipway:kubeContext: "kind-slipway" is not allowed; only the local stack reads it: remove the key from the staging stack',
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
