// NetworkPolicy specs for the services' namespace: deny everything by default, then allow DNS, the entry point, the
// service-to-service edges of ./access.ts, egress to the data tier and the metrics scrape. Pure builders, so the rules
// are tested without a cluster; ./platform.ts registers them.
import type * as k8s from "@pulumi/kubernetes";
import { ServiceAccess } from "./access";
import { CONTAINER_PORT } from "./naming";

type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/** The service every request from outside the namespace enters through. */
export const ENTRY_SERVICE = "api-gateway";
export const DATA_PORTS: Record<string, number> = { postgres: 5432, redis: 6379 };
const HTTPS = 443;
const NAME_LABEL = "app.kubernetes.io/name";

export interface NetworkRules {
  /** Namespace of the metrics scraper (Prometheus), allowed to reach every pod's container port. */
  metricsNamespace: string;
  /** CIDRs of the data tier's subnets; empty allows the data ports to any address (a local stack's endpoints). */
  dataTierCidrs: string[];
}

/** Every pod of the namespace, no traffic in or out: what each allow rule below opens up from. */
export function defaultDenySpec(): Spec {
  return { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
}

/** Every pod may resolve names through the cluster DNS. */
export function dnsEgressSpec(): Spec {
  return {
    podSelector: {},
    policyTypes: ["Egress"],
    egress: [
      {
        to: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
            podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
          },
        ],
        ports: [
          { protocol: "UDP", port: 53 },
          { protocol: "TCP", port: 53 },
        ],
      },
    ],
  };
}

function servicePeer(service: string): Peer {
  return { podSelector: { matchLabels: { [NAME_LABEL]: service } } };
}

function dataPeers(rules: NetworkRules): Peer[] | undefined {
  return rules.dataTierCidrs.length === 0 ? undefined : rules.dataTierCidrs.map((cidr) => ({ ipBlock: { cidr } }));
}

/** The label the driver's Jobs (a `job` gate, a release hook) carry: automation/analysis/jobRunner.ts. */
export const JOB_SELECTOR = { "app.kubernetes.io/managed-by": "slipway" };

/**
 * The driver's Jobs accept nothing and reach what a smoke test and a migration need: the entry service, the data
 * tier and AWS APIs on HTTPS (a Job running as a service's account fetches its secrets as the service does).
 */
export function jobsSpec(rules: NetworkRules): Spec {
  return {
    podSelector: { matchLabels: JOB_SELECTOR },
    policyTypes: ["Ingress", "Egress"],
    ingress: [],
    egress: [
      { to: [servicePeer(ENTRY_SERVICE)], ports: [{ protocol: "TCP", port: CONTAINER_PORT }] },
      { to: dataPeers(rules), ports: Object.values(DATA_PORTS).map((port) => ({ protocol: "TCP", port })) },
      { ports: [{ protocol: "TCP", port: HTTPS }] },
    ],
  };
}

/** What one service's pods accept (entry traffic, callers, the scrape) and reach (callees, data tier, AWS APIs). */
export function serviceSpec(
  service: string,
  access: ServiceAccess,
  callers: string[],
  rules: NetworkRules,
  awsAccess: boolean,
): Spec {
  const port = [{ protocol: "TCP", port: CONTAINER_PORT }];
  const ingress: k8s.types.input.networking.v1.NetworkPolicyIngressRule[] = [
    {
      from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": rules.metricsNamespace } } }],
      ports: port,
    },
  ];
  if (service === ENTRY_SERVICE) {
    ingress.unshift({ ports: port });
  } else if (callers.length > 0) {
    ingress.unshift({ from: callers.map(servicePeer), ports: port });
  }
  const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [];
  if (access.calls.length > 0) {
    egress.push({ to: access.calls.map(servicePeer), ports: port });
  }
  if (access.dataStores.length > 0) {
    egress.push({
      to: dataPeers(rules),
      ports: access.dataStores.map((s) => ({ protocol: "TCP", port: DATA_PORTS[s] })),
    });
  }
  if (awsAccess) {
    // STS for the role, then Secrets Manager and S3: AWS endpoints on HTTPS.
    egress.push({ ports: [{ protocol: "TCP", port: HTTPS }] });
  }
  return {
    podSelector: { matchLabels: { [NAME_LABEL]: service } },
    policyTypes: ["Ingress", "Egress"],
    ingress,
    egress,
  };
}
