// The one module over @pulumi/pulumi/automation. A local program rooted at the repository (Pulumi.yaml there,
// stack files in stacks/), the policy pack on every preview and update, engine events mapped to the driver's types,
// and engine failures mapped to the error taxonomy. Stack settings never go through LocalWorkspace.stackSettings,
// which ignores stackConfigDir (ENGINE-NOTES §10): config is read and written through the CLI only.
import { ChildProcess, execFile, spawn, SpawnOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  CommandError,
  ConcurrentUpdateError,
  LocalWorkspace,
  PulumiCommand,
  Stack,
  StackNotFoundError,
} from "@pulumi/pulumi/automation";
import type { Engine, HistoryEntry, OpOptions, PreviewOptions, UpOptions, UpdateResult } from "../deps";
import { EngineError, LockedError, PolicyError, SlipwayError } from "../errors";
import { followEventLog } from "./eventLog";
import { PACK_ENV, PACK_SPARE, PROGRAM_SERVER, Spares } from "./spare";
import { deleteObjects, kubeObjectOf, KubeObjectRef, refText } from "./orphans";
import { EngineEventLike, EventCollector } from "./events";
import { pulumiLocksDir } from "../state/backend";
import { RELEASE_ENV } from "../state/program";
import { pidAlive, type Release } from "../state/store";
import type { DriftResult, PreviewResult } from "../types";
import { environmentOfStack } from "../../contract/release";

export interface EngineSettings {
  /** Repository root: Pulumi.yaml, stacks/, policies/. */
  workDir: string;
  /** Environment for every CLI run (backend URL, passphrase, PULUMI_HOME, PATH). */
  env: Record<string, string>;
  /** Directory whose bin/ holds the pulumi CLI; undefined = pulumi on PATH. */
  engineRoot?: string;
  progress(line: string): void;
  /** false: the engine starts the program and the pack itself on every update (no spares; bench:engine's baseline). */
  spares?: boolean;
}

export async function createEngine(settings: EngineSettings): Promise<Engine> {
  const root =
    settings.engineRoot && fs.existsSync(path.join(settings.engineRoot, "bin", "pulumi"))
      ? settings.engineRoot
      : undefined;
  const pulumiCommand = await PulumiCommand.get(root ? { root } : {});
  const workspace = await LocalWorkspace.create({ workDir: settings.workDir, envVars: settings.env, pulumiCommand });
  return new AutomationEngine(workspace, settings);
}

function policyOptions(workDir: string, stack: string): { policyPacks: string[]; policyPackConfigs?: string[] } {
  const pack = path.join(workDir, "policies");
  const config = path.join(pack, "config", `${stack.split("/").pop()}.json`);
  return fs.existsSync(config) ? { policyPacks: [pack], policyPackConfigs: [config] } : { policyPacks: [pack] };
}

class AutomationEngine implements Engine {
  private readonly stacks = new Map<string, Promise<Stack>>();
  private readonly programs: Spares;
  private readonly packs: Spares;
  constructor(
    private readonly ws: LocalWorkspace,
    private readonly s: EngineSettings,
  ) {
    this.programs = new Spares([PROGRAM_SERVER, s.workDir], s.workDir, s.env);
    this.packs = new Spares([path.join(s.workDir, PACK_SPARE)], path.join(s.workDir, "policies"), s.env);
  }

  private stack(name: string): Promise<Stack> {
    let st = this.stacks.get(name);
    if (st === undefined) {
      // The local stack lives in a per-machine file backend: it is created on first use, as a new user expects.
      const open =
        environmentOfStack(name) === "local" ? Stack.createOrSelect(name, this.ws) : Stack.select(name, this.ws);
      st = open.catch((err) => {
        this.stacks.delete(name);
        if (err instanceof StackNotFoundError) {
          throw new EngineError(
            `stack ${name} does not exist in ${this.s.env.PULUMI_BACKEND_URL ?? "the backend"}; create it with: pulumi stack init ${name}`,
            { stackMissing: true },
          );
        }
        throw mapError(err, name, undefined);
      });
      this.stacks.set(name, st);
    }
    return st;
  }

  private async run<T>(
    stack: string,
    what: string,
    op: (st: Stack, events: EventCollector) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const st = await this.stack(stack);
    const events = new EventCollector(stack, (line) => this.s.progress(line));
    this.s.progress(`${stack}: ${what} started`);
    try {
      return await op(st, events);
    } catch (err) {
      throw mapError(err, stack, events, signal);
    }
  }

