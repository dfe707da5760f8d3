// The program's side: the current stack's config from the Pulumi runtime, with its release.
import { RELEASE_ENV } from "../../contract/store";
import { programRelease } from "../release";
import { parseStackConfig, withRelease } from "./parse";
import type { StackConfig } from "./types";

/** How the program reads its config: `readRelease` when the engine runs it (the release record in the store). */
export interface LoadOptions {
  /**
   * Read the release record from the store (SLIPWAY_STATE_URL or PULUMI_BACKEND_URL). Off (the default), only a
   * release the driver handed over (SLIPWAY_RELEASE) is merged: a unit test under mocks gets exactly the config it
   * set, never a developer's local record.
   */
  readRelease?: boolean;
}

/** Program side: the current stack's config with its release, validated. */
export function loadConfig(opts: LoadOptions = {}): StackConfig {
  // Required lazily so the driver can import parseStackConfig without the Pulumi runtime.
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  const env = opts.readRelease ? process.env : { [RELEASE_ENV]: process.env[RELEASE_ENV] };
  const release = programRelease(pulumi.getProject(), pulumi.getStack(), env);
  return parseStackConfig(pulumi.getStack(), withRelease(pulumi.runtime.allConfig(), release));
}
