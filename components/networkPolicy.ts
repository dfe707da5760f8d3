// NetworkPolicy specs for the services' namespace: deny everything by default, then allow DNS, the entry point, the
// service-to-service edges of ./access.ts, egress to the data tier and beyond, and the metrics scrape. Pure builders, so the rules
// are tested without a cluster; ./platform.ts registers them.
import type * as k8s from "@pulumi/kubernetes";
import { ServiceAccess } from "./access";
import { CONTAINER_PORT } from "./naming";

type Spec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;

export const DATA_PORTS: Record<string, number> = { postgres: 5432, redis: 6379 };
const HTTPS = 443;
const NAME_LABEL = "app.kubernetes.io/name";

export interface NetworkRules {
  /** Namespace of the metrics scraper (Prometheus), allowed to reach every pod's container port. */
  metricsNamespace: string;
  /** CIDRs of the data tier's subnets; empty allows the data ports to any address (a local stack's endpoints). */
  dataTierCidrs: string[];
  /** The services that take traffic from outside the namespace (the catalogue's entries); default none. */
  entries?: string[];
  /** Container port per service; default 8000 for every service. */
  ports?: Record<string, number>;
}

function portOf(rules: NetworkRules, service: string): number {
  return rules.ports?.[service] ?? CONTAINER_PORT;
}

/** Rules to `services` on their container ports: one rule per port, in the order the ports first appear. */
function toServices(rules: NetworkRules, services: string[]): k8s.types.input.networking.v1.NetworkPolicyEgressRule[] {
  const byPort = new Map<number, string[]>();
  for (const s of services) byPort.set(portOf(rules, s), [...(byPort.get(portOf(rules, s)) ?? []), s]);
  return [...byPort].map(([port, to]) => ({ to: to.map(servicePeer), ports: [{ protocol: "TCP", port }] }));
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
 * The driver's Jobs accept nothing and reach what a smoke test and a migration need: the entry services, the data
 * tier and AWS APIs on HTTPS (a Job running as a service's account fetches its secrets as the service does).
 */
export function jobsSpec(rules: NetworkRules): Spec {
  return {
    podSelector: { matchLabels: JOB_SELECTOR },
    policyTypes: ["Ingress", "Egress"],
    ingress: [],
    egress: [
      ...toServices(rules, rules.entries ?? []),
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
  const port = [{ protocol: "TCP", port: portOf(rules, service) }];
  const ingress: k8s.types.input.networking.v1.NetworkPolicyIngressRule[] = [
    {
      from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": rules.metricsNamespace } } }],
      ports: port,
    },
  ];
  if ((rules.entries ?? []).includes(service)) {
    ingress.unshift({ ports: port });
  } else if (callers.length > 0) {
    ingress.unshift({ from: callers.map(servicePeer), ports: port });
  }
  const egress: k8s.types.input.networking.v1.NetworkPolicyEgressRule[] = [];
  egress.push(...toServices(rules, access.calls));
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
  for (const e of access.egress ?? []) {
    egress.push({ to: [{ ipBlock: { cidr: e.cidr } }], ports: e.ports.map((p) => ({ protocol: "TCP", port: p })) });
  }
  return {
    podSelector: { matchLabels: { [NAME_LABEL]: service } },
    policyTypes: ["Ingress", "Egress"],
    ingress,
    egress,
  };
}
