// Hostile command lines: each is refused with exit 1 and a message naming the argument and the fix, before any engine
// or state call; with --json the refusal is also a JSON error document on stdout, without it stdout stays empty.
import { strict as assert } from "assert";
import { run } from "../../../automation/cli/entry";
import { baseConfig, FakeEngine, harness } from "../fakes";

const STACKS = ["dev", "staging", "prod", "local"];
const P = ["promote", "--stack", "dev", "--version", "1.4.0"];
const SKIP = [...P, "--skip-canary"];
const EXPORT = ["audit", "export", "--stack", "prod", "--format", "md", "--out", "e.md"];
const H = ["history", "--stack", "dev"];

type Row = [what: string, argv: string[], message: RegExp];

const NUMBERS: Row[] = [
  ["a hex limit", [...H, "--limit", "0x10"], /--limit "0x10" is not allowed: .*plain decimal/],
  ["a binary limit", [...H, "--limit", "0b1"], /--limit "0b1" is not allowed/],
  ["an octal limit", [...H, "--limit", "0o17"], /--limit "0o17" is not allowed/],
  ["a zero-padded limit", [...H, "--limit", "017"], /--limit "017" is not allowed: .*leading zeros/],
  ["an exponent limit", [...H, "--limit", "1e2"], /--limit "1e2" is not allowed: .*exponent/],
  ["a signed limit", [...H, "--limit", "+5"], /--limit "\+5" is not allowed: .*sign/],
  ["a negative limit", [...H, "--limit=-5"], /--limit "-5" is not allowed/],
  ["a fractional limit", [...H, "--limit", "2.5"], /--limit "2.5" is not allowed: .*fraction/],
  ["a space-padded limit", [...H, "--limit", " 5"], /--limit " 5" is not allowed/],
  ["a limit past the maximum", [...H, "--limit", "99999999999999999999"], /--limit .* from 1 to 10000/],
  ["hex steps", [...P, "--steps", "0x10,100"], /--steps "0x10,100" is not allowed: .*plain decimal/],
  ["binary steps", [...P, "--steps", "0b1,100"], /--steps "0b1,100" is not allowed/],
  ["exponent steps", [...P, "--steps", "1e1,100"], /--steps "1e1,100" is not allowed/],
  ["signed steps", [...P, "--steps", "+10,100"], /--steps "\+10,100" is not allowed/],
  ["zero-padded steps", [...P, "--steps", "010,100"], /--steps "010,100" is not allowed/],
  ["space-padded steps", [...P, "--steps", "10, 100"], /--steps "10, 100" is not allowed/],
  ["fractional steps", [...P, "--steps", "10.0,100"], /--steps "10.0,100" is not allowed/],
];

const REPEATS: Row[] = [
  ["a repeated --version", [...P, "--version", "1.0.1"], /--version is given twice \("1.4.0", then "1.0.1"\)/],
  ["a repeated --stack of promote", [...P, "--stack", "prod"], /--stack is given twice/],
  ["a repeated --limit", [...H, "--limit", "5", "--limit", "6"], /--limit is given twice/],
  ["a repeated --reason", [...SKIP, "--reason", "a", "--reason", "b"], /--reason is given twice/],
  ["a repeated --out", [...EXPORT, "--since", "2026-11-01", "--out", "f.md"], /--out is given twice/],
  ["a repeated --interval", [...P, "--interval", "5s", "--interval=6s"], /--interval is given twice/],
];

const DURATIONS: Row[] = [
  ["an interval past Node's timer", [...P, "--interval", "600h"], /--interval "600h" .* from 1s to 24h/],
  ["an interval over a day", [...P, "--interval", "25h"], /--interval "25h" is not allowed: .* to 24h/],
  ["a huge interval", [...P, "--interval", "99999999999999999999h"], /--interval .* to 24h/],
  ["a zero interval", [...P, "--interval", "0s"], /--interval "0s" is not allowed: .* from 1s/],
  ["an interval under a second", [...P, "--interval", "500ms"], /--interval "500ms" .* from 1s/],
  ["a negative interval", [...P, "--interval=-1h"], /--interval "-1h" is not allowed/],
  ["a zero-padded interval", [...P, "--interval", "05s"], /--interval "05s" is not allowed: set a duration/],
  ["an exponent interval", [...P, "--interval", "1e3ms"], /--interval "1e3ms" is not allowed/],
];

const DATES: Row[] = [
  ["February 30th", [...EXPORT, "--since", "2026-02-30"], /--since "2026-02-30" is not allowed: no such day/],
  ["February 29th of a common year", [...EXPORT, "--since", "2026-02-29"], /--since "2026-02-29" is not allowed/],
  ["month 13", [...EXPORT, "--since", "2026-13-01"], /--since "2026-13-01" is not allowed/],
  ["November 31st", [...EXPORT, "--since", "2026-11-31"], /--since "2026-11-31" is not allowed/],
  ["hour 25", [...EXPORT, "--since", "2026-11-01T25:00:00Z"], /--since "2026-11-01T25:00:00Z" is not allowed/],
  ["minute 60", [...EXPORT, "--since", "2026-11-01T09:60:00Z"], /--since "2026-11-01T09:60:00Z" is not allowed/],
  ["second 61", [...EXPORT, "--since", "2026-11-01T09:00:61Z"], /--since .* is not allowed/],
  ["an offset of 24 hours", [...EXPORT, "--since", "2026-11-01T09:00:00+24:00"], /--since .* is not allowed/],
  ["an impossible --until", [...EXPORT, "--since", "2026-04-01", "--until", "2026-04-31"], /--until "2026-04-31"/],
  ["day 00", [...EXPORT, "--since", "2026-11-00"], /--since "2026-11-00" is not allowed/],
];

