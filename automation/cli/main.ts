// Real wiring of the CLI: the engine adapter, the backend's journal store, the analysis providers, the report
// renderers, the clock, SIGINT. Started by bin/slipway.js.
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { ENVIRONMENTS } from "../../contract/release";
import { catalogueNames } from "../../stacks/config";
import { createProviders } from "../analysis";
import { run } from "./entry";
import { Invocation, stacksOf } from "./argv";
import type { Clock, Deps, Renderers } from "../deps";
import { createEngine } from "../engine/engine";
import { EngineError } from "../errors";
import { ciRun, setOutput, summarySink } from "./github";
import { startDeployment } from "../release/deployments";
import { execFileSync } from "child_process";
import { stateStoreFor } from "../state/backend";
import { noStateError, stateLocation } from "../state/location";
import { renderDriftMarkdown, renderDriftText } from "../report/drift";
import { renderPreviewMarkdown, renderPreviewText } from "../report/preview";
import { renderSarif } from "../report/sarif";
import { clusterWeights } from "../engine/weights";
import { clusterDeployments } from "../engine/deployments";
import { hookRunner } from "../analysis/hook";
import { stackNotifier } from "../notify/send";

const REPO = path.resolve(__dirname, "..", "..");
const PROJECT = "slipway";

/**
 * Directory the engine runs the program in (Pulumi.yaml, stacks/, policies/): SLIPWAY_WORKDIR, else the repository.
 * The driver never writes stack files (the release lives in the backend's release record); a test points this at a
 * copy to play a fresh checkout.
 */
export function workDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.SLIPWAY_WORKDIR ? path.resolve(env.SLIPWAY_WORKDIR) : REPO;
  if (!fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
    throw new EngineError(
      `SLIPWAY_WORKDIR ${dir} has no Pulumi.yaml; point it at a copy of the project (Pulumi.yaml, stacks/, components/, policies/) or unset it`,
    );
  }
  return dir;
}

/** The services a stack file's catalogue names (`--services` is checked against them before anything runs). */
export function stackFileCatalogue(stack: string): string[] {
  const file = path.join(workDir(), "stacks", `Pulumi.${stack}.yaml`);
  let config: Record<string, unknown> = {};
  try {
    config = (parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> })?.config ?? {};
  } catch {
    // An unreadable stack file names the default catalogue here; the command's own read of it refuses it by name.
  }
  const raw = Object.fromEntries(
    Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  return catalogueNames(raw);
}

/** Stacks present: stacks/Pulumi.<stack>.yaml of the work dir. */
export function presentStacks(dir = path.join(workDir(), "stacks")): string[] {
  const found = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => !!s)
    : [];
  return found.length > 0 ? found.sort() : [...ENVIRONMENTS];
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new EngineError("interrupted"));
      const t = setTimeout(resolve, ms);
      signal?.addEventListener("abort", () => (clearTimeout(t), reject(new EngineError("interrupted"))), {
        once: true,
      });
    }),
};

/**
 * The engine's environment: the caller's, as it is (its Pulumi CLI on PATH, PULUMI_HOME and plugins, credentials,
 * backend, secrets provider, KUBECONFIG), and where slipway's state lives. A command that changes or reads a stack's
 * release needs a store (state/location.ts); `status` reports a stack without one as having no backend configured.
 */
export function backendEnv(
  stacks: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  required = true,
): { env: Record<string, string>; stateUrl?: string } {
  const { url } = stateLocation(env);
  if (required && url === undefined) throw noStateError(stacks);
  return { env: { ...(env as Record<string, string>) }, stateUrl: url };
}

const renderers: Renderers = {
  driftText: renderDriftText,
  driftMarkdown: renderDriftMarkdown,
  previewText: renderPreviewText,
  previewMarkdown: renderPreviewMarkdown,
  previewSarif: (results) => renderSarif(results),
};

/** One line of git's answer in the work dir; undefined outside a git work tree or for an unknown commit. */
function git(...args: string[]): string | undefined {
  try {
    return (
      execFileSync("git", args, { cwd: workDir(), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}

export async function main(argv: string[]): Promise<number> {
  const ctl = new AbortController();
  let interrupts = 0;
  process.on("SIGINT", () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(
      argv[0] === "wait" || argv[0] === "status"
        ? "slipway: interrupted; stopped watching (the promotion runs on)\n"
        : "slipway: interrupted; stopping the running update, then rolling the canary back, or holding it past an irreversible hook (Ctrl-C again to quit at once)\n",
    );
    ctl.abort(new Error("SIGINT"));
  });
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const makeDeps = async (inv: Invocation): Promise<Deps> => {
    const stacks = stacksOf(inv) ?? presentStacks();
    const { env, stateUrl } = backendEnv(stacks, process.env, argv[0] !== "status");
    const verbose =
      (inv.command === "up" || inv.command === "promote" || inv.command === "preview") && !!inv.args.verbose;
    const engine = await createEngine({ workDir: workDir(), env, progress, verbose });
    const ci = ciRun();
    return {
      engine,
      state: stateUrl
        ? stateStoreFor(stateUrl, PROJECT, os.hostname())
        : () => {
            throw noStateError(stacks);
          },
      providers: (specs) => createProviders(specs),
      weights: clusterWeights,
      deployments: clusterDeployments,
      tty: process.stdout.isTTY === true,
      hooks: hookRunner(),
      renderers,
      clock: realClock,
      progress,
      stdout: (t) => process.stdout.write(t),
      writeFile: (file, text) => fs.promises.writeFile(file, text),
      signal: ctl.signal,
      stacks: presentStacks(),
      kubeconfigPath: env.KUBECONFIG,
      backendUrl: stateUrl,
      newId: () => randomUUID().slice(0, 8),
      host: { pid: process.pid, hostname: os.hostname(), user: os.userInfo().username },
      ci,
      notify: stackNotifier(engine, progress, ci && `${ci.serverUrl}/${ci.repository}/actions/runs/${ci.runId}`),
      githubDeployment: ci && ((o) => startDeployment(ci, o, progress)),
      summary: summarySink(),
      output: (name, value) => setOutput(name, value),
      commit: git("rev-parse", "HEAD"),
      commitTime: async (sha) => (/^[0-9a-f]{7,64}$/.test(sha) ? git("show", "-s", "--format=%cI", sha) : undefined),
    };
  };
  return run(argv, presentStacks(), makeDeps, {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    outcome: (word) => {
      if (argv[0] === "promote") setOutput("outcome", word);
      if (argv[0] === "drift" && (word === "drift" || word === "ok")) setOutput("drifted", String(word === "drift"));
    },
    catalogue: stackFileCatalogue,
  });
}
