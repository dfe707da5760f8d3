// Sizing per environment. The seeds' per-service numbers (deployment guide 001: HPA ranges, requests and limits) are
// the default catalogue's (contract/defaultCatalogue.ts); a catalogue's service that states no numbers of its own takes
// its environment's defaults below; the local cluster runs every service small.
import type { Environment } from "../contract/release";
import { DEFAULT_CATALOGUE } from "../contract/defaultCatalogue";
import type { ServiceSizing } from "../components/service";

/** The seeds' sizing per service of the default catalogue, shared by every AWS stack. */
export const SERVICE_SEEDS: Record<string, ServiceSizing> = Object.fromEntries(
  DEFAULT_CATALOGUE.map((s) => [s.name, { ...s.sizing }]),
);

/** The local cluster (kwok) runs no real containers: two small replicas keep rollouts fast and policies satisfied. */
export const LOCAL_SIZING = {
  minReplicas: 2,
  maxReplicas: 3,
  cpuRequest: "50m",
  cpuLimit: "200m",
  memoryRequest: "64Mi",
  memoryLimit: "256Mi",
} as const;

/** A catalogue service's sizing where it states none: the seeds' common service shape, each environment's range. */
export const ENVIRONMENT_SIZING: Record<Environment, ServiceSizing> = {
  dev: {
    minReplicas: 2,
    maxReplicas: 5,
    scaleOn: "cpu",
    cpuRequest: "500m",
    cpuLimit: "2000m",
    memoryRequest: "1Gi",
    memoryLimit: "4Gi",
  },
  staging: {
    minReplicas: 3,
    maxReplicas: 10,
    scaleOn: "cpu",
    cpuRequest: "500m",
    cpuLimit: "2000m",
    memoryRequest: "1Gi",
    memoryLimit: "4Gi",
  },
  prod: {
    minReplicas: 3,
    maxReplicas: 10,
    scaleOn: "cpu",
    cpuRequest: "500m",
    cpuLimit: "2000m",
    memoryRequest: "1Gi",
    memoryLimit: "4Gi",
  },
  local: { ...LOCAL_SIZING, scaleOn: "cpu" },
};
