// The text of `slipway status --watch` and `slipway wait`: one block per poll (the promotion and its state, the step
// and when the next one is due, per service the stable and canary versions with ready pods, the last verdict of each
// gate, the lock holder), and the closing line with the outcome and its exit code. Every value from the journal, the
// lock or the cluster is escaped for the terminal.
import type { GateView, ServiceView, TrackView, WatchView } from "../commands/watchView";
import { humanDuration } from "./format";
import { terminalLine } from "./terminal";

const t = (s: unknown): string => terminalLine(String(s));

function headLine(v: WatchView): string {
  const p = v.promotion;
  if (p === undefined)
    return `${t(v.stack)}: no promotion in the journal${v.state === "STARTING" ? " (one is starting)" : ""}`;
  const what = `${t(p.action)} ${t(p.version)} (${t(p.promotionId)})`;
  const state =
    v.state === "ENDED"
      ? t(p.status)
      : v.state === "STARTING"
        ? `${t(p.status)}; a new promotion is starting`
        : v.state;
  return `${t(v.stack)}: ${what} ${state}, started ${t(p.startedAt)}${p.endedAt ? `, ended ${t(p.endedAt)}` : ""}`;
}

/** `now`: show how far off the next step is (a terminal redraws every poll; a log prints only what changed). */
function stepLine(v: WatchView, now?: number): string | undefined {
  if (v.step === undefined) return v.promotion && v.state !== "ENDED" ? "  step: not started yet" : undefined;
  const s = v.step;
  const next = v.nextStepAt
    ? `; next step due ${v.nextStepAt}${now !== undefined ? ` (in ${humanDuration(Math.max(0, Date.parse(v.nextStepAt) - now))})` : ""}`
    : "";
  const every = v.intervalMs !== undefined ? `, a step every ${humanDuration(v.intervalMs)}` : "";
  const phase = v.phase && v.phase !== "step" && v.state !== "ENDED" ? `; now: ${t(v.phase)}` : "";
  return `  step ${s.n} of ${s.of} at ${s.weight}%${every}${next}${phase}`;
}

function track(x: TrackView | undefined): string {
  return x === undefined ? "-" : `${t(x.version ?? "?")} ${x.ready}/${x.replicas} ready`;
}

function serviceLines(services: ServiceView[] | undefined, weight: number | undefined): string[] {
  if (services === undefined) return ["  pods: not read (no kubeconfig here)"];
  const rows = services.map((s) => [t(s.service), track(s.stable), track(s.canary), `${weight ?? 0}%`]);
  const all = [["SERVICE", "STABLE", "CANARY", "WEIGHT"], ...rows];
  const width = [0, 1, 2].map((c) => Math.max(...all.map((r) => r[c].length)));
  return all.map((r) => `  ${r.map((cell, c) => (c < 3 ? cell.padEnd(width[c]) : cell)).join("  ")}`);
}

/** "prometheus FAIL 0.07 against 0.05: error rate" */
export function gateText(g: GateView): string {
  const value = g.value !== undefined ? ` ${g.value}${g.threshold !== undefined ? ` against ${g.threshold}` : ""}` : "";
  return `${t(g.gate)} ${g.ok ? "pass" : "FAIL"}${value}: ${t(g.detail)} (${t(g.at)})`;
}

function lockLine(v: WatchView): string {
  const l = v.lock;
  return `  lock: ${l ? `${t(l.command)} ${t(l.promotionId)} pid ${l.pid} on ${t(l.host)} since ${t(l.startedAt)}` : "free"}`;
}

/** One block: what the watch shows at one poll. */
export function renderWatch(v: WatchView, now?: number): string {
  const weight = v.step?.weight ?? (v.state === "ENDED" ? undefined : 0);
  return (
    [
      headLine(v),
      stepLine(v, now),
      ...(v.promotion ? serviceLines(v.services, weight) : []),
      ...(v.gates.length > 0 ? ["  gates:", ...v.gates.map((g) => `    ${gateText(g)}`)] : []),
      lockLine(v),
    ]
      .filter((l): l is string => l !== undefined)
      .join("\n") + "\n"
  );
}

/** The closing line: the outcome and its exit code, or the timeout and its own code. */
export function renderWatchEnd(v: WatchView, code: number, timedOutAfterMs?: number): string {
  const p = v.promotion;
  const what = p ? `${t(p.action)} ${t(p.version)} (${t(p.promotionId)})` : "no promotion";
  if (timedOutAfterMs !== undefined)
    return `${t(v.stack)}: ${what} still ${v.state} after ${humanDuration(timedOutAfterMs)}: stopped waiting (exit ${code}, timed out)\n`;
  if (v.state === "INTERRUPTED")
    return `${t(v.stack)}: ${what} INTERRUPTED: its driver is gone; resume it with slipway promote --stack ${t(v.stack)} --version ${t(p!.version)} --resume, or roll back with slipway abort --stack ${t(v.stack)} (exit ${code})\n`;
  if (p === undefined) return `${t(v.stack)}: no promotion to wait for (exit ${code})\n`;
  if (v.state === "PAUSED") return `${t(v.stack)}: ${what} paused (exit ${code})\n`;
  return `${t(v.stack)}: ${what} ${t(p.status)} (exit ${code})\n`;
}
