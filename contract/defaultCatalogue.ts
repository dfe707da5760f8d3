// The default catalogue: the seeds' five services (the borrow-rate engine of deployment guide 001: sizing, HPA ranges,
// who calls whom and what each one reads). A stack without a catalogue of its own (`slipway:services` absent, or the
// per-service overrides keyed by these names) runs exactly these. Data only.
import type { CatalogueEntry } from "./catalogue";

export const DEFAULT_CATALOGUE: readonly CatalogueEntry[] = [
  {
    name: "api-gateway",
    entry: true,
    sizing: {
      minReplicas: 3,
      maxReplicas: 10,
      scaleOn: "cpu",
      cpuRequest: "500m",
      cpuLimit: "2000m",
      memoryRequest: "1Gi",
      memoryLimit: "4Gi",
    },
    reaches: { services: ["calculation-service", "data-service", "audit-service"] },
  },
  {
    name: "calculation-service",
    sizing: {
      minReplicas: 3,
      maxReplicas: 20,
      scaleOn: "cpu",
      requestsPerSecond: 100,
      cpuRequest: "1000m",
      cpuLimit: "4000m",
      memoryRequest: "2Gi",
      memoryLimit: "8Gi",
    },
    reaches: { services: ["data-service", "cache-service", "audit-service"] },
  },
  {
    name: "data-service",
    sizing: {
      minReplicas: 3,
      maxReplicas: 10,
      scaleOn: "cpu",
      cpuRequest: "500m",
      cpuLimit: "2000m",
      memoryRequest: "1536Mi",
      memoryLimit: "6Gi",
    },
    reaches: { services: ["cache-service", "audit-service"], database: true, buckets: { artifacts: "read" } },
  },
  {
    name: "cache-service",
    sizing: {
      minReplicas: 3,
      maxReplicas: 5,
      scaleOn: "memory",
      cpuRequest: "1000m",
      cpuLimit: "4000m",
      memoryRequest: "4Gi",
      memoryLimit: "16Gi",
    },
    reaches: { cache: true },
  },
  {
    name: "audit-service",
    sizing: {
      minReplicas: 2,
      maxReplicas: 5,
      scaleOn: "cpu",
      cpuRequest: "500m",
      cpuLimit: "1000m",
      memoryRequest: "1Gi",
      memoryLimit: "2Gi",
    },
    reaches: { database: true, buckets: { audit: "write" } },
  },
];
