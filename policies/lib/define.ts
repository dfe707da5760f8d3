// Builders that turn plain check functions into CrossGuard policies.
//
// A check reads properties through `get` (./values.ts) and writes to a `Report`; it never calls the engine. The
// builders wire a check into `validateResource`/`validateStack`, and keep it reachable as `inspect` so the
// "not verifiable at preview" policies, the tests and the benchmark can run it directly.
import { Resource } from "@pulumi/pulumi";
import {
  PolicyConfigSchema,
  ReportViolation,
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { Report } from "./report";
import { unwrap } from "./values";

/** A Pulumi resource class; only its type token is used. */
export type ResourceClass = { new (name: string, args: any, ...rest: any[]): Resource };

/** The type token Pulumi registers for a resource class, e.g. "kubernetes:apps/v1:Deployment"; a token stays as is. */
export function typeOf(cls: ResourceClass | string): string {
  if (typeof cls === "string") return cls;
  const token = (cls as unknown as { __pulumiType?: unknown }).__pulumiType;
  if (typeof token !== "string" || token === "") {
    throw new Error(`${cls.name} has no Pulumi type token`);
  }
  return token;
}

/** What a resource check sees: the type token, the Pulumi name and the (possibly proxied) input properties. */
export interface ResourceSubject {
  type: string;
  name: string;
  props: unknown;
  /** The resource options the program set, where a check needs them (e.g. deleteBeforeReplace). */
  opts?: { deleteBeforeReplace?: boolean };
}

export type ResourceCheck<C> = (subject: ResourceSubject, config: C, report: Report) => void;

export interface CheckedResourcePolicy<C extends object = object> extends ResourceValidationPolicy {
  /** The type tokens the policy applies to. */
  readonly types: ReadonlySet<string>;
  /** Runs the check; `config` is merged over the policy's defaults. */
  inspect(subject: ResourceSubject, config?: Partial<C>): Report;
}

export interface ResourcePolicySpec<C extends object> {
  name: string;
  description: string;
  /** The resource classes the policy validates, or their type tokens where loading the class is costly. */
  resources: (ResourceClass | string)[];
  /** Configuration defaults; each key is also declared in the policy's configSchema. */
  defaults?: C;
  configSchema?: PolicyConfigSchema;
  check: ResourceCheck<C>;
}

/** Whether a policy's config sets anything; most have none, and the engine asks every policy for every resource. */
function hasSettings(config: object | undefined): boolean {
  for (const _ in config) return true;
  return false;
}

export function resourcePolicy<C extends object = object>(spec: ResourcePolicySpec<C>): CheckedResourcePolicy<C> {
  const types = new Set(spec.resources.map(typeOf));
  const defaults = spec.defaults ?? ({} as C);
  const inspect = (subject: ResourceSubject, config?: Partial<C>): Report => {
    const report = new Report();
    spec.check(subject, hasSettings(config) ? { ...defaults, ...config } : defaults, report);
    return report;
  };
  const run = (
    props: unknown,
    args: { type: string; name: string; opts?: { deleteBeforeReplace?: boolean }; getConfig<T extends object>(): T },
    reportViolation: ReportViolation,
  ) => {
    const report = inspect(
      { type: args.type, name: args.name, props: unwrap(props), opts: args.opts },
      args.getConfig<Partial<C>>(),
    );
    for (const v of report.violations) {
      reportViolation(v.message);
    }
  };
  // One class: let the engine skip other types before calling us. Several: one function that returns early,
  // because an array of typed validations throws "not applicable" for every other type, which is slow.
  const [only] = spec.resources;
  const validateResource: ResourceValidation =
    spec.resources.length === 1 && typeof only !== "string"
      ? validateResourceOfType(only, (props, args, reportViolation) => run(props, args, reportViolation))
      : (args, reportViolation) => {
          if (types.has(args.type)) {
            run(args.props, args, reportViolation);
          }
        };
  return {
    name: spec.name,
    description: spec.description,
    configSchema: spec.configSchema,
    types,
    inspect,
    validateResource,
  };
}

/** What a stack check sees of each resource: its outputs and, where the engine knows them, property dependencies. */
export interface StackSubject {
  type: string;
  name: string;
  urn: string;
  props: unknown;
  /** URNs of the resources each input property depends on. */
  propertyDependencies?: Record<string, string[]>;
}

export type StackCheck<C> = (resources: StackSubject[], config: C, report: Report) => void;

export interface CheckedStackPolicy<C extends object = object> extends StackValidationPolicy {
  inspect(resources: StackSubject[], config?: Partial<C>): Report;
}

export interface StackPolicySpec<C extends object> {
  name: string;
  description: string;
  defaults?: C;
  configSchema?: PolicyConfigSchema;
  check: StackCheck<C>;
}

export function stackPolicy<C extends object = object>(spec: StackPolicySpec<C>): CheckedStackPolicy<C> {
  const defaults = spec.defaults ?? ({} as C);
  const inspect = (resources: StackSubject[], config?: Partial<C>): Report => {
    const report = new Report();
    spec.check(resources, { ...defaults, ...config }, report);
    return report;
  };
  return {
    name: spec.name,
    description: spec.description,
    configSchema: spec.configSchema,
    inspect,
    validateStack: (args, reportViolation) => {
      const subjects = args.resources.map((r): StackSubject => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: unwrap(r.props),
        propertyDependencies: Object.fromEntries(
          Object.entries(r.propertyDependencies).map(([k, deps]) => [k, deps.map((d) => d.urn)]),
        ),
      }));
      const report = inspect(subjects, args.getConfig<Partial<C>>());
      for (const v of report.violations) {
        reportViolation(v.message, v.urn);
      }
    },
  };
}
