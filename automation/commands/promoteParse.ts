// The options of `slipway promote`, checked before anything runs: every refusal names the option and the fix.
import { InputError } from "../errors";
import { checkDigest } from "../release/planDigest";
import { breakGlassArgs, canaryStepsArg, durationArg, freeText, oneStack, servicesArg, text, versionArg } from "./args";
import { verboseArg, type CatalogueOf, type Opts } from "./command";

export interface PromoteArgs {
  stack: string;
  /** "" with --continue and no --version: the paused promotion's. */
  version: string;
  approvedBy?: string;
  steps?: number[];
  /** Indices of the steps after which to pause for a person (`--steps 10,pause,100`). */
  pauseAfter?: number[];
  intervalMs?: number;
  skipCanary: boolean;
  /** Override a change freeze; needs `reason`. */
  breakGlass: boolean;
  reason?: string;
  dryRun: boolean;
  resume: boolean;
  /** Continue the stack's paused promotion (`--continue`). */
  continue?: boolean;
  /** --dry-run: write the plan and its digest here. */
  planOut?: string;
  /** Apply only when the recomputed plan has this SHA-256; --plan-file names what differs, --plan-url is recorded. */
  planDigest?: string;
  planFile?: string;
  planUrl?: string;
  services?: string[];
  json: boolean;
  /** Every advisory policy finding in the progress, not one line per policy. */
  verbose?: boolean;
}

/** The wait between a step and its analysis: at least a second, at most a day (Node's timers stop at 24.8 days). */
export const INTERVAL_MS = { min: 1_000, max: 86_400_000 } as const;

/** --continue takes the paused promotion as it is: what would change it is refused. */
function checkContinue(o: Opts): void {
  const clash = (
    [
      ["steps", "--steps"],
      ["services", "--services"],
      ["skipCanary", "--skip-canary"],
      ["resume", "--resume"],
      ["dryRun", "--dry-run"],
      ["interval", "--interval"],
      ["planDigest", "--plan-digest"],
      ["planOut", "--plan-out"],
    ] as const
  ).find(([key]) => o[key] !== undefined && o[key] !== false);
  if (clash)
    throw new InputError(
      `--continue goes on with the paused promotion as planned: drop ${clash[1]}, or drop --continue`,
    );
}

/** --plan-out (with --dry-run), --plan-digest, --plan-file and --plan-url (without it). */
function planArgs(o: Opts, dryRun: boolean): Pick<PromoteArgs, "planOut" | "planDigest" | "planFile" | "planUrl"> {
  const planOut = text(o, "planOut", "--plan-out");
  const planDigest = text(o, "planDigest", "--plan-digest");
  const planFile = text(o, "planFile", "--plan-file");
  const planUrl = text(o, "planUrl", "--plan-url");
  if (planOut !== undefined && !dryRun)
    throw new InputError("--plan-out writes the plan of a dry run: add --dry-run, or drop --plan-out");
  if (dryRun && (planDigest ?? planFile ?? planUrl) !== undefined)
    throw new InputError("--plan-digest, --plan-file and --plan-url check an apply: drop them with --dry-run");
  if (planDigest === undefined && (planFile ?? planUrl) !== undefined)
    throw new InputError("--plan-file and --plan-url go with --plan-digest <sha256>: add it, or drop them");
  const fix = planDigest === undefined ? undefined : checkDigest(planDigest);
  if (fix) throw new InputError(`--plan-digest ${JSON.stringify(planDigest)}: ${fix}`);
  if (planUrl !== undefined && !/^https?:\/\/[^\s@]+$/.test(planUrl))
    throw new InputError(
      `--plan-url ${JSON.stringify(planUrl)}: give the http(s) link of the reviewed plan, without credentials`,
    );
  return { planOut, planDigest, planFile, planUrl };
}

export function parsePromote(o: Opts, stacks: readonly string[], catalogue?: CatalogueOf): PromoteArgs {
  const stack = oneStack(o, stacks);
  const cont = o.continue === true;
  if (cont) checkContinue(o);
  const version = cont && o.version === undefined ? "" : versionArg(o);
  const approvedBy = freeText(o, "approvedBy", "--approved-by");
  const skipCanary = o.skipCanary === true;
  const { breakGlass, reason } = breakGlassArgs(o, skipCanary);
  if (skipCanary && reason === undefined)
    throw new InputError('--skip-canary needs --reason: say why, e.g. --reason "CVE-2026-1234 hotfix"');
  const canary = canaryStepsArg(o);
  const intervalMs = durationArg(o, "interval", "--interval", INTERVAL_MS.min, INTERVAL_MS.max);
  if (skipCanary && (canary !== undefined || intervalMs !== undefined))
    throw new InputError("--skip-canary runs no canary steps: drop --steps and --interval, or drop --skip-canary");
  const resume = o.resume === true;
  const dryRun = o.dryRun === true;
  if (resume && dryRun) throw new InputError("--resume changes the stack: drop --dry-run, or drop --resume");
  if (resume && skipCanary)
    throw new InputError("--resume continues canary steps: drop --skip-canary, or drop --resume");
  const services = servicesArg(o, catalogue?.(stack));
  const json = o.json === true;
  const plan = Object.entries(planArgs(o, dryRun)).filter(([, v]) => v !== undefined);
  return {
    ...{ stack, version, approvedBy, steps: canary?.steps, intervalMs, skipCanary },
    ...{ breakGlass, reason, dryRun, resume, services, json },
    // Only what was given: the argument record stays as small as the command line.
    ...(canary?.pauseAfter.length ? { pauseAfter: canary.pauseAfter } : {}),
    ...(cont ? { continue: true } : {}),
    ...verboseArg(o),
    ...Object.fromEntries(plan),
  };
}
