import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Router } from "./routing";

export interface RouterCrdsArgs {
  /** Router whose resource definitions a bare cluster lacks; alb has none to install. */
  router: Router;
}

interface CrdShape {
  group: string;
  version: string;
  kind: string;
  plural: string;
}

export const ROUTER_CRDS: Record<"smi" | "gateway", CrdShape> = {
  smi: { group: "split.smi-spec.io", version: "v1alpha4", kind: "TrafficSplit", plural: "trafficsplits" },
  gateway: { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute", plural: "httproutes" },
};

/** Minimal CRD that lets a bare cluster (the local control plane) store the traffic objects. */
export function crdSpec(c: CrdShape) {
  return {
    group: c.group,
    scope: "Namespaced",
    names: { kind: c.kind, plural: c.plural, singular: c.kind.toLowerCase(), listKind: `${c.kind}List` },
    versions: [
      {
        name: c.version,
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      },
    ],
  };
}

/** Installs the traffic-object CRD of the chosen router, for clusters that have no mesh or gateway installed. */
export class RouterCrds extends pulumi.ComponentResource {
  public readonly crds: k8s.apiextensions.v1.CustomResourceDefinition[];

  constructor(name: string, args: RouterCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("slipway:apps:RouterCrds", name, {}, opts);
    const shapes = args.router === "alb" ? [] : [ROUTER_CRDS[args.router]];
    this.crds = shapes.map(
      (c) =>
        new k8s.apiextensions.v1.CustomResourceDefinition(
          `${name}-${c.plural}`,
          {
            metadata: { name: `${c.plural}.${c.group}` },
            spec: crdSpec(c),
          },
          { parent: this },
        ),
    );
    this.registerOutputs({ crds: this.crds.map((c) => c.metadata.name) });
  }
}
