// The policy pack on every preview and update, and the driver's one private speed path for it. The pack itself
// (policies/) is a standard `runtime: nodejs` pack. The driver may instead pass its private wrapper (pack/ beside
// this file, runtime `slipway-spare`), whose analyzer plugin the engine finds on the PATH of the driver's own CLI runs
// only; that plugin hands the engine a pack process the driver started ahead of the update (spare.ts), or loads the
// real pack itself. The same policies, with the same per-stack config, see every resource either way.
import * as fs from "fs";
import * as path from "path";

/** The wrapper pack: PulumiPolicy.yaml (runtime slipway-spare), bin/ (its plugin), spare.js (the pack process). */
export const PACK_WRAPPER = path.join(__dirname, "pack");
export const PACK_SPARE_SCRIPT = path.join(PACK_WRAPPER, "spare.js");
/** The variable naming the spare pack to the plugin: `<analyzer port>:<control port>`. */
export const PACK_ENV = "SLIPWAY_POLICY_PACK";
/** The variable naming the real pack to the plugin, for an update without a spare. */
export const PACK_DIR_ENV = "SLIPWAY_POLICY_PACK_DIR";
const PLUGIN = "pulumi-analyzer-policy-slipway-spare";

/** The pack of a work dir and its config for a stack (policies/config/<stack>.json), as `pulumi` flags. */
export function packFlags(workDir: string, stack: string, wrapped: boolean): string[] {
  const pack = path.join(workDir, "policies");
  const config = path.join(pack, "config", `${stack.split("/").pop()}.json`);
  return [
    ...["--policy-pack", wrapped ? PACK_WRAPPER : pack],
    ...(fs.existsSync(config) ? ["--policy-pack-config", config] : []),
  ];
}

/** Whether the wrapper can be used with this environment: the engine must be allowed to find plugins on PATH. */
export function wrapperUsable(env: Record<string, string>): boolean {
  return !/^(1|true)$/i.test(env.PULUMI_IGNORE_AMBIENT_PLUGINS ?? "");
}

/** The variables of a CLI run that uses the wrapper: its plugin first on PATH, the real pack named. */
export function wrapperEnv(workDir: string, env: Record<string, string>): Record<string, string> {
  return {
    PATH: [path.join(PACK_WRAPPER, "bin"), env.PATH ?? ""].filter((p) => p !== "").join(path.delimiter),
    [PACK_DIR_ENV]: path.join(workDir, "policies"),
  };
}

/** The engine's notice that it runs the wrapper's plugin from PATH: expected, and not the user's concern. */
export function isWrapperNotice(message: string | undefined): boolean {
  return message !== undefined && message.includes(`using ${PLUGIN} from $PATH`);
}
