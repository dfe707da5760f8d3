// A catalogue's promotion through the CLI: the canaried services step in lockstep, the exempt one rolls out at the
// end, and a service's own gates are asked about that service alone; failing, they roll the release back.
import { strict as assert } from "assert";
import type { AnalysisSpec } from "../../../automation/deps";
import { provider } from "../fakes";
import { cli, stack } from "./strategyFixtures";

const CATALOGUE = [
  {
    name: "teller",
    port: 9090,
    entry: true,
    reaches: { services: ["ledger"] },
    gates: [{ provider: "http", url: "http://teller-canary.slipway-local.svc/healthz" }],
  },
  { name: "ledger" },
  { name: "settler", canary: false },
];

function ledgerStack(healthy: boolean, asked: string[]) {
  const h = stack({ steps: [50, 100] }, { "slipway:services": JSON.stringify(CATALOGUE) });
  h.deps.providers = (specs: AnalysisSpec[]) =>
    specs.map((s) =>
      s.provider === "http"
        ? {
            name: "http",
            check: async (ctx) => {
              asked.push(`http:${ctx.services.join(",")}@${ctx.weight}`);
              return { provider: "http", ok: healthy, detail: healthy ? "UP" : "DOWN", durationMs: 1 };
            },
          }
        : provider(),
    );
  return h;
}

describe("a catalogue's promotion and its services' own gates", () => {
  it("steps the canaried services, asks the teller's own gate about the teller alone, and ends stable everywhere", async () => {
    const asked: string[] = [];
    const h = ledgerStack(true, asked);
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.4.0", "--json"]);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out);
    assert.deepEqual(out.plan.services, ["teller", "ledger"]);
    assert.deepEqual(asked, ["http:teller@50", "http:teller@100"]);
    const services = (await h.engine.outputs("local")).services as Record<string, { stableVersion: string }>;
    assert.deepEqual(Object.fromEntries(Object.entries(services).map(([s, v]) => [s, v.stableVersion])), {
      teller: "1.4.0",
      ledger: "1.4.0",
      settler: "1.4.0",
    });
  });

  it("rolls the release back when a service's own gate fails", async () => {
    const asked: string[] = [];
    const h = ledgerStack(false, asked);
    const r = await cli(h, ["promote", "--stack", "local", "--version", "1.4.0"]);
    assert.equal(r.code, 3, r.err);
    assert.deepEqual(asked, ["http:teller@50"]);
  });
});
