// Any system, not one: a runner's checkout writes a catalogue for an invented system (other names, another port, one
// service not canaried) into its local stack file, in a namespace of its own, then `up` and `promote` on the local
// cluster build and release exactly those services, by config alone.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import {
  deleteNamespace,
  deployment,
  kubectl,
  NAMESPACE,
  removeCopy,
  Run,
  runnerCopy,
  slipwayIn,
  STACK,
  World,
} from "./harness";

const NS = `${NAMESPACE}-any`;
/** A settlement system: a teller on port 9090 in front, a ledger behind it, a settler rolled out without a canary. */
const CATALOGUE = [
  {
    name: "teller",
    port: 9090,
    health: "/livez",
    readiness: "/readyz",
    entry: true,
    reaches: { services: ["ledger"] },
  },
  { name: "ledger", reaches: { database: true } },
  { name: "settler", canary: false, scaleOn: "memory", reaches: { cache: true } },
];

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stderr}`);
  return r;
}

/** The copy's local stack file with `services` as its catalogue, in the namespace of this file. */
function writeCatalogue(w: World, services: unknown[]): void {
  const file = path.join(w.workDir, "stacks", `Pulumi.${STACK}.yaml`);
  const doc = parseYaml(fs.readFileSync(file, "utf8"));
  doc.config["slipway:namespace"] = NS;
  doc.config["slipway:services"] = services;
  fs.writeFileSync(file, stringifyYaml(doc));
}

async function exists(name: string): Promise<boolean> {
  const out = await kubectl("-n", NS, "get", "deployment", name, "--ignore-not-found", "-o", "name");
  return out.trim() !== "";
}

describe("any system: a catalogue of its own on the local cluster", function () {
  this.timeout(10 * 60_000);
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-e2e-any-"));
  const copies: World[] = [];
  /** A new runner's checkout with the catalogue written into its local stack file. */
  const job = (services: unknown[] = CATALOGUE): World => {
    const w = runnerCopy(`file://${backend}`, {});
    writeCatalogue(w, services);
    copies.push(w);
    return w;
  };

  before(() => deleteNamespace(NS));
  after(async () => {
    copies.forEach(removeCopy);
    if (!process.env.SLIPWAY_E2E_KEEP) {
      fs.rmSync(backend, { recursive: true, force: true });
      await deleteNamespace(NS).catch(() => undefined);
    }
  });

  it("deploys exactly the catalogue's services on `up`, with the entry's own port", async () => {
    ok(await slipwayIn(job(), "up", "--stack", STACK), "up");
    for (const s of ["teller", "ledger", "settler"])
      assert.equal((await deployment(`${s}-stable`, NS)).version, "1.0.0");
    assert.equal(await exists("api-gateway-stable"), false, "no service of the default catalogue");
    const port = await kubectl("-n", NS, "get", "service", "teller", "-o", "jsonpath={.spec.ports[0].targetPort}");
    assert.equal(port.trim(), "9090");
  });

  it("promotes the canaried services through their steps, and rolls the exempt one out at the end", async () => {
    const r = ok(await slipwayIn(job(), "promote", "--stack", STACK, "--version", "1.1.0", "--json"), "promote");
    assert.deepEqual(JSON.parse(r.stdout).plan.services, ["teller", "ledger"]);
    for (const s of ["teller", "ledger", "settler"])
      assert.equal((await deployment(`${s}-stable`, NS)).version, "1.1.0");
    assert.equal(await exists("teller-canary"), false, "the canary is gone once the release is stable");
    assert.equal(await exists("settler-canary"), false, "the exempt service never ran a canary");
  });

  it("promotes a named subset alone, with its own version in the release record", async () => {
    ok(await slipwayIn(job(), "promote", "--stack", STACK, "--version", "1.2.0", "--services", "ledger"), "promote");
    assert.equal((await deployment("ledger-stable", NS)).version, "1.2.0");
    assert.equal((await deployment("teller-stable", NS)).version, "1.1.0");
    const st = JSON.parse(ok(await slipwayIn(job(), "status", "--stack", STACK, "--json"), "status").stdout)[0];
    assert.equal(st.serviceVersions.ledger, "1.2.0");
  });

  it("refuses a service outside the catalogue before anything runs", async () => {
    const r = await slipwayIn(job(), "promote", "--stack", STACK, "--version", "1.3.0", "--services", "billing");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--services "billing" is not a service: use teller, ledger, settler/);
  });

  it("removes a service the catalogue drops in an ordinary update", async () => {
    const r = ok(await slipwayIn(job(CATALOGUE.slice(0, 2)), "up", "--stack", STACK), "up");
    assert.match(r.stderr, /the catalogue removes settler/);
    assert.equal(await exists("settler-stable"), false);
    assert.equal(await exists("teller-stable"), true);
  });
});
