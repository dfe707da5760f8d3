// What a killed driver leaves behind in Pulumi's own state, read for the recovery: the update it left running
// (Pulumi's lock files of a file backend name its pid and host) and the creates it left pending.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineError } from "../errors";
import { pidAlive } from "../state/store";
import { kubeObjectOf, KubeObjectRef } from "./orphans";

export interface PendingCreate {
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

/**
 * A driver killed with SIGKILL does not take its `pulumi up` child with it: that update keeps running, holding
 * Pulumi's lock, and would write the state after (and over) whatever the recovery does. On a file backend the lock
 * names the pid and host of the update, so the recovery waits for a live one to finish before clearing anything.
 */
export async function waitForOrphanedUpdate(
  locksDir: string,
  project: string,
  stack: string,
  progress: (line: string) => void,
  limitMs = 10 * 60_000,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  let told = false;
  for (;;) {
    const live = pulumiLocks(locksDir, project, stack).filter((l) => l.hostname === os.hostname() && pidAlive(l.pid));
    if (live.length === 0) return;
    if (Date.now() > deadline) {
      throw new EngineError(
        `${stack}: the update of pid ${live[0].pid} still runs after ${limitMs / 60_000} min; stop it (kill ${live[0].pid}), then rerun`,
      );
    }
    if (!told)
      progress(
        `${stack}: waiting for the update the killed driver left running (pid ${live.map((l) => l.pid).join(", ")}) to finish`,
      );
    told = true;
    await new Promise((r) => setTimeout(r, 500));
  }
}
