// Reads the Deployments of a stack's namespace for `slipway status --watch`: one LIST call per poll through the
// Kubernetes API with the stack's kubeconfig (never one GET per service), each Deployment with the version it runs
// (`app.kubernetes.io/version`) and its ready and desired pods. Undefined when no kubeconfig is available.
import * as fs from "fs";
import * as k8s from "@kubernetes/client-node";
import { withSignal } from "../analysis/kubernetes";
import type { DeploymentReader, DeploymentState } from "../deps";

const VERSION_LABEL = "app.kubernetes.io/version";

/** A Deployment as the API returns it -> what the watch shows of it. */
export function deploymentState(d: k8s.V1Deployment): DeploymentState {
  return {
    name: d.metadata?.name ?? "",
    version: d.metadata?.labels?.[VERSION_LABEL] ?? d.spec?.template?.metadata?.labels?.[VERSION_LABEL],
    ready: d.status?.readyReplicas ?? 0,
    replicas: d.spec?.replicas ?? 0,
  };
}

export const clusterDeployments: DeploymentReader = async (ctx, signal) => {
  if (ctx.kubeconfigPath === undefined || !fs.existsSync(ctx.kubeconfigPath)) return undefined;
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(ctx.kubeconfigPath);
  const list = await kc
    .makeApiClient(k8s.AppsV1Api)
    .listNamespacedDeployment({ namespace: ctx.namespace }, withSignal(signal));
  return list.items.map(deploymentState);
};
