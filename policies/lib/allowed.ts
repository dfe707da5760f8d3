// The Standards' "allowed values" check of one securityContext field, shared by the Pod Security Standards policies.
import { Report } from "./report";
import { show } from "./values";

/** Checks a pod- or container-level securityContext field against allowed values; true when it is set and allowed. */
export function allowedValue(
  value: unknown,
  what: string,
  allowed: readonly unknown[],
  report: Report,
  fix: string,
): boolean {
  if (!report.known(value, what) || value === undefined || value === null) {
    return false;
  }
  if (!allowed.includes(value)) {
    report.fail(`${what} must not be ${show(value)}; ${fix}.`);
    return false;
  }
  return true;
}
