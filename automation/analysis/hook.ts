// The real HookRunner (automation/deps.ts): a release hook (`slipway:release.hooks`) is a Job in the stack's
// namespace, run through the same runner as the `job` gate (./jobRunner.ts) with the release's `$version`, labelled
// with the hook and the version so that `kubectl get jobs -l slipway.dev/hook=migrate` finds what a release ran.
// The Job is checked with the policy pack at the stack's levels first: a refused Job throws the PolicyError before
// the kubeconfig is even read.
import type { HookJob } from "../../stacks/config";
import type { HookContext, HookResult, HookRunner } from "../deps";
import { describeError } from "./common";
import { batchJobApi, checkJobPolicies, JobApi, jobManifest, runJob } from "./jobRunner";
import { describeApiError } from "./kubernetes";

/** Labels on the hook's Job and pod. Pure. */
export function hookLabels(hook: HookJob, version: string): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "slipway",
    "slipway.dev/hook": hook.name,
    "slipway.dev/release-version": version,
  };
}

export function hookRunner(apiFor: (kubeconfigPath?: string) => JobApi = batchJobApi): HookRunner {
  return async (hook: HookJob, ctx: HookContext, signal: AbortSignal): Promise<HookResult> => {
    const started = performance.now();
    const done = (ok: boolean, detail: string, job?: string): HookResult => ({
      ok,
      detail,
      job,
      durationMs: Math.round(performance.now() - started),
    });
    // A hook runs once per release, not per service: `$service` has no value here (stacks/config.ts refuses it).
    const vars = { version: ctx.version, namespace: ctx.namespace, service: "", digests: ctx.digests };
    const manifest = jobManifest(hook, vars, {
      namespace: ctx.namespace,
      labels: hookLabels(hook, ctx.version),
      timeoutMs: hook.timeout,
    });
    checkJobPolicies(manifest, ctx.stack);
    let api: JobApi;
    try {
      api = apiFor(ctx.kubeconfigPath);
    } catch (err) {
      return done(false, `cannot load the kubeconfig ${ctx.kubeconfigPath ?? "(default)"}: ${describeError(err)}`);
    }
    try {
      const outcome = await runJob(api, manifest, { timeoutMs: hook.timeout, signal });
      return done(outcome.status === "succeeded", outcome.detail, outcome.job);
    } catch (err) {
      return done(false, `Job ${hook.name}: ${describeApiError(err)}`);
    }
  };
}
