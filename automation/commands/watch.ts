// The live view of a promotion, for `slipway status --watch` and `slipway wait`: every poll (default 2 s) reads the
// journal and the lock from the store and lists the namespace's Deployments once, until the promotion ends or the
// timeout (default: the plan's total time plus 10 minutes) runs out. It never takes the lock and never writes.
import type { Deps } from "../deps";
import { EXIT } from "../errors";
import { readRelease } from "../state/release";
import type { StackState } from "../state/store";
import type { StackConfig } from "../../stacks/config";
import { isoDuration } from "../report/format";
import { renderWatch, renderWatchEnd } from "../report/watch";
import { terminalLine } from "../report/terminal";
import { durationArg, oneStack } from "./args";
import { JSON_OPTION, Opts, Outcome, Verb } from "./command";
import { defaultTimeoutMs, endCode, holderAlive, watchView, WatchView } from "./watchView";

/** The default poll: the journal, the lock and one Deployment list every 2 s. */
export const POLL_MS = 2_000;
export const POLL_BOUNDS = { min: 1_000, max: 3_600_000 } as const;
export const TIMEOUT_BOUNDS = { min: 1_000, max: 7 * 86_400_000 } as const;

export interface WatchArgs {
  stack: string;
  json: boolean;
  /** Between two polls; default POLL_MS. */
  intervalMs?: number;
  /** When to stop waiting; default the plan's total time plus 10 minutes. */
  timeoutMs?: number;
}

export interface WatchResult {
  stack: string;
  /** The promotion's exit code (0 completed, 3 rolled back or held, 1 failed or interrupted, 7 paused), or 8. */
  exitCode: number;
  timedOut: boolean;
  promotionId?: string;
  version?: string;
  /** The journal's end status of the promotion, once it ended. */
  status?: string;
  view: WatchView;
  polls: number;
  waitedMs: number;
  /** The same as ISO 8601, e.g. "PT12M30S". */
  waited: string;
  timeoutMs: number;
  /** The same bound as ISO 8601, e.g. "PT40M". */
  timeout: string;
}

