// A runner set up the ordinary way for the workflows, with nothing of the lab but the binaries it stands in for: a
// fresh HOME, the Pulumi CLI and its Node.js language host in ~/.pulumi/bin (where pulumi/actions and the installer
// put them), the Kubernetes provider installed with `pulumi plugin install ... --file`, no slipway cache, the cluster
// reached only through its kubeconfig, and a fresh copy of the repository. Its environment is built from nothing:
// none of the developer's or CI's variables reach it.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { enginePaths, LOCAL_PASSPHRASE } from "../../tools/env";
import { COPIED, copyTree, REPO, STACK, World, writeStackFile } from "./harness";

export interface UserRunner extends World {
  home: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): string {
  const r = spawnSync(cmd, args, { env, cwd, encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** The runner's machine: HOME with ~/.pulumi/bin and the provider plugin; PATH = the CLI, Node.js and the system's. */
export function userRunner(namespace: string): UserRunner {
  const lab = enginePaths();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-user-home-"));
  const bin = path.join(home, ".pulumi", "bin");
  fs.mkdirSync(bin, { recursive: true });
  for (const name of ["pulumi", "pulumi-language-nodejs"]) {
    fs.copyFileSync(path.join(lab.binDir, name), path.join(bin, name));
    fs.chmodSync(path.join(bin, name), 0o755);
  }
  const base = {
    HOME: home,
    // The CLI finds its home from the account, not HOME: a runner's HOME is its account's, so this is the same place.
    PULUMI_HOME: path.join(home, ".pulumi"),
    PATH: [bin, path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(path.delimiter),
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  const version = JSON.parse(fs.readFileSync(path.join(REPO, "node_modules/@pulumi/kubernetes/package.json"), "utf8"));
  run(
    "pulumi",
    ["plugin", "install", "resource", "kubernetes", `v${version.version}`, "--file", lab.kubernetesProvider],
    base,
  );
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-user-checkout-"));
  for (const entry of COPIED) copyTree(path.join(REPO, entry), path.join(workDir, entry));
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(workDir, "node_modules"), "dir");
  writeStackFile(workDir, STACK, namespace);
  fs.mkdirSync(path.join(workDir, ".state"));
  const env = {
    ...base,
    KUBECONFIG: lab.kubeconfig,
    PULUMI_BACKEND_URL: `file://${path.join(workDir, ".state")}`,
    PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
  };
  return { home, workDir, env };
}

/** The plugins the runner's Pulumi has installed (`pulumi plugin ls --json`). */
export function installedPlugins(r: UserRunner): Array<{ name: string; version: string; kind: string }> {
  return JSON.parse(run("pulumi", ["plugin", "ls", "--json"], r.env));
}

/** A stock `pulumi` command of the runner, in `cwd`. */
export function pulumiOn(r: UserRunner, cwd: string, ...args: string[]): { code: number | null; out: string } {
  const p = spawnSync("pulumi", [...args, "--non-interactive"], {
    env: r.env,
    cwd,
    encoding: "utf8",
    timeout: 300_000,
  });
  return { code: p.status, out: `${p.stdout}\n${p.stderr}` };
}
