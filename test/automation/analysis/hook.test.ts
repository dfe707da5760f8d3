import { strict as assert } from "node:assert";
import * as k8s from "@kubernetes/client-node";
import { hookRunner } from "../../../automation/analysis/hook";
import type { JobApi } from "../../../automation/analysis/jobRunner";
import { EXIT, exitCodeOf, PolicyError } from "../../../automation/errors";
import type { HookJob } from "../../../stacks/config";

const MIGRATE: HookJob = {
  name: "migrate",
  image: "registry.local/pricing:$version",
  command: ["run_migrations"],
  args: ["--command", "upgrade", "--namespace", "$namespace"],
  env: { TARGET_VERSION: "$version" },
  timeout: 30_000,
  irreversible: true,
};
// Dev: its images may go by tag (staging and prod ask for digests, see job policy tests).
const CTX = { stack: "dev", namespace: "slipway-prod", version: "1.4.0", kubeconfigPath: "/tmp/kc" };
const done = (type: "Complete" | "Failed", reason?: string): k8s.V1Job => ({
  metadata: { name: "migrate-x7k2p" },
  status: { conditions: [{ type, status: "True", reason }] },
});

/** A cluster whose created Job reads as `end`; records what was created and deleted, and which kubeconfig was used. */
function fakeCluster(end: k8s.V1Job | undefined, createError?: unknown) {
  const created: k8s.V1Job[] = [];
  const deleted: string[] = [];
  const kubeconfigs: Array<string | undefined> = [];
  const api: JobApi = {
    async create(_ns, job) {
      if (createError) throw createError;
      created.push(job);
      return { ...job, metadata: { ...job.metadata, name: "migrate-x7k2p" } };
    },
    read: async () => end,
    async remove(ns, name) {
      deleted.push(`${ns}/${name}`);
    },
  };
  const apiFor = (kc?: string) => (kubeconfigs.push(kc), api);
  return { apiFor, created, deleted, kubeconfigs };
}
const signal = () => new AbortController().signal;

describe("#release-hooks: the real hook runner", () => {
  it("runs the hook's Job in the stack's namespace with the release's version, labelled with hook and version", async () => {
    const c = fakeCluster(done("Complete"));
    const r = await hookRunner(c.apiFor)(MIGRATE, CTX, signal());
    assert.equal(r.ok, true);
    assert.equal(r.job, "migrate-x7k2p");
    assert.match(r.detail, /^Job migrate-x7k2p: the Job succeeded/);
    assert.deepEqual(c.kubeconfigs, ["/tmp/kc"]);
    const [job] = c.created;
    const labels = {
      "app.kubernetes.io/managed-by": "slipway",
      "slipway.dev/hook": "migrate",
      "slipway.dev/release-version": "1.4.0",
    };
    assert.equal(job.metadata!.namespace, "slipway-prod");
    assert.equal(job.metadata!.generateName, "migrate-");
    assert.deepEqual(job.metadata!.labels, labels);
    assert.deepEqual(job.spec!.template.metadata!.labels, labels);
    assert.equal(job.spec!.activeDeadlineSeconds, 30);
    const container = job.spec!.template.spec!.containers[0];
    assert.equal(container.image, "registry.local/pricing:1.4.0");
    assert.deepEqual(container.args, ["--command", "upgrade", "--namespace", "slipway-prod"]);
    assert.deepEqual(container.env, [{ name: "TARGET_VERSION", value: "1.4.0" }]);
    assert.equal(job.spec!.template.spec!.securityContext!.runAsNonRoot, true);
    assert.deepEqual(c.deleted, ["slipway-prod/migrate-x7k2p"], "the runner deletes the Job it ran");
  });

  it("is not ok when the Job fails, naming the Job and its reason", async () => {
    const c = fakeCluster(done("Failed", "BackoffLimitExceeded"));
    const r = await hookRunner(c.apiFor)(MIGRATE, CTX, signal());
    assert.equal(r.ok, false);
    assert.equal(r.detail, "Job migrate-x7k2p: the Job failed (BackoffLimitExceeded)");
    assert.deepEqual(c.deleted, ["slipway-prod/migrate-x7k2p"]);
  });

  it("is not ok, without throwing, when the API server refuses the Job", async () => {
    const refused = new k8s.ApiException(403, "Forbidden", '{"message":"jobs.batch is forbidden"}', {});
    const c = fakeCluster(undefined, refused);
    const r = await hookRunner(c.apiFor)(MIGRATE, CTX, signal());
    assert.equal(r.ok, false);
    assert.equal(r.job, undefined);
    assert.equal(r.detail, "Job migrate: Kubernetes API answered 403: jobs.batch is forbidden");
  });

  it("is not ok, without throwing, when the kubeconfig cannot be loaded", async () => {
    const r = await hookRunner(() => {
      throw new Error("ENOENT: no such file");
    })(MIGRATE, CTX, signal());
    assert.equal(r.ok, false);
    assert.equal(r.detail, "cannot load the kubeconfig /tmp/kc: ENOENT: no such file");
  });

  it("refuses a Job the stack's policies refuse with a PolicyError, before the kubeconfig or the cluster", async () => {
    const c = fakeCluster(done("Complete"));
    const secret = { ...MIGRATE, env: { DB_PASSWORD: "hunter2" } };
    for (const [hook, ctx, policy] of [
      [MIGRATE, { ...CTX, stack: "prod" }, "container-images-digest-pinned"],
      [
        {
          ...secret,
          image: "registry.local/pricing@sha256:abababababababababababababababababababababababababababababababab",
        },
        { ...CTX, stack: "staging" },
        "containers-no-literal-secrets",
      ],
    ] as const) {
      await assert.rejects(hookRunner(c.apiFor)(hook, ctx, signal()), (err: unknown) => {
        assert.ok(err instanceof PolicyError);
        assert.equal(exitCodeOf(err), EXIT.policy);
        assert.match(err.message, new RegExp(`^${ctx.stack}: policy ${policy} refuses the Job: Job "migrate"`));
        assert.ok(!err.message.includes("hunter2"), "the secret never reaches the error");
        return true;
      });
    }
    assert.deepEqual(c.kubeconfigs, []);
    assert.deepEqual(c.created, []);
  });
});