/** One poll: the journal, the lock, one list of the namespace's Deployments (a failed list costs only the pods). */
async function look(d: Deps, stack: string, state: StackState, c: StackConfig): Promise<WatchView> {
  const [entries, lock] = await Promise.all([state.read(), state.holder()]);
  let deployments;
  try {
    deployments = await d.deployments?.({ namespace: c.namespace, kubeconfigPath: d.kubeconfigPath }, d.signal);
  } catch (err) {
    d.progress(`${stack}: pods not read: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
  return watchView({
    stack,
    entries,
    lock,
    alive: holderAlive(d, lock),
    deployments,
    intervalMs: c.canary.interval,
    bakeMs: c.canary.bake,
    services: c.release.canaryServices,
  });
}

/** Polls until the promotion ends or the timeout runs out; `show` sees every poll's view. Bounded by the timeout. */
export async function watchPromotion(
  d: Deps,
  a: WatchArgs,
  show: (v: WatchView, now: number) => void,
): Promise<WatchResult> {
  const state = d.state(a.stack);
  const config = (await readRelease(d.engine, state, a.stack)).config;
  const poll = a.intervalMs ?? POLL_MS;
  const started = d.clock.now();
  let timeoutMs = a.timeoutMs;
  let maxPolls = Infinity;
  for (let polls = 1; ; polls++) {
    const view = await look(d, a.stack, state, config);
    if (timeoutMs === undefined) timeoutMs = defaultTimeoutMs(view, config.canary.steps.length);
    if (maxPolls === Infinity) maxPolls = Math.ceil(timeoutMs / poll) + 1;
    show(view, d.clock.now());
    const code = endCode(view);
    const waitedMs = d.clock.now() - started;
    const timedOut = code === undefined && (waitedMs >= timeoutMs || polls >= maxPolls);
    if (code !== undefined || timedOut) {
      const p = view.promotion;
      return {
        stack: a.stack,
        exitCode: code ?? EXIT.timedOut,
        timedOut,
        promotionId: p?.promotionId,
        version: p?.version,
        status: view.state === "ENDED" ? p?.status : undefined,
        view,
        polls,
        waitedMs,
        waited: isoDuration(waitedMs),
        timeoutMs,
        timeout: isoDuration(timeoutMs),
      };
    }
    await d.clock.sleep(Math.max(1, Math.min(poll, timeoutMs - waitedMs)), d.signal);
  }
}

/** The outcome word of a watch's end (the `outcome` output of a GitHub Actions step). */
export function outcomeOf(r: WatchResult): Outcome {
  if (r.timedOut) return "timed-out";
  if (r.status === "held") return "held";
  if (r.exitCode === EXIT.rolledBack) return "rolled-back";
  if (r.exitCode === EXIT.paused) return "paused";
  return r.exitCode === EXIT.ok ? "ok" : "failed";
}

/** The command's result: the outcome line (stdout) with the watch's exit code. */
export function watchDone(r: WatchResult): { code: number; json: WatchResult; text: string; outcome: Outcome } {
  const text = renderWatchEnd(r.view, r.exitCode, r.timedOut ? r.waitedMs : undefined);
  return { code: r.exitCode, json: r, text, outcome: outcomeOf(r) };
}

/**
 * `status --watch`: on a terminal, clear and redraw every poll; elsewhere (a CI log), print a block only when what it
 * shows changed. With `--json` nothing until the end.
 */
export async function statusWatch(d: Deps, a: WatchArgs): Promise<WatchResult> {
  let last = "";
  return watchPromotion(d, a, (v, now) => {
    if (a.json) return;
    if (d.tty) return d.stdout(`\x1b[H\x1b[2J${renderWatch(v, now)}`);
    const block = renderWatch(v);
    if (block !== last) d.stdout(block);
    last = block;
  });
}

/** `wait`: a progress line on stderr whenever the promotion's state or step changes; the outcome on stdout. */
export function waitFor(d: Deps, a: WatchArgs): Promise<WatchResult> {
  let last = "";
  return watchPromotion(d, a, (v) => {
    const p = v.promotion;
    const step = v.step ? `, step ${v.step.n} of ${v.step.of} at ${v.step.weight}%` : "";
    const state = v.state === "ENDED" ? p?.status : v.state;
    const line = `${a.stack}: waiting: ${p ? `${p.action} ${p.version} (${p.promotionId})` : "no promotion"} ${state}${step}`;
    if (line !== last) d.progress(terminalLine(line));
    last = line;
  });
}

/** `--interval` and `--timeout` of a watch; undefined keeps the defaults. */
export function watchTimes(o: Opts): Pick<WatchArgs, "intervalMs" | "timeoutMs"> {
  const intervalMs = durationArg(o, "interval", "--interval", POLL_BOUNDS.min, POLL_BOUNDS.max);
  const timeoutMs = durationArg(o, "timeout", "--timeout", TIMEOUT_BOUNDS.min, TIMEOUT_BOUNDS.max);
  return { ...(intervalMs !== undefined ? { intervalMs } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
}

export const TIMEOUT_OPTION = {
  flags: "--timeout <duration>",
  help: `stop waiting after this long, 1s to 168h, exit ${EXIT.timedOut} (default: the plan's total time + 10m)`,
};
export const POLL_OPTION = { flags: "--interval <duration>", help: "between two looks, 1s to 1h (default: 2s)" };

export const waitVerb: Verb<WatchArgs> = {
  words: ["wait"],
  description: "wait for the stack's promotion to end; exit with its outcome's code",
  options: [{ flags: "--stack <name>", help: "stack whose promotion to wait for" }, TIMEOUT_OPTION, JSON_OPTION],
  parse: (o, stacks) => ({ stack: oneStack(o, stacks), json: o.json === true, ...watchTimes(o) }),
  async run(d, a) {
    return watchDone(await waitFor(d, a));
  },
};
