// kwok's pod Stages are cluster-wide: it makes every pod ready (pod-ready) and completes the pods of every Job
// (pod-complete). A test that needs pods to stay unready or a Job to fail picks a label value of its own and leaves
// those pods out of the Stage, so no other test's pods are touched.
import * as fs from "fs";
import * as path from "path";
import { kubectl, theWorld } from "./harness";

export interface FailingJobs {
  /** Puts pod-complete back as the engine ships it and deletes the failing Stage. */
  restore(): Promise<void>;
}

function failingStage(name: string, label: string, value: string) {
  const statusTemplate = [
    "{{ $now := Now }}",
    "containerStatuses:",
    "{{ range .spec.containers }}",
    "- image: {{ .image | Quote }}",
    "  name: {{ .name | Quote }}",
    "  ready: false",
    "  restartCount: 0",
    "  started: false",
    "  state:",
    "    terminated:",
    "      exitCode: 1",
    "      finishedAt: {{ $now | Quote }}",
    "      reason: Error",
    "      startedAt: {{ $now | Quote }}",
    "{{ end }}",
    "phase: Failed",
  ].join("\n");
  return {
    apiVersion: "kwok.x-k8s.io/v1alpha1",
    kind: "Stage",
    metadata: { name },
    spec: {
      resourceRef: { apiGroup: "v1", kind: "Pod" },
      selector: {
        matchExpressions: [
          { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
          { key: ".status.phase", operator: "In", values: ["Running"] },
          { key: `.metadata.labels["${label}"]`, operator: "In", values: [value] },
        ],
      },
      next: { statusTemplate },
    },
  };
}

/** Job pods labelled `label=value` fail from now on, until `restore`. */
export async function failJobPods(label: string, value: string): Promise<FailingJobs> {
  const name = `slipway-e2e-fails-${value.replace(/[^a-z0-9-]/g, "-")}`;
  await kubectl(
    "patch",
    "stage",
    "pod-complete",
    "--type=json",
    "-p",
    JSON.stringify([
      {
        op: "add",
        path: "/spec/selector/matchExpressions/-",
        value: { key: `.metadata.labels["${label}"]`, operator: "NotIn", values: [value] },
      },
    ]),
  );
  const file = path.join(theWorld().workDir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(failingStage(name, label, value)));
  await kubectl("apply", "-f", file);
  return {
    async restore() {
      await kubectl("delete", "stage", name, "--ignore-not-found").catch(() => undefined);
      await kubectl(
        "apply",
        "-f",
        path.join(theWorld().env.SLIPWAY_ENGINE_ROOT ?? "", "kwok-stages", "3-pod-complete.yaml"),
      );
    },
  };
}

/**
 * Pods of `version` stay unready from now on (a Deployment creating them stays in flight, awaited), until the
 * returned function puts pod-ready back as the engine ships it.
 */
export async function keepPodsUnready(version: string): Promise<() => Promise<void>> {
  await kubectl(
    "patch",
    "stage",
    "pod-ready",
    "--type=json",
    "-p",
    JSON.stringify([
      {
        op: "add",
        path: "/spec/selector/matchExpressions/-",
        value: { key: '.metadata.labels["app.kubernetes.io/version"]', operator: "NotIn", values: [version] },
      },
    ]),
  );
  return async () => {
    await kubectl(
      "apply",
      "-f",
      path.join(theWorld().env.SLIPWAY_ENGINE_ROOT ?? "", "kwok-stages", "2-pod-ready.yaml"),
    );
  };
}
