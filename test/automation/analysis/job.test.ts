import { strict as assert } from "node:assert";
import type { V1Job } from "@kubernetes/client-node";
import { createProviders, runGates } from "../../../automation/analysis";
import { JobApi, jobManifest, jobState, JobTemplate, runJob } from "../../../automation/analysis/jobRunner";
import { gateContext } from "./server";

const TEMPLATE: JobTemplate = {
  name: "smoke-tests",
  image: "registry.local/smoke-tests:$version",
  command: ["src/test/scripts/run_smoke_tests.sh"],
  args: ["--environment", "prod", "--version", "$version"],
  env: { TARGET_URL: "http://$service-canary.$namespace.svc.cluster.local" },
};
const VARS = { version: "1.4.0", namespace: "slipway-prod", service: "api-gateway" };
const AT = { namespace: "slipway-prod", labels: { "slipway.dev/gate": "smoke-tests" }, timeoutMs: 90_500 };

const withStatus = (status: V1Job["status"], deleting = false): V1Job => ({
  metadata: { name: "smoke-tests-abcde", deletionTimestamp: deleting ? new Date() : undefined },
  status,
});
const cond = (type: string, reason?: string, message?: string) => ({ type, status: "True", reason, message });

describe("#job-gate: manifest from the template", () => {
  const job = jobManifest(TEMPLATE, VARS, AT);
  const pod = job.spec!.template.spec!;
  const c = pod.containers[0];

  it("fills $version, $namespace and $service into image, args and env", () => {
    assert.equal(c.image, "registry.local/smoke-tests:1.4.0");
    assert.deepEqual(c.args, ["--environment", "prod", "--version", "1.4.0"]);
    assert.deepEqual(c.env, [
      { name: "TARGET_URL", value: "http://api-gateway-canary.slipway-prod.svc.cluster.local" },
    ]);
    assert.deepEqual(c.command, ["src/test/scripts/run_smoke_tests.sh"]);
  });

  it("runs in the stack's namespace under a generated name, never retried, with the deadline enforced by the cluster", () => {
    assert.equal(job.metadata!.namespace, "slipway-prod");
    assert.equal(job.metadata!.generateName, "smoke-tests-");
    assert.equal(job.spec!.backoffLimit, 0);
    assert.equal(job.spec!.activeDeadlineSeconds, 91);
    assert.ok((job.spec!.ttlSecondsAfterFinished ?? 0) > 0, "a Job the driver could not delete must expire");
    assert.equal(pod.restartPolicy, "Never");
    assert.deepEqual(job.spec!.template.metadata!.labels, AT.labels);
  });

  it("has the pod spec the policy pack asks of every workload: non-root, read-only root, no capabilities, seccomp, resources", () => {
    assert.equal(pod.securityContext!.runAsNonRoot, true);
    assert.ok((pod.securityContext!.runAsUser ?? 0) > 0);
    assert.equal(pod.securityContext!.seccompProfile!.type, "RuntimeDefault");
    assert.equal(c.securityContext!.readOnlyRootFilesystem, true);
    assert.equal(c.securityContext!.allowPrivilegeEscalation, false);
    assert.deepEqual(c.securityContext!.capabilities!.drop, ["ALL"]);
    assert.deepEqual(c.resources, {
      requests: { cpu: "125m", memory: "128Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "500m", memory: "256Mi", "ephemeral-storage": "256Mi" },
    });
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(c.volumeMounts, [{ name: "tmp", mountPath: "/tmp" }]);
  });

  it("uses the template's resources and service account when given, and mounts the token only when declared", () => {
    const r = { cpuRequest: "50m", memoryRequest: "64Mi", cpuLimit: "1", memoryLimit: "1Gi" };
    const t = { ...TEMPLATE, resources: r, serviceAccountName: "smoke", backoffLimit: 2 };
    assert.equal(jobManifest(t, VARS, AT).spec!.template.spec!.automountServiceAccountToken, false);
    const j = jobManifest({ ...t, automountServiceAccountToken: true }, VARS, AT);
    assert.deepEqual(j.spec!.template.spec!.containers[0].resources, {
      requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "64Mi" },
      limits: { cpu: "1", memory: "1Gi", "ephemeral-storage": "256Mi" },
    });
    assert.equal(j.spec!.template.spec!.serviceAccountName, "smoke");
    assert.equal(j.spec!.template.spec!.automountServiceAccountToken, true);
    assert.equal(j.spec!.backoffLimit, 2);
  });
  it("gets the services' connection settings as environment only when connectionEnv asks (a migration's database)", () => {
    const withEnv = jobManifest({ ...TEMPLATE, connectionEnv: true }, VARS, AT);
    assert.deepEqual(withEnv.spec!.template.spec!.containers[0].envFrom, [
      { secretRef: { name: "slipway-connections" } },
    ]);
    assert.equal(jobManifest(TEMPLATE, VARS, AT).spec!.template.spec!.containers[0].envFrom, undefined);
  });
});

