// Spare processes for the engine's two Node processes of an update, started before the update that uses them:
// the stack program (engine/programServer.js, handed to the CLI with `--client`) and the policy pack
// (engine/pack/spare.js, reached through the plugin of the driver's private pack wrapper, engine/pack.ts). After each
// update the next one's start, so during a promotion's interval and gates they load the SDK, @pulumi/kubernetes, the
// components and the policies off the critical path of the next weight step or rollback.
//
// Each process serves one update, so no module state carries over, and is a process of its own, as the engine's
// would be: a driver frozen or killed mid-update leaves them serving until the update ends. A spare never used is
// killed when the driver exits.
import { ChildProcess, spawn } from "child_process";
import type { Socket } from "net";
import * as path from "path";
import { PACK_ENV } from "./pack";

export const PROGRAM_SERVER = path.join(__dirname, "programServer.js");

export interface SpareProcess {
  pid: number;
  /** What it announced on its first line of stdout: its ports. */
  ports: Record<string, number>;
  /** Hands the process this update's variables (the program waits for them). */
  start(vars: Record<string, string>): void;
  /** The update is over (or never started): resolves once the process has exited, or after `waitMs`. */
  finish(waitMs?: number): Promise<void>;
  /** What the process wrote to stderr, for an update that failed. */
  stderr(): string;
}

export class Spares {
  private next?: Promise<SpareProcess>;
  constructor(
    private readonly argv: string[],
    private readonly cwd: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts the next update's process now, unless one is already starting or waiting. */
  prewarm(): void {
    if (this.next) return;
    const p = startSpare(this.argv, this.cwd, this.env);
    p.catch(() => undefined); // a failed spare is reported when an update takes it
    this.next = p;
  }

  /** The process for this update: the waiting spare, else a new one. Rejects when it cannot start. */
  take(): Promise<SpareProcess> {
    const p = this.next ?? startSpare(this.argv, this.cwd, this.env);
    this.next = undefined;
    // A spare's pipes do not keep the driver alive; an update waiting for one does.
    const waiting = setInterval(() => undefined, 1 << 30);
    return p.finally(() => clearInterval(waiting));
  }
}

const unused = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of unused) child.kill("SIGTERM");
});

/** Resolves when the process has exited, or after `ms` (a spare still serving a Run it was handed). */
function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms); // kept referenced: the driver goes on after this
    child.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
  });
}

function startSpare(argv: string[], cwd: string, env: Record<string, string>, limitMs = 60_000): Promise<SpareProcess> {
  const child = spawn(process.execPath, argv, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  unused.add(child);
  let stderr = "";
  child.stdin!.on("error", () => undefined); // a process gone before the write: its update reports why
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => (stderr = (stderr + d).slice(-8192)));
  // The driver may exit while a spare waits: neither the process nor its pipes keep it alive.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as Socket).unref();
  const name = path.basename(argv[0]);
  return new Promise((resolve, reject) => {
    let out = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      unused.delete(child);
      child.kill("SIGKILL");
      reject(new Error(`${name} ${why}${stderr.trim() ? `: ${stderr.trim().split("\n").pop()}` : ""}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${limitMs / 1000} s`), limitMs);
    timer.unref();
    child.once("error", (e) => fail(`failed to start (${e.message})`));
    child.once("exit", (code, sig) => fail(`exited with ${code ?? sig} before it served`));
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      child.removeAllListeners("error");
      child.on("error", () => undefined);
      child.stdout!.removeAllListeners("data");
      child.stdout!.resume();
      let ports: Record<string, number>;
      try {
        ports = JSON.parse(out.slice(0, nl)) as Record<string, number>;
      } catch {
        return fail(`announced ${JSON.stringify(out.slice(0, nl))} instead of its ports`);
      }
      resolve({
        pid: child.pid as number,
        ports,
        start: (vars) => {
          unused.delete(child);
          child.stdin!.write(`${JSON.stringify(vars)}\n`);
        },
        finish: (waitMs = 2000) => {
          unused.delete(child);
          child.stdin!.end();
          return exited(child, waitMs);
        },
        stderr: () => stderr,
      });
    });
  });
}

/** The spares of an engine: which ones its updates take, and where a spare that cannot start is reported. */
export interface SpareSet {
  programs: Spares;
  packs: Spares;
  use: { program: boolean; pack: boolean };
  progress(line: string): void;
}

/**
 * Runs a CLI command with spare processes as its program (`--client`) and its policy pack, then starts the next
 * update's. A spare that cannot start costs only speed: the engine then starts that process itself, as for a plain
 * `pulumi up`. `vars` are the update's variables for the program (its release).
 */
export async function withSpares<T>(
  set: SpareSet,
  vars: Record<string, string>,
  run: (client: string[], env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const { use } = set;
  if (!use.program && !use.pack) return run([], {});
  const take = (spares: Spares, what: string) =>
    spares.take().catch((err: Error) => {
      set.progress(`${err.message}; the engine starts the ${what} instead`);
      return undefined;
    });
  const [program, pack] = await Promise.all([
    use.program ? take(set.programs, "program") : undefined,
    use.pack ? take(set.packs, "policy pack") : undefined,
  ]);
  program?.start(vars);
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
    // Both exit as the update ends (the Run is over, the engine has killed the pack's plugin); waiting for that keeps
    // their CPU in this update's account and the next spares off the machine while they finish.
    await Promise.all([program?.finish(), pack?.finish()]);
    if (use.program) set.programs.prewarm();
    if (use.pack) set.packs.prewarm();
  }
}
