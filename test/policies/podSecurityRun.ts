// The pod security tests' subject: the compliant Deployment of ./fixtures.ts with some properties changed.
import { deployment, T } from "./fixtures";
import { validateResource, withProp } from "./helpers";

export const POD = "spec.template.spec";
export const C0 = `${POD}.containers.0`;
export const LABEL = 'Deployment "api-gateway-stable" container "api-gateway"';
export const WORKLOAD = 'Deployment "api-gateway-stable"';

/** Every message `policy` reports for the fixture Deployment with each [path, value] change applied. */
export function run(policy: Parameters<typeof validateResource>[0], ...changes: Array<[string, unknown]>): string[] {
  let props: object = deployment();
  for (const [path, value] of changes) {
    props = withProp(props, path, value);
  }
  return validateResource(
    policy,
    { type: T.deployment, name: "api-gateway-stable", props: props as Record<string, unknown> },
    {},
  );
}