describe("#job-gate: verdict from the Job's status", () => {
  it("is running while no condition has ended it", () => assert.equal(jobState(withStatus({ active: 1 })), undefined));
  it("succeeds on Complete", () =>
    assert.equal(jobState(withStatus({ succeeded: 1, conditions: [cond("Complete")] }))?.status, "succeeded"));
  it("fails on Failed, naming the reason and message", () => {
    const s = jobState(
      withStatus({
        failed: 1,
        conditions: [cond("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")],
      }),
    );
    assert.equal(s?.status, "failed");
    assert.equal(s?.detail, "the Job failed (BackoffLimitExceeded: Job has reached the specified backoff limit)");
  });
  it("fails as timed out when the cluster's deadline ended it", () =>
    assert.equal(jobState(withStatus({ conditions: [cond("Failed", "DeadlineExceeded")] }))?.status, "timed-out"));
  it("fails as deleted when the Job is gone or going", () => {
    assert.equal(jobState(undefined)?.status, "deleted");
    assert.equal(jobState(withStatus({ active: 1 }, true))?.status, "deleted");
  });
});

/** A cluster whose Job goes through `states` one read at a time (the last repeats). */
function fakeCluster(states: Array<V1Job | undefined>) {
  const calls: string[] = [];
  let reads = 0;
  const api: JobApi = {
    async create(namespace, job) {
      calls.push(`create ${namespace} ${job.metadata?.generateName}`);
      return { ...job, metadata: { ...job.metadata, name: "smoke-tests-abcde" } };
    },
    async read(_ns, name) {
      calls.push(`read ${name}`);
      return states[Math.min(reads++, states.length - 1)];
    },
    async remove(namespace, name) {
      calls.push(`delete ${namespace} ${name}`);
    },
  };
  return { api, calls };
}

