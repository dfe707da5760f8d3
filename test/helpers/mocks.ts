// Shared Pulumi mocks: realistic outputs per resource type, a record of every registered resource, and
// promiseOf() to await an Output in tests.
import * as pulumi from "@pulumi/pulumi";

import { ACCOUNT, outputsFor, REGION } from "./mockOutputs";

export { ACCOUNT, outputsFor, REGION };

export interface Registered {
  type: string;
  name: string;
  /** Inputs as the program passed them (after serialization). */
  inputs: any;
  /** Outputs the mock returned. */
  state: any;
  id: string;
  provider?: string;
  custom: boolean;
  /** The URN the engine gives the resource. */
  urn: string;
  /** URN of the parent resource ("" for the stack's direct children). */
  parent: string;
  /** URNs the registration waits for (dependsOn, resolved by the SDK). */
  dependencies: string[];
  /** The retainOnDelete option as the engine receives it. */
  retainOnDelete: boolean;
}

export interface MockRecord {
  resources: Registered[];
  calls: { token: string; inputs: any }[];
  /** Resources whose type token matches exactly, or starts with `prefix` ending in ":". */
  ofType(type: string): Registered[];
  /** The one resource of `type` whose Pulumi name or metadata.name is `name`; throws if absent or ambiguous. */
  one(type: string, name?: string): Registered;
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** Inputs as plain values: secrets unwrapped (tests check values; the engine keeps them encrypted). */
export function plain(v: any): any {
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") {
    if (v[SECRET_SIG] !== undefined && "value" in v) return plain(v.value);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

function callResult(token: string, inputs: any): Record<string, any> {
  switch (token) {
    case "aws:eks/getCluster:getCluster":
      return { name: inputs.name, vpcConfig: { clusterSecurityGroupId: "sg-eks-cluster", vpcId: "vpc-0123456789" } };
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return { names: ["us-east-1a", "us-east-1b", "us-east-1c"], zoneIds: ["use1-az1", "use1-az2", "use1-az4"] };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: "AIDEXAMPLE" };
    case "aws:index/getRegion:getRegion":
      return { name: REGION, region: REGION };
    default:
      return inputs;
  }
}

// The resource options mocks do not pass to newResource, read from each registration request by type and name.
interface RequestOptions {
  urn: string;
  parent: string;
  dependencies: string[];
  retainOnDelete: boolean;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getDependenciesList(): string[];
  getRetainondelete(): boolean;
}

/** Wraps the mock monitor's registerResource so each request's options are kept until newResource runs. */
function captureOptions(): Map<string, RequestOptions> {
  const pending = new Map<string, RequestOptions>();
  const { getMonitor } = require("@pulumi/pulumi/runtime/settings") as {
    getMonitor(): {
      registerResource(req: RegisterRequest, cb: unknown): unknown;
      newUrn(parent: string, type: string, name: string): string;
    };
  };
  const monitor = getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    pending.set(`${req.getType()}::${req.getName()}`, {
      urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
      parent: req.getParent(),
      dependencies: req.getDependenciesList(),
      retainOnDelete: req.getRetainondelete() ?? false,
    });
    return register(req, cb);
  };
  return pending;
}

/**
 * Installs mocks for `stack` and returns the record they fill. Each call starts a fresh record.
 */
export function setMocks(stack = "dev", project = "slipway"): MockRecord {
  // Mocha sets an unlimited stack trace depth; the SDK records a stack per resource, which then costs seconds
  // per program. Node's default depth keeps evaluations as fast as under the engine.
  if (Error.stackTraceLimit > 10) Error.stackTraceLimit = 10;
  const record: MockRecord = {
    resources: [],
    calls: [],
    ofType(type: string) {
      return record.resources.filter((r) => (type.endsWith(":") ? r.type.startsWith(type) : r.type === type));
    },
    one(type: string, name?: string) {
      const found = record
        .ofType(type)
        .filter((r) => name === undefined || r.name === name || r.inputs?.metadata?.name === name);
      if (found.length !== 1) {
        throw new Error(
          `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
        );
      }
      return found[0];
    },
  };
  let options = new Map<string, RequestOptions>();
  pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const inputs = plain(args.inputs);
        const { id, state } = outputsFor(args.type, args.name, inputs);
        const opts = options.get(`${args.type}::${args.name}`);
        record.resources.push({
          type: args.type,
          name: args.name,
          inputs,
          state,
          id,
          provider: args.provider,
          custom: args.custom ?? true,
          urn: opts?.urn ?? "",
          parent: opts?.parent ?? "",
          dependencies: opts?.dependencies ?? [],
          retainOnDelete: opts?.retainOnDelete ?? false,
        });
        return { id, state };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        record.calls.push({ token: args.token, inputs: args.inputs });
        return callResult(args.token, args.inputs);
      },
    },
    project,
    stack,
    false,
  );
  options = captureOptions();
  return record;
}

/** Resolves an Output (or a plain value) to its value. */
export function promiseOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) =>
    pulumi.output(output).apply((v) => {
      resolve(v as T);
      return v;
    }),
  );
}
