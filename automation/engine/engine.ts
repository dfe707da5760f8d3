// The one module over @pulumi/pulumi/automation. A local program rooted at the repository (Pulumi.yaml there,
// stack files in stacks/), the policy pack on every preview and update, engine events mapped to the driver's types,
// and engine failures mapped to the error taxonomy. Stack settings never go through LocalWorkspace.stackSettings,
// which ignores stackConfigDir (ENGINE-NOTES §10): config is read and written through the CLI only.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LocalWorkspace, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import type { Engine, HistoryEntry, OpOptions, PreviewOptions, UpOptions, UpdateResult } from "../deps";
import { EngineError } from "../errors";
import { followEventLog } from "./eventLog";
import { PROGRAM_SERVER, Spares, withSpares } from "./spare";
import { isWrapperNotice, PACK_SPARE_SCRIPT, packFlags, wrapperEnv, wrapperUsable } from "./pack";
import { findPulumi, runCli } from "./pulumiCli";
import { mapError, summary } from "./outcome";
import { pendingCreates, waitForOrphanedUpdate } from "./recovery";
import { deleteObjects, refText } from "./orphans";
import { EngineEventLike, EventCollector } from "./events";
import { pulumiLocksDir } from "../state/backend";
import { RELEASE_ENV } from "../state/program";
import type { Release } from "../state/store";
import type { DriftResult, PreviewResult } from "../types";
import { environmentOfStack } from "../../contract/release";

export { mapError, pendingCreates };

export interface EngineSettings {
  /** Repository root: Pulumi.yaml, stacks/, policies/. */
  workDir: string;
  /** Environment for every CLI run (backend URL, passphrase, PULUMI_HOME, PATH). */
  env: Record<string, string>;
  /** Directory whose bin/ holds the pulumi CLI; undefined = the caller's (PATH, else ~/.pulumi/bin). */
  engineRoot?: string;
  progress(line: string): void;
  /** Print every advisory policy finding, not one line per policy per update (`--verbose`). */
  verbose?: boolean;
  /** false: the engine starts the program and the pack itself on every update (no spares; bench:engine's baseline). */
  spares?: boolean;
}

export async function createEngine(settings: EngineSettings): Promise<Engine> {
  const pulumiCommand = await findPulumi(settings.env, settings.engineRoot);
  const workspace = await LocalWorkspace.create({ workDir: settings.workDir, envVars: settings.env, pulumiCommand });
  return new AutomationEngine(workspace, settings);
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
    const pack = path.join(s.workDir, "policies");
    this.packs = new Spares([PACK_SPARE_SCRIPT, pack], pack, s.env);
  }

  /** Whether updates take spare processes: on unless switched off, the pack's only where its wrapper can run. */
  private get spares(): { program: boolean; pack: boolean } {
    const on = this.s.spares !== false;
    return { program: on, pack: on && wrapperUsable(this.s.env) };
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
    const events = new EventCollector(stack, (line) => this.s.progress(line), { verbose: this.s.verbose });
    this.s.progress(`${stack}: ${what} started`);
    try {
      return await op(st, events);
    } catch (err) {
      throw mapError(err, stack, events, signal);
    } finally {
      events.flushAdvisories();
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
    const wrapped = this.spares.pack;
    const args = [
      command,
      ...(command === "up" ? ["--yes", "--skip-preview"] : []),
      ...["--stack", stack, "--exec-kind", "auto.local", "--event-log", eventLog],
      ...packFlags(this.s.workDir, stack, wrapped),
      ...(opts.message ? ["--message", opts.message] : []),
      ...(opts.refresh ? ["--refresh"] : []),
      ...(opts.targets ?? []).flatMap((t) => ["--target", t]),
      ...(opts.targets && opts.targetDependents ? ["--target-dependents"] : []),
    ];
    const follower = followEventLog(
      eventLog,
      (e) => {
        const event = e as EngineEventLike;
        if (!isWrapperNotice(event.diagnosticEvent?.message)) ev.handle(event);
      },
      (err) =>
        this.s.progress(
          `${stack}: warning: an engine event could not be read (${err.message}); the report may miss it`,
        ),
    );
    const packEnv = wrapped ? wrapperEnv(this.s.workDir, this.s.env) : {};
    try {
      const spares = { programs: this.programs, packs: this.packs, use: this.spares, progress: this.s.progress };
      await withSpares(spares, releaseEnv(opts.release), (client, env) =>
        this.cli(
          [...args, ...client],
          opts.signal,
          { ...releaseEnv(opts.release), ...packEnv, ...env },
          command === "up" ? dir : undefined,
        ),
      );
    } finally {
      follower.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The workspace's CLI in the work dir (pulumiCli.ts); `outDir`: an update's output goes to files there. */
  private cli(
    args: string[],
    signal?: AbortSignal,
    extraEnv: Record<string, string> = {},
    outDir?: string,
  ): Promise<string> {
    const env = { ...this.s.env, ...extraEnv };
    return runCli(this.ws.pulumiCommand.command, args, { cwd: this.s.workDir, env, signal, outDir });
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

  private async waitForOrphanedUpdate(stack: string): Promise<void> {
    const dir = pulumiLocksDir(this.s.env.PULUMI_BACKEND_URL);
    if (dir === undefined) return;
    const project = (await this.ws.projectSettings()).name;
    await waitForOrphanedUpdate(dir, project, stack, this.s.progress);
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

function releaseEnv(release: Release | undefined): Record<string, string> {
  return release ? { [RELEASE_ENV]: JSON.stringify(release) } : {};
}