describe("#job-gate: running a Job", () => {
  const manifest = jobManifest(TEMPLATE, VARS, AT);
  const signal = () => new AbortController().signal;

  it("passes when the Job succeeds, then deletes it", async () => {
    const c = fakeCluster([withStatus({ active: 1 }), withStatus({ succeeded: 1, conditions: [cond("Complete")] })]);
    const out = await runJob(c.api, manifest, { timeoutMs: 2000, signal: signal(), pollMs: 5 });
    assert.equal(out.status, "succeeded");
    assert.equal(out.job, "smoke-tests-abcde");
    assert.deepEqual(c.calls, [
      "create slipway-prod smoke-tests-",
      "read smoke-tests-abcde",
      "read smoke-tests-abcde",
      "delete slipway-prod smoke-tests-abcde",
    ]);
  });

  it("fails when the Job fails, and still deletes it", async () => {
    const c = fakeCluster([withStatus({ failed: 1, conditions: [cond("Failed", "BackoffLimitExceeded")] })]);
    const out = await runJob(c.api, manifest, { timeoutMs: 2000, signal: signal(), pollMs: 5 });
    assert.equal(out.status, "failed");
    assert.match(out.detail, /^Job smoke-tests-abcde: the Job failed \(BackoffLimitExceeded\)$/);
    assert.equal(c.calls[c.calls.length - 1], "delete slipway-prod smoke-tests-abcde");
  });

  it("fails when the Job is deleted by someone else", async () => {
    const c = fakeCluster([withStatus({ active: 1 }), undefined]);
    assert.equal((await runJob(c.api, manifest, { timeoutMs: 2000, signal: signal(), pollMs: 5 })).status, "deleted");
  });

  it("fails as timed out when the Job does not finish in time, and deletes it", async () => {
    const c = fakeCluster([withStatus({ active: 1 })]);
    const out = await runJob(c.api, manifest, { timeoutMs: 60, signal: signal(), pollMs: 10 });
    assert.equal(out.status, "timed-out");
    assert.match(out.detail, /did not finish within 60 ms/);
    assert.equal(c.calls[c.calls.length - 1], "delete slipway-prod smoke-tests-abcde");
  });

  it("stops and deletes the Job when the check is interrupted", async () => {
    const c = fakeCluster([withStatus({ active: 1 })]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    const out = await runJob(c.api, manifest, { timeoutMs: 5000, signal: ac.signal, pollMs: 10 });
    assert.equal(out.status, "interrupted");
    assert.equal(c.calls[c.calls.length - 1], "delete slipway-prod smoke-tests-abcde");
  });
});

describe("#job-gate: the gate", () => {
  const spec = {
    provider: "job" as const,
    name: "smoke-tests",
    image: "registry.local/smoke-tests:1.4.0",
    args: ["--version", "$version"],
    timeout: 2000,
  };

  it("passes when the Job succeeds, run once in the stack's namespace with the canary version", async () => {
    const created: V1Job[] = [];
    const c = fakeCluster([withStatus({ succeeded: 1, conditions: [cond("Complete")] })]);
    const api: JobApi = { ...c.api, create: async (ns, job, s) => (created.push(job), c.api.create(ns, job, s)) };
    const [v] = await runGates(
      createProviders([spec], { jobs: () => api, jobPollMs: 5 }),
      gateContext({ services: ["api-gateway", "data-service"] }),
      { timeoutMs: 3000 },
    );
    assert.equal(v.ok, true, v.detail);
    assert.equal(v.provider, "job");
    assert.equal(created.length, 1);
    assert.equal(created[0].metadata!.namespace, "slipway");
    assert.deepEqual(created[0].spec!.template.spec!.containers[0].args, ["--version", "1.4.0"]);
    assert.equal(created[0].metadata!.labels!["slipway.dev/checks-version"], "1.4.0");
  });

  it("fails when the Job fails", async () => {
    const c = fakeCluster([withStatus({ conditions: [cond("Failed", "BackoffLimitExceeded")] })]);
    const [v] = await runGates(createProviders([spec], { jobs: () => c.api, jobPollMs: 5 }), gateContext(), {
      timeoutMs: 3000,
    });
    assert.equal(v.ok, false);
    assert.match(v.detail, /the Job failed \(BackoffLimitExceeded\)/);
  });

  it("runs one Job per released service when the template names $service", async () => {
    const c = fakeCluster([withStatus({ succeeded: 1, conditions: [cond("Complete")] })]);
    const perService = { ...spec, args: ["--service", "$service"] };
    const [v] = await runGates(
      createProviders([perService], { jobs: () => c.api, jobPollMs: 5 }),
      gateContext({ services: ["api-gateway", "data-service"] }),
      { timeoutMs: 3000 },
    );
    assert.equal(v.ok, true, v.detail);
    assert.equal(c.calls.filter((l) => l.startsWith("create")).length, 2);
    assert.match(v.detail, /^api-gateway: .*; data-service: /);
  });

  it("fails naming the API's answer when the Job cannot be created", async () => {
    const api: JobApi = {
      create: async () => {
        throw new Error("jobs.batch is forbidden");
      },
      read: async () => undefined,
      remove: async () => undefined,
    };
    const [v] = await runGates(createProviders([spec], { jobs: () => api }), gateContext(), { timeoutMs: 3000 });
    assert.equal(v.ok, false);
    assert.match(v.detail, /Job smoke-tests: jobs\.batch is forbidden/);
  });

  it("fails, creating nothing, when the stack's policies refuse the Job (a literal secret on staging)", async () => {
    const c = fakeCluster([withStatus({ succeeded: 1, conditions: [cond("Complete")] })]);
    // Pinned by digest, as staging requires: the literal secret is what is refused.
    const secret = {
      ...spec,
      image: "registry.local/smoke-tests@sha256:abababababababababababababababababababababababababababababababab",
      env: { API_TOKEN: "t0k3n" },
    };
    const [v] = await runGates(
      createProviders([secret], { jobs: () => c.api, jobPollMs: 5 }),
      gateContext({ stack: "staging" }),
      { timeoutMs: 3000 },
    );
    assert.equal(v.ok, false);
    assert.match(v.detail, /policy containers-no-literal-secrets refuses the Job: Job "smoke-tests" container "job"/);
    assert.ok(!v.detail.includes("t0k3n"), "the secret never reaches the verdict");
    assert.deepEqual(c.calls, []);
  });
});
