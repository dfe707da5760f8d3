// The schema of the driver's approval and change-freeze keys: `slipway:approval` and `slipway:freeze`.
import { z } from "zod";
import { refineFreeze } from "../../contract/freeze";
import { bool, int } from "./fields";

// Zone, rule and duration texts are checked with the libraries that evaluate them (automation/release/freeze.ts),
// loaded only when a stack declares a freeze, so the program's start pays nothing for stacks without one.
const validZone = (z: string) => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: z });
    return true;
  } catch {
    return false;
  }
};
const validRrule = (text: string) => {
  try {
    const { RRule } = require("rrule") as typeof import("rrule");
    const o = RRule.parseString(text);
    return o.freq !== undefined;
  } catch {
    return false;
  }
};
const validDuration = (text: string) => (require("luxon") as typeof import("luxon")).Duration.fromISO(text).isValid;
const validLocal = (text: string) =>
  (require("luxon") as typeof import("luxon")).DateTime.fromISO(text, { zone: "UTC" }).isValid &&
  !/[zZ]|[+-]\d\d:?\d\d$/.test(text);
const ZONE_FIX = "set an IANA time zone such as America/New_York or Europe/London";
const LOCAL_FIX =
  "set a local date or date-time without offset, e.g. 2026-12-24 or 2026-12-24T18:00 (read in timeZone)";
const zone = z.string({ error: ZONE_FIX }).refine(validZone, { error: ZONE_FIX });
const freezeWindowSchema = z
  .strictObject({
    name: z
      .string({ error: "name the window, e.g. month-end close" })
      .min(1, { error: "name the window, e.g. month-end close" }),
    timeZone: zone.optional(),
    rrule: z
      .string()
      .refine(validRrule, { error: "set an RRULE such as FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=18" })
      .optional(),
    duration: z.string().refine(validDuration, { error: "set an ISO 8601 duration such as PT6H30M or P3D" }).optional(),
    from: z.string().refine(validLocal, { error: LOCAL_FIX }).optional(),
    until: z.string().refine(validLocal, { error: LOCAL_FIX }).optional(),
  })
  .refine((w) => (w.rrule !== undefined) === (w.duration !== undefined), {
    error: "a recurring window needs both rrule and duration",
    path: ["duration"],
  })
  .refine((w) => (w.from !== undefined) === (w.until !== undefined), {
    error: "a one-off window needs both from and until",
    path: ["until"],
  })
  .refine((w) => (w.rrule !== undefined) !== (w.from !== undefined), {
    error: "set either rrule+duration (recurring) or from+until (one-off)",
    path: ["rrule"],
  })
  .refine((w) => w.from === undefined || w.until === undefined || w.from < w.until, {
    error: "set until after from",
    path: ["until"],
  });
export const freezeSchema = z
  .strictObject({
    timeZone: zone.optional(),
    windows: z.array(freezeWindowSchema, { error: "set a list of windows" }),
  })
  .superRefine(refineFreeze);
const approvalRule = {
  requiredReviewers: int(0, 6, "set an integer between 0 and 6 (GitHub allows up to 6 required reviewers)").optional(),
  fourEyes: bool.optional(),
  environment: z.string().min(1, { error: "set the GitHub environment name, e.g. prod" }).optional(),
};
export const approvalSchema = z.strictObject({
  ...approvalRule,
  /** What `slipway rollback` needs instead; each field defaults to the promotion's. */
  rollback: z.strictObject(approvalRule, { error: 'set a JSON object such as {"requiredReviewers":0}' }).optional(),
});
