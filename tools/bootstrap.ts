/**
 * `npm run tools`: builds the engine's binaries from the wrapper modules in tools/go into the cache (see env.ts),
 * links them into the engine's bin directory and installs the Kubernetes provider into PULUMI_HOME's plugin cache.
 * Idempotent: a binary already built for the same versions and module files is reused, so a second run takes seconds.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { EnginePaths, engineEnv, enginePaths, groupDir, groupHash } from "./env";
import { buildBinary, copyKwokStages, log, seconds, ToolsError } from "./gobuild";
import { KUBERNETES_PROVIDER_VERSION, TOOL_GROUPS } from "./versions";

/** Hard links keep each binary's real directory name out of the picture; copies where links are impossible. */
function linkInto(binDir: string, source: string): void {
  const dest = path.join(binDir, path.basename(source));
  fs.rmSync(dest, { force: true });
  try {
    fs.linkSync(source, dest);
  } catch {
    fs.copyFileSync(source, dest);
    fs.chmodSync(dest, 0o755);
  }
}

function installProviderPlugin(paths: EnginePaths, providerHash: string): void {
  const label = `kubernetes plugin ${KUBERNETES_PROVIDER_VERSION}`;
  const stamp = path.join(paths.pulumiHome, `.slipway-resource-kubernetes-v${KUBERNETES_PROVIDER_VERSION}`);
  const installed = path.join(
    paths.pulumiHome,
    "plugins",
    `resource-kubernetes-v${KUBERNETES_PROVIDER_VERSION}`,
    "pulumi-resource-kubernetes",
  );
  if (fs.existsSync(installed) && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === providerHash) {
    log(`${label}: installed in ${paths.pulumiHome}`);
    return;
  }
  const env = { ...process.env, ...engineEnv() };
  const args = ["plugin", "install", "resource", "kubernetes", KUBERNETES_PROVIDER_VERSION];
  const result = spawnSync("pulumi", [...args, "--file", paths.kubernetesProvider, "--reinstall"], {
    env,
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new ToolsError(`${label}: \`pulumi ${args.join(" ")} --file ...\` failed:\n${result.stdout}${result.stderr}`);
  }
  fs.writeFileSync(stamp, providerHash);
  log(`${label}: installed into ${paths.pulumiHome}`);
}

/**
 * The Pulumi CLI writes a verbose log of every command into PULUMI_HOME/logs (gzip, then encrypted with the stack's
 * secrets manager), with every resource's properties marshalled into it: about 0.7 s of the CLI's 2 s of CPU in a
 * no-op update of the local stack, and 500 MB of files that every CLI start lists to rotate. A file where that
 * directory would be turns it off: the CLI then carries on without it ("automatic logging unavailable", logged
 * nowhere). slipway keeps its own record of every update (the journal, the engine's event log while it runs).
 */
function turnOffCliLogFiles(paths: EnginePaths): void {
  const logs = path.join(paths.pulumiHome, "logs");
  const entry = fs.lstatSync(logs, { throwIfNoEntry: false });
  if (entry?.isFile()) return;
  if (entry) fs.rmSync(logs, { recursive: true, force: true });
  fs.writeFileSync(logs, "The Pulumi CLI's automatic log files are off here: see tools/bootstrap.ts.\n");
  log(`pulumi CLI log files: off (${logs} is a file)`);
}

/** The Node SDK asks the engine for a plugin of exactly its own version: say so early when they differ. */
function checkSdkPin(paths: EnginePaths): void {
  const manifest = path.join(paths.repoRoot, "node_modules", "@pulumi", "kubernetes", "package.json");
  if (!fs.existsSync(manifest)) return;
  const version = (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string }).version;
  if (version !== KUBERNETES_PROVIDER_VERSION) {
    log(
      `warning: node_modules has @pulumi/kubernetes ${version}, which asks for plugin ${version}; ` +
        `the built provider is ${KUBERNETES_PROVIDER_VERSION}. Pin @pulumi/kubernetes to ${KUBERNETES_PROVIDER_VERSION}.`,
    );
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One bootstrap at a time per cache: a second one waits, then finds everything built. */
async function lock(cacheRoot: string): Promise<() => void> {
  fs.mkdirSync(cacheRoot, { recursive: true });
  const file = path.join(cacheRoot, ".bootstrap.lock");
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(file, { force: true });
    } catch {
      const holder = Number(fs.readFileSync(file, "utf8")) || 0;
      if (!alive(holder)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      if (!announced) log(`waiting for another bootstrap (pid ${holder}) to finish`);
      announced = true;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const paths = enginePaths();
  const unlock = await lock(paths.cacheRoot);
  process.on("exit", unlock);
  log(`cache ${paths.cacheRoot}`);
  for (const dir of [paths.binDir, paths.logsDir, paths.pulumiHome, paths.stateDir])
    fs.mkdirSync(dir, { recursive: true });
  for (const group of TOOL_GROUPS) {
    const outDir = groupDir(group);
    fs.mkdirSync(outDir, { recursive: true });
    for (const binary of group.binaries) {
      await buildBinary(group, binary, outDir, paths);
      if (!group.pluginOnly) linkInto(paths.binDir, path.join(outDir, binary.name));
    }
  }
  copyKwokStages(paths);
  const provider = TOOL_GROUPS.find((g) => g.pluginOnly);
  if (provider) installProviderPlugin(paths, groupHash(provider));
  turnOffCliLogFiles(paths);
  checkSdkPin(paths);
  log(`engine ready in ${seconds(started)}: ${paths.binDir}`);
  log("environment: `source tools/env.sh` (shell) or engineEnv() from tools/env.ts");
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`[tools] error: ${message}\n`);
  process.exit(1);
});
