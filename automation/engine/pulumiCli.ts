// The Pulumi CLI slipway runs: the one the caller installed, found as the Automation API finds it, and how one of its
// commands is run (non-interactive, interruptible, its stderr kept for the error). Nothing here knows the lab engine:
// the lab puts its CLI first on PATH (tools/env.sh) like any installation would.
import { ChildProcess, execFile, spawn, SpawnOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { InputError, LockedError } from "../errors";

/**
 * The oldest CLI slipway supports: v3.221.0 runs Node.js policy packs through the language host's RunPlugin, which
 * the standard `runtime: nodejs` pack in policies/ needs. The CLI slipway is tested on is the one the lab builds.
 */
export const MIN_PULUMI_VERSION = "3.221.0";

const INSTALL =
  `install the Pulumi CLI ${MIN_PULUMI_VERSION} or newer (pulumi/actions in GitHub Actions, or Pulumi's installer), ` +
  "put it on PATH, and install the program's plugins (`pulumi install`, or `pulumi plugin install resource kubernetes 4.25.0`)";

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir || ".", name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The installation root whose bin/ holds the CLI (what `PulumiCommand.get({ root })` takes): the first `pulumi` on
 * the PATH of `env`, else `$PULUMI_HOME` or `~/.pulumi` (where pulumi/actions and the installer put it); undefined
 * for a `pulumi` on PATH outside a bin/ directory (run by name), null when there is none.
 */
export function pulumiRoot(env: NodeJS.ProcessEnv = process.env): string | undefined | null {
  const found = onPath("pulumi", env);
  if (found) return path.basename(path.dirname(found)) === "bin" ? path.dirname(path.dirname(found)) : undefined;
  for (const root of [env.PULUMI_HOME, path.join(env.HOME || os.homedir(), ".pulumi")]) {
    if (root && fs.existsSync(path.join(root, "bin", "pulumi"))) return root;
  }
  return null;
}

/** The caller's CLI, refused (exit 1, naming what to install) when it is missing or older than slipway supports. */
export async function findPulumi(env: NodeJS.ProcessEnv = process.env, given?: string): Promise<PulumiCommand> {
  const root = given ?? pulumiRoot(env);
  if (root === null) throw new InputError(`no Pulumi CLI found on PATH or in ~/.pulumi/bin: ${INSTALL}`);
  const where = root ? `in ${root}/bin` : "on PATH";
  let cli: PulumiCommand;
  try {
    cli = await PulumiCommand.get({ ...(root ? { root } : {}), skipVersionCheck: true });
  } catch (err) {
    const said = (err as Error).message.split("\n")[0];
    throw new InputError(`the Pulumi CLI ${where} cannot be run (${said}): ${INSTALL}`);
  }
  if (cli.version === null || cli.version.compare(MIN_PULUMI_VERSION) < 0) {
    throw new InputError(`the Pulumi CLI ${where} is ${cli.version?.version ?? "of an unknown version"}: ${INSTALL}`);
  }
  return cli;
}

export interface CliRun {
  cwd: string;
  env: Record<string, string>;
  signal?: AbortSignal;
  /**
   * Write stdout and stderr to files in this directory instead of pipes: an update then never waits on the driver (a
   * driver frozen or killed mid-update cannot block it on a full pipe, nor end it with SIGPIPE).
   */
  outDir?: string;
}

/** What the CLI prints when another update holds the stack (the Automation API's ConcurrentUpdateError texts). */
const LOCKED = ["[409] Conflict: Another update is currently in progress.", "the stack is currently locked by"];

export function lockedError(stack: string): LockedError {
  return new LockedError(
    `stack ${stack} is locked by another Pulumi update; wait for it, or if no update runs, the next slipway promote clears the stale lock`,
  );
}

/**
 * Runs the CLI as the Automation API does (non-interactive, PULUMI_DEBUG_COMMANDS for the --event-log flag, SIGINT on
 * abort) and fails with its stderr; a stack locked by another update fails as ConcurrentUpdateError does.
 */
export function runCli(command: string, args: string[], run: CliRun): Promise<string> {
  const env = { ...run.env, PULUMI_DEBUG_COMMANDS: "true", PULUMI_AUTOMATION_API: "true" };
  const argv = [...args, "--non-interactive"];
  const { signal } = run;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, stdout: string, stderr: string) => {
      signal?.removeEventListener("abort", interrupt);
      if (!err) return resolve(stdout);
      if (LOCKED.some((text) => stderr.includes(text))) return reject(lockedError(args[args.indexOf("--stack") + 1]));
      reject(new Error(`${stderr}`.trim() || err.message));
    };
    const child =
      run.outDir === undefined
        ? execFile(command, argv, { cwd: run.cwd, env, maxBuffer: 256 << 20 }, (err, stdout, stderr) =>
            done(err, stdout, stderr),
          )
        : spawnToFiles(command, argv, { cwd: run.cwd, env }, run.outDir, done);
    const interrupt = () => child.kill("SIGINT");
    signal?.addEventListener("abort", interrupt, { once: true });
  });
}

/** Runs `command` with stdout and stderr in files of `dir`; `done` gets their text once it has exited. */
function spawnToFiles(
  command: string,
  argv: string[],
  opts: SpawnOptions,
  dir: string,
  done: (err: Error | null, stdout: string, stderr: string) => void,
): ChildProcess {
  const [out, err] = [path.join(dir, "stdout"), path.join(dir, "stderr")];
  const fds = [fs.openSync(out, "w"), fs.openSync(err, "w")];
  const child = spawn(command, argv, { ...opts, stdio: ["ignore", fds[0], fds[1]] });
  for (const fd of fds) fs.closeSync(fd);
  const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8") : "");
  child.once("error", (e) => done(e, read(out), read(err)));
  child.once("exit", (code, sig) =>
    done(code === 0 ? null : new Error(`${command} ${argv[0]} exited with ${code ?? sig}`), read(out), read(err)),
  );
  return child;
}