const TEXT: Row[] = [
  ["a reason of zero-width spaces", [...SKIP, "--reason", "\u200B\u200D"], /--reason is empty/],
  ["a reason of a BOM and a word joiner", [...SKIP, "--reason", "\uFEFF \u2060"], /--reason is empty/],
  ["a reason of a soft hyphen", [...SKIP, "--reason", "\u00AD"], /--reason is empty/],
  ["a reason with a newline", [...SKIP, "--reason", "fix\nslipway: promoted"], /--reason .* control character/],
  ["a reason with a bell", [...SKIP, "--reason", "\u0007fix"], /--reason .* control character/],
  ["a reason with a C1 control", [...SKIP, "--reason", "fix\u009B2J"], /--reason .* control character/],
  ["a reason with a bidi override", [...SKIP, "--reason", "fix \u202Eelif"], /--reason .* bidi override/],
  ["an overlong reason", [...SKIP, "--reason", "x".repeat(501)], /--reason is 501 characters long: .* 500/],
  [
    "an invisible approver",
    ["promote", "--stack", "prod", "--version", "1.4.0", "--approved-by", "\u200C"],
    /--approved-by is empty/,
  ],
  ["an approver with a tab", [...P, "--approved-by", "Jane\tDoe"], /--approved-by .* control character/],
  ["an invisible abort reason", ["abort", "--stack", "dev", "--reason", "\u2060\u200B"], /--reason is empty/],
  [
    "a break-glass reason of a BOM",
    ["up", "--stack", "dev", "--break-glass", "--reason", "\uFEFF"],
    /--reason is empty/,
  ],
  ["an output file with a newline", [...EXPORT.slice(0, -1), "e\n.md", "--since", "2026-11-01"], /--out .* control/],
];

const NAMES: Row[] = [
  [
    "a version with build metadata",
    [...P.slice(0, 3), "--version", "1.4.0+sha.5"],
    /--version "1.4.0\+sha.5" .* no \+build/,
  ],
  [
    "a version over 63 characters",
    [...P.slice(0, 3), "--version", `1.0.0-${"a".repeat(58)}`],
    /--version .* 63 characters/,
  ],
  ["a version ending in a dash", [...P.slice(0, 3), "--version", "1.0.0-rc-"], /--version "1.0.0-rc-" is not allowed/],
  ["a version with a zero-padded prerelease", [...P.slice(0, 3), "--version", "1.0.0-01"], /--version "1.0.0-01"/],
  ["a version with a newline", [...P.slice(0, 3), "--version", "1.0.0\n"], /--version .* control character/],
  ["a stack with a parent path", ["up", "--stack", "../prod"], /--stack "..\/prod" is not allowed: .*path separator/],
  ["a stack with a separator", ["up", "--stack", "dev/../prod"], /--stack "dev\/..\/prod" is not allowed/],
  ["a stack with a backslash", ["status", "--stack", "dev,..\\prod"], /--stack ".*prod" is not allowed: .*path/],
  ["a stack of two dots", ["history", "--stack", ".."], /--stack "\.\." is not allowed/],
  ["a stack with a NUL", ["abort", "--stack", "dev\u0000"], /--stack "dev\\u0000" is not allowed/],
  ["a stack with a zero-width space", ["up", "--stack", "dev\u200B"], /--stack "dev\\u200b" is not allowed/],
  ["an overlong stack", ["up", "--stack", "d".repeat(101)], /--stack .* at most 100 characters/],
  ["an unknown option", [...P, "--weight", "10"], /unknown option '--weight'/],
  ["an unknown command", ["deploy", "--stack", "dev"], /unknown command 'deploy'/],
];

const ROWS: Array<[string, Row[]]> = [
  ["numbers: only plain decimal integers", NUMBERS],
  ["single-valued options given twice", REPEATS],
  ["durations Node's timers can hold", DURATIONS],
  ["dates that exist", DATES],
  ["free text and file names", TEXT],
  ["versions, stack names and unknown words", NAMES],
];

interface Ran {
  code: number;
  out: string;
  err: string;
  built: number;
  calls: number;
  journal: number;
  files: number;
}

async function refuse(argv: string[]): Promise<Ran> {
  const engine = new FakeEngine(Object.fromEntries(STACKS.map((s) => [s, baseConfig(s)])));
  const h = harness(engine);
  let [out, err, built] = ["", "", 0];
  const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (err += t) };
  const code = await run(argv, STACKS, async () => (built++, h.deps), io);
  const journal = (await Promise.all(STACKS.map((s) => h.deps.state(s).read()))).flat().length;
  return { code, out, err, built, calls: engine.calls.length, journal, files: h.files.size };
}

function nothingChanged(r: Ran): void {
  assert.deepEqual([r.built, r.calls, r.journal, r.files], [0, 0, 0, 0], "no deps, engine call, journal or file");
}

for (const [topic, rows] of ROWS) {
  describe(`hostile CLI input: ${topic}`, () => {
    for (const [what, argv, message] of rows) {
      it(`refuses ${what}: exit 1, one stderr line naming the argument, empty stdout, nothing changed`, async () => {
        const r = await refuse(argv);
        assert.equal(r.code, 1);
        assert.match(r.err, message);
        assert.equal(r.err.trim().split("\n").length, 1, r.err);
        assert.equal(r.out, "");
        nothingChanged(r);
      });
      it(`refuses ${what} with --json: one JSON error document on stdout, kind input, code 1`, async () => {
        const r = await refuse([...argv, "--json"]);
        assert.equal(r.code, 1);
        const doc = JSON.parse(r.out) as { error: { code: number; kind: string; message: string } };
        assert.deepEqual([doc.error.code, doc.error.kind], [1, "input"]);
        assert.match(doc.error.message, message);
        nothingChanged(r);
      });
    }
  });
}
