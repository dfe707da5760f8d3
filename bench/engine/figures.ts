// The engine bench's figures: per figure its median, the ratio against the floor (kubectl patch) and against a plain
// update of the same run (a no-op, program and pack started by the engine: spares off), its CPU time and its runs;
// then the ratios between figures, where a step's time goes, and whether each target is met (the rollback of a
// finished release against one targeted step plus the pods' readiness measured beside it).
import { cpuOf, fmt, median } from "./measure";

/** Every figure of one run of the bench: the wall times of its runs (CPU times in cpuOf where recorded). */
export interface Figures {
  targeted: number[];
  full: number[];
  toZero: number[];
  complete: number[];
  switchBack: number[];
  noops: number[];
  unsparedNoops: number[];
  bare: number[];
  cold: number[];
  previews: number[];
  unsparedPreviews: number[];
  drifts: number[];
  cliStart: number[];
  patch: number[];
  /** The rollback of a finished release, when measured (each of the three, or none). */
  finished?: FinishedFigures;
  /** Resources the last drift detection found drifted. */
  drifted: number;
}

/** Rollback of a finished release (slipway rollback), against the manual way on the same Deployments. */
export interface FinishedFigures {
  /** Until every stable Deployment names the old version's image. */
  applied: number[];
  /** Until every stable Deployment has rolled the old version out. */
  serving: number[];
  /** kubectl set image of the same Deployments until rolled out: the pods' readiness on this cluster, and a kubectl. */
  rollout: number[];
}

/** What the header names: the stack's size, the runs per figure, the machine's load. */
export interface Setting {
  services: number;
  runs: number;
  load: string;
  cores: number;
}

/** The target of the figures held to one: the median at most this many milliseconds. */
export const TARGET_MS = 2500;
const TARGETED: ReadonlyArray<[string, keyof Figures]> = [
  ["weight step, targeted update", "targeted"],
  ["rollback -> weight 0 in the cluster", "toZero"],
  ["preview", "previews"],
];

const m = (xs: number[]) => median(xs);
/**
 * The pods' readiness on this cluster: the manual rollback's figure less the kubectl patch floor, i.e. less one kubectl
 * start and its request, which the engine's own figures already carry (its CLI start), so the target does not count a
 * client twice. What remains is the Deployment controller and the pods of the old version becoming ready, the wait
 * any way of changing the image has after it.
 */
const readiness = (f: Figures, x: FinishedFigures) => m(x.rollout) - m(f.patch);
/** A rollback of a finished release is fast: old version serving within one targeted step plus the readiness. */
const servingTarget = (f: Figures, x: FinishedFigures) => m(f.targeted) + readiness(f, x);
const FINISHED = "rollback of a finished release -> old version serving";
const cpu = (xs: number[]) => m(cpuOf.get(xs) ?? [NaN]);
const met = (ok: boolean) => (ok ? "met" : "NOT met");
/** The ratio against the plain update of the run, the figure every line carries beside it. */
const plain = (f: Figures, wall: number) => `${(wall / m(f.unsparedNoops)).toFixed(2).padStart(5)}x plain update`;

function row(f: Figures, name: string, width: number, xs: number[], target?: number): string {
  return (
    `  ${name.padEnd(width)} ${fmt(m(xs)).padStart(8)}  ${(m(xs) / m(f.patch)).toFixed(1).padStart(5)}x kubectl` +
    `  ${plain(f, m(xs))}` +
    `  cpu ${cpuOf.has(xs) ? fmt(cpu(xs)).padStart(8) : "       -"}` +
    `${target === undefined ? "" : `  target <= ${fmt(target)}: ${met(m(xs) <= target)}`}  [${xs.map(fmt).join(", ")}]`
  );
}

function part(f: Figures, name: string, wall: number, c: number, how: string): string {
  return `    ${name.padEnd(54)} ${fmt(wall).padStart(8)} / ${fmt(c).padStart(8)}  ${plain(f, wall)}${how ? `  (${how})` : ""}`;
}

type Named = Array<[string, number[], number?]>;

function finishedRows(f: Figures): Named {
  const x = f.finished;
  if (x === undefined) return [];
  return [
    ["rollback of a finished release -> old version applied", x.applied],
    [`${FINISHED} (rollout complete)`, x.serving, servingTarget(f, x)],
    ["kubectl set image + rollout (readiness floor)", x.rollout],
  ];
}

