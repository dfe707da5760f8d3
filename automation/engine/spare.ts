// Spare processes for the engine's two Node processes of an update, started before the update that uses them:
// the stack program (engine/programServer.js, handed to the CLI with `--client`) and the policy pack
// (policies/spare.js, reached through the pack's plugin policies/bin/pulumi-analyzer-policy-slipway). After each
// update the next one's start, so during a promotion's interval and gates they load the SDK, @pulumi/kubernetes, the
// components and the policies off the critical path of the next weight step or rollback.
//
// Each process serves one update, so no module state carries over, and is a process of its own, as the engine's
// would be: a driver frozen or killed mid-update leaves them serving until the update ends. A spare never used is
// killed when the driver exits.
import { ChildProcess, spawn } from "child_process";
import type { Socket } from "net";
import * as path from "path";

export const PROGRAM_SERVER = path.join(__dirname, "programServer.js");
/** The policy pack's spare, relative to the repository root. */
export const PACK_SPARE = path.join("policies", "spare.js");
/** The variable naming the spare pack to the pack's plugin: `<analyzer port>:<control port>`. */
export const PACK_ENV = "SLIPWAY_POLICY_PACK";

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
