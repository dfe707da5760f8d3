// What one evaluation of a policy found: violations to report at the policy's level, and the properties it could not
// read because they are computed during the update ("not verifiable at preview").
import { isUnknown, Unknown } from "./values";

export interface Violation {
  message: string;
  /** The resource a stack policy blames; resource policies always blame the resource they validate. */
  urn?: string;
}

export interface Unverifiable {
  /** The property that is unknown, named with its resource and container, e.g. `Deployment "api" container "app" image`. */
  what: string;
  urn?: string;
}

export class Report {
  readonly violations: Violation[] = [];
  readonly unverifiable: Unverifiable[] = [];
  /**
   * False for a patch (e.g. a DeploymentPatch), which sets only the fields it changes: a value it leaves unset is
   * the live object's, so only the values it does set are checked.
   */
  requirementsApply = true;

  fail(message: string, urn?: string): void {
    this.violations.push(urn === undefined ? { message } : { message, urn });
  }

  /** A violation for a value the resource leaves unset; not reported for a patch. */
  missing(message: string, urn?: string): void {
    if (this.requirementsApply) {
      this.fail(message, urn);
    }
  }

  /** Records `what` as unverifiable when `value` is unknown; returns whether the value can be checked. */
  known<T>(value: T, what: string, urn?: string): value is Exclude<T, Unknown> {
    if (isUnknown(value)) {
      this.defer(what, urn);
      return false;
    }
    return true;
  }

  /** Records `what` as unverifiable until the update. */
  defer(what: string, urn?: string): void {
    this.unverifiable.push(urn === undefined ? { what } : { what, urn });
  }
}

export const NOT_VERIFIABLE_PREFIX = "not verifiable at preview:";

/**
 * The advisory message for a property a policy could not check during preview. Resource policies check again before
 * the update changes the resource; stack policies once the update has run.
 */
export function notVerifiableMessage(policy: string, what: string, scope: "resource" | "stack" = "resource"): string {
  const again = scope === "resource" ? "before it changes the resource" : "when it finishes";
  return (
    `${NOT_VERIFIABLE_PREFIX} ${what} is computed during the update, so ${policy} cannot check it yet; ` +
    `the update checks it again ${again}.`
  );
}
