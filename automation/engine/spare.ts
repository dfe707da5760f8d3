// Spare program processes (engine/programServer.js): the stack program started before the update that runs it, and
// handed to the CLI with `--client`. After each update the next one's process starts, so during a promotion's interval
// and gates it loads the SDK, @pulumi/kubernetes and the components off the critical path of the next weight step or
// rollback. One process serves one update; a process never used is killed when the driver exits.
import { ChildProcess, spawn } from "child_process";
import type { Socket } from "net";
import * as path from "path";

const SERVER = path.join(__dirname, "programServer.js");

export interface ProgramProcess {
  /** Port of its LanguageRuntime server, for the CLI's `--client=127.0.0.1:<port>`. */
  port: number;
  /** Hands the process this update's variables (the release); the program waits for them. */
  start(vars: Record<string, string>): void;
  /** The update is over (or never started): the process exits once its Run has ended. */
  finish(): void;
  /** What the process wrote to stderr, for an update that failed. */
  stderr(): string;
}

export class SparePrograms {
  private next?: Promise<ProgramProcess>;
  constructor(
    private readonly root: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts the next update's process now, unless one is already starting or waiting. */
  prewarm(): void {
    if (this.next) return;
    const p = startProgram(this.root, this.env);
    p.catch(() => undefined); // a failed spare is reported when an update takes it
    this.next = p;
  }

  /** The process for this update: the waiting spare, else a new one. Rejects when it cannot start. */
  take(): Promise<ProgramProcess> {
    const p = this.next ?? startProgram(this.root, this.env);
    this.next = undefined;
    return p;
  }
}

const unused = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of unused) child.kill("SIGTERM");
});

function startProgram(root: string, env: Record<string, string>, limitMs = 60_000): Promise<ProgramProcess> {
  const child = spawn(process.execPath, [SERVER, root], { cwd: root, env, stdio: ["pipe", "pipe", "pipe"] });
  unused.add(child);
  let stderr = "";
  child.stdin!.on("error", () => undefined); // a process gone before the write: its update reports why
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => (stderr = (stderr + d).slice(-8192)));
  // The driver may exit while a spare waits: neither the process nor its pipes keep it alive.
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as Socket).unref();
  return new Promise((resolve, reject) => {
    let out = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      unused.delete(child);
      child.kill("SIGKILL");
      reject(new Error(`the program process ${why}${stderr.trim() ? `: ${stderr.trim().split("\n").pop()}` : ""}`));
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
      child.stdout!.removeAllListeners("data");
      child.stdout!.resume();
      child.on("error", () => undefined);
      resolve({
        port: Number(out.slice(0, nl)),
        start: (vars) => {
          unused.delete(child);
          child.stdin!.write(`${JSON.stringify(vars)}\n`);
        },
        finish: () => {
          unused.delete(child);
          child.stdin!.end();
        },
        stderr: () => stderr,
      });
    });
  });
}