  async preview(stack: string, opts: PreviewOptions = {}): Promise<PreviewResult> {
    const started = Date.now();
    return this.run(
      stack,
      "preview",
      async (st, ev) => {
        try {
          await this.runLogged(st.name, "preview", ev, opts);
        } catch (err) {
          // A mandatory violation fails the preview, but the PR report still needs every change and violation.
          if (!ev.violations().some((v) => v.level === "mandatory")) throw err;
        }
        return summary(stack, ev, started);
      },
      opts.signal,
    );
  }

  async up(stack: string, opts: UpOptions = {}): Promise<UpdateResult> {
    const started = Date.now();
    const what = opts.targets ? `update (targeted, ${opts.targets.length} resources)` : "update";
    return this.run(
      stack,
      what,
      async (st, ev) => {
        await this.runLogged(st.name, "up", ev, opts);
        const outputs = ev.stackOutputs() ?? (await this.outputs(stack));
        return { ...summary(stack, ev, started), outputs };
      },
      opts.signal,
    );
  }

  /**
   * `pulumi up` (or `preview`) with the flags Stack.up() passes, run by the workspace's CLI with an event log this
   * follows, and the program in a spare process (engine/spare.ts). Without what Stack.up() does after the update: it
   * reads the outputs twice (once decrypting every secret) and the update history, three more CLI runs (about 1 s)
   * on every canary step. The outputs come from the stack's own outputs event instead.
   */
  private async runLogged(
    stack: string,
    command: "up" | "preview",
    ev: EventCollector,
    opts: UpOptions,
  ): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-events-"));
    const eventLog = path.join(dir, "events.jsonl");
    const { policyPacks, policyPackConfigs = [] } = policyOptions(this.s.workDir, stack);
    const args = [
      command,
      ...(command === "up" ? ["--yes", "--skip-preview"] : []),
      "--stack",
      stack,
      "--exec-kind",
      "auto.local",
      "--event-log",
      eventLog,
      ...policyPacks.flatMap((p) => ["--policy-pack", p]),
      ...policyPackConfigs.flatMap((c) => ["--policy-pack-config", c]),
      ...(opts.message ? ["--message", opts.message] : []),
      ...(opts.refresh ? ["--refresh"] : []),
      ...(opts.targets ?? []).flatMap((t) => ["--target", t]),
    ];
    const follower = followEventLog(eventLog, (e) => ev.handle(e as EngineEventLike));
    try {
      await this.withSpares(opts.release, (client, env) =>
        this.cli(
          [...args, ...client],
          opts.signal,
          { ...releaseEnv(opts.release), ...env },
          command === "up" ? dir : undefined,
        ),
      );
    } finally {
      follower.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Runs a CLI command with spare processes (engine/spare.ts) as its program (`--client`) and its policy pack, then
   * starts the next update's. A spare that cannot start costs only speed: the engine then starts that process itself,
   * as for a plain `pulumi up`.
   */
  private async withSpares<T>(
    release: Release | undefined,
    run: (client: string[], env: Record<string, string>) => Promise<T>,
  ): Promise<T> {
    if (this.s.spares === false) return run([], {});
    const take = (spares: Spares, what: string) =>
      spares.take().catch((err: Error) => {
        this.s.progress(`${err.message}; the engine starts the ${what} instead`);
        return undefined;
      });
    const [program, pack] = await Promise.all([take(this.programs, "program"), take(this.packs, "policy pack")]);
    program?.start(releaseEnv(release));
    pack?.start({});
    try {
      return await run(
        program ? [`--client=127.0.0.1:${program.ports.port}`] : [],
        pack ? { [PACK_ENV]: `${pack.ports.analyzer}:${pack.ports.control}` } : {},
      );
    } catch (err) {
      const said = program?.stderr().trim();
      throw said ? new Error(`${(err as Error).message}\nthe program process said: ${said}`) : err;
    } finally {
      // Both exit as the update ends (the Run is over, the engine has killed the pack's plugin); waiting for that
      // keeps their CPU in this update's account and the next spares off the machine while they finish.
      await Promise.all([program?.finish(), pack?.finish()]);
      this.programs.prewarm();
      this.packs.prewarm();
    }
  }

  /**
   * Runs the CLI as the Automation API does (non-interactive, PULUMI_DEBUG_COMMANDS for the hidden --event-log flag,
   * SIGINT on abort) and fails with its stderr; a stack locked by another update fails as ConcurrentUpdateError does.
   * With `outDir` the CLI writes its stdout and stderr to files there instead of pipes: an update then never waits on
   * this process (a driver frozen or killed mid-update cannot block it on a full pipe, nor end it with SIGPIPE), and
   * the update runs to its end, which recovery expects.
   */
  private cli(
    args: string[],
    signal?: AbortSignal,
    extraEnv: Record<string, string> = {},
    outDir?: string,
  ): Promise<string> {
    const env = { ...this.s.env, ...extraEnv, PULUMI_DEBUG_COMMANDS: "true", PULUMI_AUTOMATION_API: "true" };
    const command = this.ws.pulumiCommand.command;
    const argv = [...args, "--non-interactive"];
    return new Promise((resolve, reject) => {
      const done = (err: Error | null, stdout: string, stderr: string) => {
        signal?.removeEventListener("abort", interrupt);
        if (!err) return resolve(stdout);
        if (LOCKED.some((text) => stderr.includes(text))) return reject(lockedError(args[args.indexOf("--stack") + 1]));
        reject(new Error(`${stderr}`.trim() || err.message));
      };
      const child =
        outDir === undefined
          ? execFile(command, argv, { cwd: this.s.workDir, env, maxBuffer: 256 << 20 }, (err, stdout, stderr) =>
              done(err, stdout, stderr),
            )
          : spawnToFiles(command, argv, { cwd: this.s.workDir, env }, outDir, done);
      const interrupt = () => child.kill("SIGINT");
      signal?.addEventListener("abort", interrupt, { once: true });
    });
  }

  async previewRefresh(stack: string, opts: OpOptions = {}): Promise<DriftResult> {
    const started = Date.now();
    return this.run(
      stack,
      "refresh preview",
      async (st, ev) => {
        await st.previewRefresh({ onEvent: ev.handle, signal: opts.signal });
        return { stack, drifted: ev.drift(), durationMs: Date.now() - started };
      },
      opts.signal,
    );
  }

  async getConfig(stack: string): Promise<Record<string, string>> {
    const all = await (await this.stack(stack)).getAllConfig();
    return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.value]));
  }

  /**
   * Non-secret outputs from one `pulumi stack output --json` (secrets come back masked and are left out). The
   * Automation API's outputs() runs the CLI twice, the second time with --show-secrets, which decrypts the state's
   * secrets for values this method drops: about 0.55 s per call saved.
   */
  async outputs(stack: string): Promise<Record<string, unknown>> {
    const st = await this.stack(stack);
    try {
      const stdout = await this.cli(["stack", "output", "--json", "--stack", st.name]);
      return Object.fromEntries(
        Object.entries(JSON.parse(stdout) as Record<string, unknown>).filter(([, v]) => v !== "[secret]"),
      );
    } catch (err) {
      throw mapError(err, stack, undefined);
    }
  }

  async cancel(stack: string): Promise<void> {
    const st = await this.stack(stack);
    await this.waitForOrphanedUpdate(stack);
    await st.cancel();
  }

  /**
   * A driver killed with SIGKILL does not take its `pulumi up` child with it: that update keeps running, holding
   * Pulumi's lock, and would write the state after (and over) whatever the recovery does. On a file backend the lock
   * names the pid and host of the update, so the recovery waits for a live one to finish before clearing anything.
   */
  private async waitForOrphanedUpdate(stack: string, limitMs = 10 * 60_000): Promise<void> {
    const dir = pulumiLocksDir(this.s.env.PULUMI_BACKEND_URL);
    if (dir === undefined) return;
    const project = (await this.ws.projectSettings()).name;
    const deadline = Date.now() + limitMs;
    let told = false;
    for (;;) {
      const live = pulumiLocks(dir, project, stack).filter((l) => l.hostname === os.hostname() && pidAlive(l.pid));
      if (live.length === 0) return;
      if (Date.now() > deadline) {
        throw new EngineError(
          `${stack}: the update of pid ${live[0].pid} still runs after ${limitMs / 60_000} min; stop it (kill ${live[0].pid}), then rerun`,
        );
      }
      if (!told)
        this.s.progress(
          `${stack}: waiting for the update the killed driver left running (pid ${live.map((l) => l.pid).join(", ")}) to finish`,
        );
      told = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  async settlePendingCreates(stack: string): Promise<string> {
    const st = await this.stack(stack);
    const pending = pendingCreates((await st.exportStack()).deployment);
    if (pending.length === 0) return "";
    let deleted;
    try {
      deleted = await deleteObjects(
        pending.flatMap((p) => (p.object ? [p.object] : [])),
        this.s.env.KUBECONFIG,
      );
    } catch (err) {
      throw new EngineError(
        `${stack}: deleting the objects a killed update left uncommitted failed (${(err as Error).message}); check KUBECONFIG and the cluster, then rerun`,
      );
    }
    try {
      await this.cli(["refresh", "--yes", "--skip-preview", "--clear-pending-creates", "--stack", st.name]);
    } catch (err) {
      throw mapError(err, stack, undefined);
    }
    const what =
      deleted.length > 0
        ? `deleted the ${deleted.length} objects it had created (${deleted.map(refText).join(", ")}) and `
        : "";
    return `the killed update left ${pending.length} pending creates: ${what}cleared them`;
  }

  async history(stack: string, limit?: number): Promise<HistoryEntry[]> {
    const h = await (await this.stack(stack)).history(limit);
    return h.map((u) => ({
      version: u.version,
      kind: u.kind,
      result: u.result,
      message: u.message,
      startTime: new Date(u.startTime).toISOString(),
      endTime: u.endTime ? new Date(u.endTime).toISOString() : undefined,
    }));
  }
}

/** What a preview or an update changed and what the policy pack said, from its events. */
function summary(stack: string, ev: EventCollector, started: number): PreviewResult {
  return {
    stack,
    changes: ev.changes(),
    counts: ev.counts(),
    violations: ev.violations(),
    durationMs: Date.now() - started,
  };
}

function releaseEnv(release: Release | undefined): Record<string, string> {
  return release ? { [RELEASE_ENV]: JSON.stringify(release) } : {};
}

interface PendingCreate {
  urn: string;
  object?: KubeObjectRef;
}

/** Pending creates of a deployment, with the Kubernetes object each names (when it is one). */
export function pendingCreates(deployment: unknown): PendingCreate[] {
  const ops =
    (
      deployment as
        | {
            pending_operations?: Array<{ type?: string; resource?: { urn?: string; type?: string; inputs?: unknown } }>;
          }
        | undefined
    )?.pending_operations ?? [];
  return ops
    .filter((o) => o.type === "creating" && o.resource?.urn)
    .map(({ resource: r }) => ({ urn: r!.urn as string, object: kubeObjectOf(r!.type ?? "", r!.inputs) }));
}

interface PulumiLock {
  pid: number;
  hostname: string;
}

/** Pulumi's own locks of a stack in a file backend: <backend>/.pulumi/locks/<org>/<project>/<stack>/<id>.json. */
function pulumiLocks(locksDir: string, project: string, stack: string): PulumiLock[] {
  const name = stack.split("/").pop() as string;
  const out: PulumiLock[] = [];
  const orgs = fs.existsSync(locksDir) ? fs.readdirSync(locksDir) : [];
  for (const org of orgs) {
    const dir = path.join(locksDir, org, project, name);
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
    for (const f of files) {
      try {
        const lock = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as PulumiLock;
        if (typeof lock.pid === "number") out.push(lock);
      } catch {
        // A lock removed or half-written while reading: the next poll sees the settled state.
      }
    }
  }
  return out;
}

/** What the CLI prints when another update holds the stack (the Automation API's ConcurrentUpdateError texts). */
const LOCKED = ["[409] Conflict: Another update is currently in progress.", "the stack is currently locked by"];

function lockedError(stack: string): LockedError {
  return new LockedError(
    `stack ${stack} is locked by another Pulumi update; wait for it, or if no update runs, the next slipway promote clears the stale lock`,
  );
}

/** Engine failures -> the taxonomy: locked (5), refused by policy (4), otherwise an engine error (1). */
export function mapError(err: unknown, stack: string, events: EventCollector | undefined, signal?: AbortSignal): Error {
  if (err instanceof SlipwayError) return err;
  if (signal?.aborted) return new EngineError(`${stack}: interrupted`, { interrupted: true });
  if (err instanceof ConcurrentUpdateError) return lockedError(stack);
  const mandatory = events?.violations().filter((v) => v.level === "mandatory") ?? [];
  if (mandatory.length > 0) {
    const v = mandatory[0];
    return new PolicyError(
      `${stack}: policy ${v.policyName} refused ${v.resourceName ?? v.urn ?? "the stack"}: ${v.message.split("\n")[0]}`,
      {
        violations: mandatory,
      },
    );
  }
  const cause = events?.firstError() ?? lastErrorLine(err);
  return new EngineError(`${stack}: ${cause}`);
}

function lastErrorLine(err: unknown): string {
  const text = err instanceof CommandError || err instanceof Error ? err.message : String(err);
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  return lines.find((l) => /^error:/i.test(l))?.replace(/^error:\s*/i, "") ?? lines[0] ?? "the engine failed";
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
