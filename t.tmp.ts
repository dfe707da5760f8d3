import { activeWindow, nextWindow } from "./automation/release/freeze";
const [tz, rule, dur, now] = process.argv.slice(2);
const w = { name: "w", timeZone: tz, rrule: rule, duration: dur };
let t = Date.now();
console.log(activeWindow([w], Date.parse(now)), Date.now() - t);
t = Date.now();
console.log(nextWindow([w], Date.parse(now)), Date.now() - t);
