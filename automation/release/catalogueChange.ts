// What an update does to the stack's set of services: the catalogue (the stack file) against what the stack serves now
// (the deployed stack's `services` output and the release record's services). Pure. `slipway up` prints it, and on a
// prod stack refuses to remove a serving service unless the removal is confirmed by name.
import type { Release } from "../../contract/store";
import type { StackConfig } from "../../stacks/config";
import { InputError } from "../errors";

export interface CatalogueChange {
  /** Services of the catalogue the stack does not serve yet. */
  added: string[];
  /** Services the stack serves that the catalogue no longer lists: the update deletes their objects. */
  removed: string[];
}

/**
 * The services a stack serves: its deployed `services` output; without one (outputs unreadable, or a stack the engine
 * has not exported them for), the services its release record names. Once an update has removed a service, the output
 * no longer lists it, so the next update does not ask again.
 */
export function servingServices(outputs: Record<string, unknown>, release: Release | undefined): string[] {
  const out = outputs.services;
  if (out !== null && typeof out === "object" && Object.keys(out).length > 0) return Object.keys(out);
  return release ? [...new Set([...release.canaryServices, ...Object.keys(release.serviceVersions)])] : [];
}

export function catalogueChange(config: Pick<StackConfig, "catalogue">, serving: string[]): CatalogueChange {
  const names = Object.keys(config.catalogue);
  // A stack never deployed adds nothing and removes nothing: its first update creates every service.
  if (serving.length === 0) return { added: [], removed: [] };
  return { added: names.filter((s) => !serving.includes(s)), removed: serving.filter((s) => !names.includes(s)) };
}

/** The change as one progress line; undefined when the set of services stays. */
export function changeText(stack: string, c: CatalogueChange): string | undefined {
  const parts = [
    ...(c.added.length ? [`adds ${c.added.join(", ")}`] : []),
    ...(c.removed.length ? [`removes ${c.removed.join(", ")} (their Deployments, Services, routes and policies)`] : []),
  ];
  return parts.length ? `${stack}: the catalogue ${parts.join("; ")}` : undefined;
}

/** A prod stack removes a serving service only when `confirmed` names it. */
export function checkRemoval(stack: string, prod: boolean, c: CatalogueChange, confirmed: readonly string[]): void {
  const unconfirmed = c.removed.filter((s) => !confirmed.includes(s));
  if (!prod || unconfirmed.length === 0) return;
  throw new InputError(
    `${stack} serves ${unconfirmed.join(", ")}, which slipway:services no longer lists: the update would delete ${unconfirmed.length > 1 ? "them" : "it"}; ` +
      `confirm with ${unconfirmed.map((s) => `--confirm-removal ${s}`).join(" ")}, or put ${unconfirmed.length > 1 ? "them" : "it"} back in the catalogue`,
  );
}
