// Runs policies in-process the way the engine calls them, without starting a policy pack.
import { ResourceValidationPolicy, StackValidationPolicy, unknownCheckingProxy } from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";

/** What the engine sends for a property computed during the update. */
export const COMPUTED = unknownValue;

export interface ResourceInput {
  type: string;
  name?: string;
  props: object;
}

export interface Reported {
  message: string;
  urn?: string;
}

function urnOf(type: string, name: string): string {
  return `urn:pulumi:test::slipway::${type}::${name}`;
}

function noop(): never {
  throw new Error("notApplicable");
}

const emptyOpts = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  additionalSecretOutputs: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
};

/** Every message `policy` reports for one resource; props are wrapped in the engine's unknown-checking proxy. */
export function validateResource(
  policy: ResourceValidationPolicy,
  resource: ResourceInput,
  config: Record<string, unknown> = {},
  opts: Partial<typeof emptyOpts> & { deleteBeforeReplace?: boolean } = {},
): string[] {
  const messages: string[] = [];
  const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
  const name = resource.name ?? "subject";
  for (const validate of validations) {
    if (validate === undefined) {
      continue;
    }
    // Like the engine: a typed validation is only called for its own type.
    const only = (validate as unknown as { __pulumiType?: string }).__pulumiType;
    if (only !== undefined && only !== resource.type) {
      continue;
    }
    const props = unknownCheckingProxy(resource.props);
    void validate(
      {
        type: resource.type,
        props,
        urn: urnOf(resource.type, name),
        name,
        opts: { ...emptyOpts, ...opts },
        stackTags: new Map(),
        isType: (cls) => (cls as unknown as { __pulumiType: string }).__pulumiType === resource.type,
        asType: (cls: unknown) =>
          ((cls as { __pulumiType: string }).__pulumiType === resource.type ? props : undefined) as any,
        getConfig: <T extends object>() => config as T,
        notApplicable: noop,
      },
      (message) => messages.push(message),
    );
  }
  return messages;
}

export interface StackResourceInput extends ResourceInput {
  /** Input property -> names of the resources it depends on. */
  dependsOn?: Record<string, string[]>;
}

/** Every violation `policy` reports for a stack of resources (names must be unique). */
export function validateStack(
  policy: StackValidationPolicy,
  resources: StackResourceInput[],
  config: Record<string, unknown> = {},
): Reported[] {
  const built = resources.map((r) => {
    const name = r.name ?? r.type;
    return {
      type: r.type,
      name,
      urn: urnOf(r.type, name),
      props: unknownCheckingProxy(r.props),
      opts: emptyOpts,
      dependencies: [] as any[],
      propertyDependencies: {} as Record<string, any[]>,
      isType: () => false,
      asType: () => undefined,
    };
  });
  resources.forEach((r, i) => {
    for (const [prop, names] of Object.entries(r.dependsOn ?? {})) {
      built[i].propertyDependencies[prop] = names.map((n) => built.find((b) => b.name === n)!);
    }
  });
  const reported: Reported[] = [];
  void policy.validateStack(
    {
      resources: built,
      stackTags: new Map(),
      getConfig: <T extends object>() => config as T,
      notApplicable: noop,
    },
    (message, urn) => reported.push(urn === undefined ? { message } : { message, urn }),
  );
  return reported;
}

/** A deep copy of `value` with the property at a dotted `path` ("spec.containers.0.image") set, or deleted for undefined. */
export function withProp<T>(value: T, path: string, next: unknown): T {
  const copy = structuredClone(value) as any;
  const keys = path.split(".");
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    node[key] ??= {};
    node = node[key];
  }
  const last = keys[keys.length - 1];
  if (next === undefined) {
    delete node[last];
  } else {
    node[last] = next;
  }
  return copy;
}

export function urn(type: string, name: string): string {
  return urnOf(type, name);
}
