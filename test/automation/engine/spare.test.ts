// The spare program and policy pack processes an update is handed (engine/spare.ts): real processes on loopback.
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { PROGRAM_SERVER, Spares } from "../../../automation/engine/spare";
import { PACK_DIR_ENV, PACK_ENV, PACK_SPARE_SCRIPT, PACK_WRAPPER } from "../../../automation/engine/pack";
import { pidAlive } from "../../../automation/state/store";

const ROOT = path.resolve(__dirname, "../../..");
const LAUNCHER = path.join(PACK_WRAPPER, "bin", "pulumi-analyzer-policy-slipway-spare");
const PACK = path.join(ROOT, "policies");
const env = { ...(process.env as Record<string, string>) };

/** Resolves when the process has exited, or with "running" after `ms`. */
function exitWithin(child: ChildProcess, ms: number): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve("running"), ms);
    child.once("exit", (code, sig) => {
      clearTimeout(t);
      resolve(code ?? (sig as string));
    });
  });
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !pidAlive(pid);
}

/** The first line a process writes to stdout. */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
      out += d;
      if (out.includes("\n")) resolve(out.split("\n")[0]);
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before a line: ${out}`)));
  });
}

/** Connects to a control port and resolves with its first reply and the open socket. */
function claim(port: number): Promise<{ reply: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.setEncoding("utf8");
    socket.once("data", (d: string) => resolve({ reply: d.trim(), socket }));
    socket.once("error", reject);
  });
}

describe("spare program and policy pack processes", function () {
  this.timeout(60_000);

  it("a spare program process announces its LanguageRuntime port and exits when the driver is done without a Run", async () => {
    const spare = await new Spares([PROGRAM_SERVER, ROOT], ROOT, env).take();
    assert.ok(Number.isInteger(spare.ports.port) && spare.ports.port > 0, JSON.stringify(spare.ports));
    const accepted = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port: spare.ports.port }, () => (s.end(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    assert.ok(accepted, "the announced port takes no connection");
    const pid = spare.pid;
    void spare.finish(0);
    assert.ok(await waitGone(pid, 20_000), "the spare program process outlived the driver's finish()");
  });

  it("prewarm starts the next process at once and take hands out that one", async () => {
    const spares = new Spares([PROGRAM_SERVER, ROOT], ROOT, env);
    spares.prewarm();
    const first = await spares.take();
    const second = await spares.take();
    assert.notEqual(first.pid, second.pid, "take handed out the same process twice");
    void first.finish(0);
    void second.finish(0);
    assert.ok(await waitGone(first.pid, 20_000));
    assert.ok(await waitGone(second.pid, 20_000));
  });

  it("a process that fails before it announces rejects with the last line it wrote to stderr", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-spare-"));
    fs.writeFileSync(path.join(dir, "broken.js"), 'process.stderr.write("cannot load the pack\\n"); process.exit(3);');
    await assert.rejects(new Spares([path.join(dir, "broken.js")], dir, env).take(), (err: Error) => {
      assert.match(err.message, /broken\.js exited with 3 before it served: cannot load the pack/);
      return true;
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("spare policy pack processes", function () {
  this.timeout(60_000);
  describe("the policy pack", () => {
    it("the spare pack is claimed by one plugin, refuses a second, and exits when the claiming connection closes", async () => {
      const spare = await new Spares([PACK_SPARE_SCRIPT, PACK], PACK, env).take();
      assert.ok(spare.ports.analyzer > 0 && spare.ports.control > 0, JSON.stringify(spare.ports));
      const first = await claim(spare.ports.control);
      assert.equal(first.reply, "ok");
      const second = await claim(spare.ports.control).catch(() => ({ reply: "refused", socket: undefined }));
      assert.notEqual(second.reply, "ok", "a second plugin claimed the same spare pack");
      second.socket?.destroy();
      void spare.finish(0); // the driver is done: a claimed pack still serves its update
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(pidAlive(spare.pid), "the claimed pack exited while its plugin was still connected");
      first.socket.destroy();
      assert.ok(await waitGone(spare.pid, 10_000), "the pack outlived its plugin's connection");
    });

    it("an unclaimed spare pack exits when the driver closes stdin", async () => {
      const spare = await new Spares([PACK_SPARE_SCRIPT, PACK], PACK, env).take();
      void spare.finish(0);
      assert.ok(await waitGone(spare.pid, 10_000), "an unclaimed spare pack outlived the driver");
    });

    it("the pack's plugin hands the engine the spare's Analyzer port, and the spare ends when the engine kills the plugin", async () => {
      const spare = await new Spares([PACK_SPARE_SCRIPT, PACK], PACK, env).take();
      const plugin = spawn(LAUNCHER, ["127.0.0.1:1", "."], {
        cwd: PACK_WRAPPER,
        env: { ...env, [PACK_ENV]: `${spare.ports.analyzer}:${spare.ports.control}` },
      });
      assert.equal(await firstLine(plugin), String(spare.ports.analyzer));
      void spare.finish(0);
      plugin.kill("SIGKILL");
      assert.ok(await waitGone(spare.pid, 10_000), "the spare pack outlived the plugin the engine killed");
    });

    it("without a spare the plugin starts the pack itself and prints that pack's port", async () => {
      const plugin = spawn(LAUNCHER, ["127.0.0.1:1", "."], {
        cwd: PACK_WRAPPER,
        env: { ...env, [PACK_DIR_ENV]: PACK },
      });
      const port = Number(await firstLine(plugin));
      assert.ok(Number.isInteger(port) && port > 0, `printed ${port}`);
      plugin.kill("SIGKILL");
      assert.notEqual(await exitWithin(plugin, 10_000), "running");
    });
  });
});
