// What the component tests share: a service's arguments, and building a component under fresh mocks.
import { MockRecord, setMocks } from "../helpers/mocks";
import { settled } from "../helpers/stack";
import type { ServiceArgs } from "../../components/service";
import type * as awsComponents from "../../components/aws";

/** The AWS components, required when a test needs them (the local stack never loads their SDKs). */
export function aws(): typeof awsComponents {
  return require("../../components/aws");
}

export const sizing = {
  minReplicas: 3,
  maxReplicas: 10,
  scaleOn: "cpu" as const,
  cpuRequest: "500m",
  cpuLimit: "2000m",
  memoryRequest: "1Gi",
  memoryLimit: "4Gi",
};

export function serviceArgs(over: Partial<ServiceArgs> = {}): ServiceArgs {
  return {
    service: "api-gateway",
    namespace: "ns",
    environment: "prod",
    sizing,
    imageRepository: "r/slipway",
    stableVersion: "1.0.0",
    connectionSecret: "slipway-connections",
    timeoutSeconds: 120,
    router: "smi",
    ...over,
  };
}

/** Registers what `build` creates under fresh mocks and waits for every registration. */
export async function build(fn: () => void): Promise<MockRecord> {
  const mocks = setMocks("test");
  fn();
  await settled();
  return mocks;
}

/** The error a component throws when constructed under fresh mocks. */
export function failure(fn: () => void): Error {
  setMocks("test");
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the component to refuse its arguments");
}
