// The seeds' per-service numbers (deployment guide 001: HPA ranges, requests and limits), shared by every AWS stack.
import type { ServiceName } from "../contract/release";
import type { ServiceSizing } from "../components/service";

export const SERVICE_SEEDS: Record<ServiceName, ServiceSizing> = {
  "api-gateway": {
    minReplicas: 3,
    maxReplicas: 10,
    scaleOn: "cpu",
    cpuRequest: "500m",
    cpuLimit: "2000m",
    memoryRequest: "1Gi",
    memoryLimit: "4Gi",
  },
  "calculation-service": {
    minReplicas: 3,
    maxReplicas: 20,
    scaleOn: "cpu",
    requestsPerSecond: 100,
    cpuRequest: "1000m",
    cpuLimit: "4000m",
    memoryRequest: "2Gi",
    memoryLimit: "8Gi",
  },
  "data-service": {
    minReplicas: 3,
    maxReplicas: 10,
    scaleOn: "cpu",
    cpuRequest: "500m",
    cpuLimit: "2000m",
    memoryRequest: "1536Mi",
    memoryLimit: "6Gi",
  },
  "cache-service": {
    minReplicas: 3,
    maxReplicas: 5,
    scaleOn: "memory",
    cpuRequest: "1000m",
    cpuLimit: "4000m",
    memoryRequest: "4Gi",
    memoryLimit: "16Gi",
  },
  "audit-service": {
    minReplicas: 2,
    maxReplicas: 5,
    scaleOn: "cpu",
    cpuRequest: "500m",
    cpuLimit: "1000m",
    memoryRequest: "1Gi",
    memoryLimit: "2Gi",
  },
};

/** The local cluster (kwok) runs no real containers: two small replicas keep rollouts fast and policies satisfied. */
export const LOCAL_SIZING = {
  minReplicas: 2,
  maxReplicas: 3,
  cpuRequest: "50m",
  cpuLimit: "200m",
  memoryRequest: "64Mi",
  memoryLimit: "256Mi",
} as const;
