// What the platform knows of each service besides its sizing: what it reaches (./access.ts), whether it takes traffic
// from outside, whether it is canaried, and its container's shape. The stack's catalogue gives it; a platform built
// without one runs the default catalogue's definitions (contract/defaultCatalogue.ts), and a service it does not know
// reaches nothing.
import { DEFAULT_CATALOGUE } from "../contract/defaultCatalogue";
import { accessOf, ServiceAccess } from "./access";
import type { ContainerShape } from "./podSpec";

export interface ServiceDefinition {
  access: ServiceAccess;
  /** Takes traffic from outside the namespace; default false. */
  entry?: boolean;
  /** Released through canary steps; false = it never runs a canary track. Default true. */
  canary?: boolean;
  /** Image repository, port and health paths; defaults as ./podSpec.ts. */
  container?: ContainerShape;
}

const NOTHING: ServiceAccess = { calls: [], dataStores: [], databaseSecret: false, buckets: {} };

/** The default catalogue's definition of `service`, or one that reaches nothing. */
export function defaultDefinition(service: string): ServiceDefinition {
  const entry = DEFAULT_CATALOGUE.find((s) => s.name === service);
  if (entry === undefined) return { access: NOTHING };
  return { access: accessOf(entry.reaches), entry: entry.entry === true };
}
