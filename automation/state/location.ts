// Where slipway's own state (journal, lock, release record, abort request) lives, from the caller's environment:
// SLIPWAY_STATE_URL when named, else beside the Pulumi state of a file:// or s3:// backend. A backend that keeps no
// files of ours (Pulumi Cloud, self-hosted, gs://, azblob://) works once a store is named.
import { displayUrl } from "../../contract/urls";
import { InputError } from "../errors";

export const STATE_URL_ENV = "SLIPWAY_STATE_URL";
const STORES = ["file://", "s3://"];

const NAME_ONE =
  `name a store for slipway's journal, lock and release record: export ${STATE_URL_ENV}=s3://<bucket>/<prefix>` +
  "?region=<region> (or file://<shared directory>)";

export interface StateLocation {
  /** The store's URL (file:// or s3://), or undefined when nothing is configured. */
  url?: string;
  /** Where it came from, for messages. */
  source?: typeof STATE_URL_ENV | "PULUMI_BACKEND_URL";
}

/**
 * The store of the caller's environment. Refused (exit 1, naming the variable and the fix): a SLIPWAY_STATE_URL of
 * another scheme, and a Pulumi backend slipway cannot keep files in when no store is named.
 */
export function stateLocation(env: NodeJS.ProcessEnv = process.env): StateLocation {
  const named = env[STATE_URL_ENV]?.trim();
  if (named) {
    if (!STORES.some((s) => named.startsWith(s))) {
      throw new InputError(
        `${STATE_URL_ENV}=${displayUrl(named)} is not a store slipway can use; set it to an s3://<bucket>/<prefix> or file://<directory> URL`,
      );
    }
    return { url: named, source: STATE_URL_ENV };
  }
  const backend = env.PULUMI_BACKEND_URL?.trim();
  if (!backend) return {};
  if (STORES.some((s) => backend.startsWith(s))) return { url: backend, source: "PULUMI_BACKEND_URL" };
  const scheme = backend.includes("://") ? backend.split("://")[0] : backend;
  throw new InputError(
    `the Pulumi backend is ${scheme}:// (PULUMI_BACKEND_URL), which keeps no files of slipway's; ${NAME_ONE}`,
  );
}

/** The refusal for a command that needs a store when none is configured. */
export function noStateError(stacks: readonly string[]): InputError {
  return new InputError(
    `no state store for ${stacks.join(", ")}: export PULUMI_BACKEND_URL (s3://... or file://..., the Pulumi backend ` +
      `slipway keeps its state beside), or, with another backend (pulumi login), ${NAME_ONE}`,
  );
}