function rows(f: Figures): string[] {
  const t = TARGET_MS;
  const named: Named = [
    ["weight step, targeted update", f.targeted, t],
    ["weight step, full update", f.full],
    ["rollback -> weight 0 in the cluster", f.toZero, t],
    ["rollback complete (canary at zero replicas)", f.complete],
    ["switch back in the bake window -> old version at 100%", f.switchBack],
    ["no-op update", f.noops],
    ["no-op update, program and pack started by the engine", f.unsparedNoops],
    ["no-op update without the policy pack", f.bare],
    ["no-op update without the compile and transpile caches", f.cold],
    ["preview", f.previews, t],
    ["preview, program and pack started by the engine", f.unsparedPreviews],
    [`drift detection (previewRefresh, ${f.drifted} drifted)`, f.drifts],
    ...finishedRows(f),
    ["kubectl patch (floor)", f.patch],
  ];
  const width = Math.max(...named.map(([name]) => name.length));
  return named.map(([name, xs, target]) => row(f, name, width, xs, target));
}

function ratios(f: Figures): string[] {
  const r = (a: number[], b: number[]) => (m(a) / m(b)).toFixed(2);
  const c = (a: number[], b: number[]) => (cpu(a) / cpu(b)).toFixed(2);
  return [
    `  ratios: targeted/full ${r(f.targeted, f.full)}, spares on/off: no-op ${r(f.noops, f.unsparedNoops)}, ` +
      `preview ${r(f.previews, f.unsparedPreviews)}, no-op with/without the pack ${r(f.noops, f.bare)}, ` +
      `start-up caches on/off ${r(f.noops, f.cold)}, rollback to weight 0/targeted step ${r(f.toZero, f.targeted)}, ` +
      `switch back/rollback complete ${r(f.switchBack, f.complete)} (target <= 0.50: ${met(m(f.switchBack) / m(f.complete) <= 0.5)})` +
      (f.finished
        ? `, finished release rollback serving/kubectl rollout ${r(f.finished.serving, f.finished.rollout)}`
        : ""),
    `  CPU ratios: targeted/full ${c(f.targeted, f.full)}, spares on/off (no-op) ${c(f.noops, f.unsparedNoops)}, no-op with/without the pack ${c(f.noops, f.bare)}, ` +
      `start-up caches on/off ${c(f.noops, f.cold)}, rollback complete/targeted step ${c(f.complete, f.targeted)}`,
  ];
}

/** The difference of two figures, wall and CPU, as a part of the time. */
function diff(f: Figures, name: string, a: number[], b: number[], how: string): string {
  return part(f, name, m(a) - m(b), cpu(a) - cpu(b), how);
}

function breakdown(f: Figures): string[] {
  return [
    "  where a targeted step's time goes (medians of this run, wall / CPU):",
    part(f, "CLI start and state read (pulumi stack output)", m(f.cliStart), cpu(f.cliStart), ""),
    diff(
      f,
      "program evaluation, pack calls, provider start, step generation",
      f.noops,
      f.cliStart,
      "no-op - CLI; the program and the pack started before the update",
    ),
    diff(f, "provider updates and awaits of the step", f.targeted, f.noops, "targeted step - no-op"),
    "  what the spares take off the critical path (program and pack started by the engine, no spares):",
    diff(
      f,
      "program start and evaluation, provider start, step generation",
      f.bare,
      f.cliStart,
      "no-op without the pack - CLI",
    ),
    diff(f, "policy pack start and its calls", f.unsparedNoops, f.bare, "no-op without spares - without the pack"),
    diff(f, "saved by the spares per update", f.unsparedNoops, f.noops, "no-op without - with spares"),
  ];
}

/** A line per target: the figure, whether its median is within the target, the median and its plain-update ratio. */
export function targetLines(f: Figures): string[] {
  const fixed = TARGETED.map(([name, key]) => {
    const xs = f[key] as number[];
    return `  ${name}: target <= ${TARGET_MS / 1000} s: ${met(m(xs) <= TARGET_MS)} (median ${fmt(m(xs))}, ${plain(f, m(xs)).trim()})`;
  });
  const x = f.finished;
  if (x === undefined) return fixed;
  const serving = m(x.serving);
  return [
    ...fixed,
    `  ${FINISHED}: target <= targeted step + readiness (${fmt(m(f.targeted))} + ${fmt(readiness(f, x))} = ` +
      `${fmt(servingTarget(f, x))}; readiness = kubectl set image + rollout - kubectl patch floor): ` +
      `${met(serving <= servingTarget(f, x))} (median ${fmt(serving)}, ${plain(f, serving).trim()})`,
  ];
}

/** The whole report of one run, a line per entry. */
export function report(f: Figures, s: Setting): string[] {
  return [
    `engine bench: local stack (${s.services} services), kwok cluster, policy pack on every update; median of ${s.runs}, load average ${s.load} (${s.cores} cores)`,
    ...rows(f),
    ...ratios(f),
    ...breakdown(f),
    ...targetLines(f),
  ];
}
