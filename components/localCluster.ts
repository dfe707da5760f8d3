import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

export interface LocalClusterArgs {
  /** Kubeconfig contents or a path to one; undefined = the ambient KUBECONFIG. */
  kubeconfig?: pulumi.Input<string>;
  /** Context to use; undefined = the kubeconfig's current context. */
  context?: string;
}

/** An existing cluster reached through a kubeconfig (the local stack): no cloud resource is created. */
export class LocalCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: k8s.Provider;

  constructor(name: string, args: LocalClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:platform:LocalCluster", name, {}, opts);
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      {
        kubeconfig: args.kubeconfig,
        context: args.context,
      },
      { parent: this },
    );
    this.clusterName = pulumi.output(args.context ?? "local");
    this.kubeconfig = pulumi.secret(pulumi.output(args.kubeconfig ?? ""));
    this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig });
  }
}
