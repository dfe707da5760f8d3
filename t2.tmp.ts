import { RRule } from "rrule";
const mins = Array.from({ length: 60 }, (_, i) => i);
for (const o of [
  { freq: RRule.HOURLY, byweekday: [RRule.SU], byhour: [3], byminute: mins, bysecond: [0] },
  { freq: RRule.HOURLY, byweekday: [RRule.SU], byhour: [3], bysecond: [0] },
  { freq: RRule.HOURLY, byweekday: [RRule.SU], byhour: [3], byminute:[0], bysecond: [0] },
  { freq: RRule.MINUTELY, byhour: [3], bysecond: [0] },
  { freq: RRule.MINUTELY, byweekday: [RRule.SU], bysecond: [0] },
  { freq: RRule.MINUTELY, byweekday: [RRule.SU], byhour: [3] },
]) {
  const r = new RRule({ ...o, dtstart: new Date("2026-06-08T09:59:00Z") });
  let t = Date.now();
  const f: Date[] = [];
  r.between(new Date("2026-06-08T10:00:00Z"), new Date("2026-06-15T14:00:00Z"), true, (d) => f.push(d) < 5000);
  console.log(f.length, f[0], f.at(-1), Date.now() - t);
}
