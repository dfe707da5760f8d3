// The `job` gate, as Argo Rollouts' Job metric: a Kubernetes Job from a template in stack config runs in the stack's
// namespace against the canary (the seeds' `run_smoke_tests.sh --environment ...`); it passes when the Job succeeds
// within its timeout. Per released service when the template names `$service`. Each Job is checked with the policy
// pack at the stack's levels before the cluster is asked anything: a refused Job throws its PolicyError, which fails
// the gate with the policy's message (automation/analysis/index.ts).
import type { AnalysisProvider, GateContext, Verdict } from "../types";
import { checkEach, describeError } from "./common";
import { batchJobApi, checkJobPolicies, JobApi, jobManifest, JobTemplate, runJob } from "./jobRunner";
import { describeApiError } from "./kubernetes";

export interface JobGateSpec {
  template: JobTemplate;
  /** Time the Job gets to finish, in milliseconds; the gate runner's own timeout still applies. */
  timeoutMs: number;
  /** Time between status reads; default 1000 ms. */
  pollMs?: number;
}

/** The strings of a template that may carry placeholders, for deciding whether it runs per service. */
function templateStrings(t: JobTemplate): string[] {
  return [t.image, ...(t.command ?? []), ...(t.args ?? []), ...Object.values(t.env ?? {})];
}

function perService(t: JobTemplate): boolean {
  return templateStrings(t).some((s) => s.includes("$service"));
}

export function jobProvider(
  spec: JobGateSpec,
  name = "job",
  apiFor: (kubeconfigPath?: string) => JobApi = batchJobApi,
): AnalysisProvider {
  return {
    name,
    async check(ctx: GateContext, signal: AbortSignal): Promise<Verdict> {
      const started = performance.now();
      const services = perService(spec.template) ? ctx.services : [ctx.services[0] ?? ""];
      const labels = {
        "app.kubernetes.io/managed-by": "slipway",
        "slipway.dev/gate": spec.template.name,
        "slipway.dev/checks-version": ctx.canaryVersion,
      };
      const manifests = new Map(
        services.map((service) => {
          const vars = { version: ctx.canaryVersion, namespace: ctx.namespace, service, digests: ctx.digests };
          const at = { namespace: ctx.namespace, labels, timeoutMs: spec.timeoutMs };
          return [service, jobManifest(spec.template, vars, at)] as const;
        }),
      );
      for (const manifest of manifests.values()) checkJobPolicies(manifest, ctx.stack);
      let api: JobApi;
      try {
        api = apiFor(ctx.kubeconfigPath);
      } catch (err) {
        const detail = `cannot load the kubeconfig ${ctx.kubeconfigPath ?? "(default)"}: ${describeError(err)}`;
        return { provider: name, ok: false, detail, durationMs: performance.now() - started };
      }
      return checkEach(name, services, started, async (service) => {
        const label = perService(spec.template) ? `${service}: ` : "";
        try {
          const outcome = await runJob(api, manifests.get(service)!, {
            timeoutMs: spec.timeoutMs,
            signal,
            pollMs: spec.pollMs,
          });
          return { ok: outcome.status === "succeeded", detail: `${label}${outcome.detail}` };
        } catch (err) {
          return { ok: false, detail: `${label}Job ${spec.template.name}: ${describeApiError(err)}` };
        }
      });
    },
  };
}
