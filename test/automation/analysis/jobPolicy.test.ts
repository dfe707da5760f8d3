import { strict as assert } from "node:assert";
import { createProviders, runGates } from "../../../automation/analysis";
import { gateContext } from "./server";
import type { V1Job } from "@kubernetes/client-node";
import { checkJobPolicies, jobManifest, JobTemplate, pullPolicyFor } from "../../../automation/analysis/jobRunner";
import { EXIT, exitCodeOf, PolicyError } from "../../../automation/errors";
import { evaluateManifestForStack } from "../../../policies/evaluate";
import { STACKS } from "../../../policies/lib/packConfig";
import type { HookJob } from "../../../stacks/config";

const DIGEST = `sha256:${"ab".repeat(32)}`;
const VARS = { version: "1.4.0", namespace: "slipway-prod", service: "" };
const AT = { namespace: "slipway-prod", labels: { "app.kubernetes.io/managed-by": "slipway" }, timeoutMs: 60_000 };
/** The default hook: only what a hook must name, its image pinned by digest as prod asks. */
const DEFAULT_HOOK: HookJob = {
  name: "migrate",
  image: `registry.local/data-service:$version@${DIGEST}`,
  timeout: 60_000,
  irreversible: true,
};

/** A Job that runs as root, without limits: what a hand-written template could ask for. */
function rootJob(): V1Job {
  const job = jobManifest(DEFAULT_HOOK, VARS, AT);
  const pod = job.spec!.template.spec!;
  pod.securityContext = { ...pod.securityContext, runAsNonRoot: false, runAsUser: 0 };
  delete pod.containers[0].resources!.limits;
  return job;
}

describe("#job-policies: the driver's Jobs meet the stack's policies", () => {
  for (const stack of STACKS) {
    it(`passes the default hook Job with no violation at all at ${stack} levels`, () => {
      assert.deepEqual(evaluateManifestForStack(jobManifest(DEFAULT_HOOK, VARS, AT) as never, stack), []);
    });
  }

  it("refuses a Job running as root without limits with a PolicyError (exit code 4) naming the policy", () => {
    assert.throws(
      () => checkJobPolicies(rootJob(), "prod"),
      (err: unknown) => {
        assert.ok(err instanceof PolicyError);
        assert.equal(exitCodeOf(err), EXIT.policy);
        assert.match(
          err.message,
          /^prod: policy container-resources-required refuses the Job: Job "migrate" container "job" must set resources\.limits/,
        );
        assert.match(err.message, /\(and \d+ more\)$/);
        const names = (err.detail.violations as Array<{ policy: string }>).map((v) => v.policy);
        assert.ok(names.includes("containers-run-as-non-root"), names.join(", "));
        return true;
      },
    );
  });

  it("refuses a tag-pinned image on prod (digests required) and only reports it on dev (advisory)", () => {
    const tagged = jobManifest({ ...DEFAULT_HOOK, image: "registry.local/data-service:$version" }, VARS, AT);
    assert.throws(() => checkJobPolicies(tagged, "prod"), /policy container-images-digest-pinned refuses the Job/);
    assert.deepEqual(
      checkJobPolicies(tagged, "dev").map((v) => [v.policy, v.level]),
      [["container-images-digest-pinned", "advisory"]],
    );
  });

  it("refuses a literal secret in a Job's environment on staging", () => {
    const t: JobTemplate = { ...DEFAULT_HOOK, env: { DB_PASSWORD: "hunter2" } };
    assert.throws(
      () => checkJobPolicies(jobManifest(t, VARS, AT), "staging"),
      /policy containers-no-literal-secrets refuses the Job: Job "migrate" container "job" env "DB_PASSWORD"/,
    );
  });

  it("mounts no API token, runs under the jobs' own account and sets ephemeral storage by default", () => {
    const pod = jobManifest(DEFAULT_HOOK, VARS, AT).spec!.template.spec!;
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.serviceAccountName, "slipway-jobs");
    assert.deepEqual(pod.containers[0].resources!.requests!["ephemeral-storage"], "64Mi");
    assert.deepEqual(pod.containers[0].resources!.limits!["ephemeral-storage"], "256Mi");
  });

  it("pulls a digest only when absent and a tag every time", () => {
    const cases: Array<[string, string]> = [
      [`registry.local/app@${DIGEST}`, "IfNotPresent"],
      [`registry.local/app:1.4.0@${DIGEST}`, "IfNotPresent"],
      ["registry.local/app:1.4.0", "Always"],
      ["registry.local:5000/app:1.4.0", "Always"],
    ];
    for (const [image, policy] of cases) assert.equal(pullPolicyFor(image), policy, image);
    const pod = jobManifest(DEFAULT_HOOK, VARS, AT).spec!.template.spec!;
    assert.equal(pod.containers[0].imagePullPolicy, "IfNotPresent");
  });
});

describe("#job-policies: a job gate refused by policy", () => {
  it("fails its verdict as refused by policy, with the policy's message, and never loads a kubeconfig", async () => {
    let loaded = 0;
    const spec = { provider: "job" as const, name: "smoke", image: "registry.local/smoke:$version", timeout: 2000 };
    const providers = createProviders([spec], {
      jobs: () => {
        loaded += 1;
        throw new Error("no cluster in this test");
      },
    });
    const [v] = await runGates(providers, gateContext({ stack: "prod" }), { timeoutMs: 3000 });
    assert.equal(v.ok, false);
    assert.equal(v.refusedByPolicy, true);
    assert.match(v.detail, /^prod: policy container-images-digest-pinned refuses the Job: Job "smoke"/);
    assert.equal(loaded, 0, "the cluster was asked about a refused Job");
  });

  it("does not mark a gate refused when its Job merely fails to reach the cluster", async () => {
    const spec = {
      provider: "job" as const,
      name: "smoke",
      image: `registry.local/smoke@${DIGEST}`,
      timeout: 2000,
    };
    const providers = createProviders([spec], {
      jobs: () => {
        throw new Error("no cluster in this test");
      },
    });
    const [v] = await runGates(providers, gateContext({ stack: "prod" }), { timeoutMs: 3000 });
    assert.equal(v.ok, false);
    assert.equal(v.refusedByPolicy, undefined, v.detail);
  });
});
