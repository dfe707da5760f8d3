// Releases per service set: a promotion ships the catalogue's canaried services in lockstep, or a named subset; a
// service added to or removed from the catalogue is an ordinary update, and a prod stack removes a serving service only
// when the removal is confirmed by name.
import { strict as assert } from "assert";
import { parseStackConfig } from "../../../stacks/config";
import { canariedServices, finalValues, isAllServices } from "../../../automation/release/values";
import {
  catalogueChange,
  changeText,
  checkRemoval,
  servingServices,
} from "../../../automation/release/catalogueChange";
import { checkServices } from "../../../automation/commands/promote";
import { servicesArg } from "../../../automation/commands/args";
import { parseArgv } from "../../../automation/cli/argv";

const CATALOGUE = [
  { name: "teller", port: 9090, entry: true, reaches: { services: ["ledger"] } },
  { name: "ledger" },
  { name: "settler", canary: false },
];
const config = parseStackConfig("prod", {
  "slipway:stableVersion": "1.0.0",
  "slipway:imageRepository": "registry.example/bank",
  "slipway:services": JSON.stringify(CATALOGUE),
});

describe("releases per service set", () => {
  it("canaries the catalogue's canaried services by default, never the exempt one", () => {
    assert.deepEqual(canariedServices(config), ["teller", "ledger"]);
  });

  it("makes the version stable for all (the exempt service rolls out with it) when every canaried service ships", () => {
    assert.equal(isAllServices(["teller", "ledger"], config), true);
    const all = finalValues("1.1.0", ["teller", "ledger"], config);
    assert.equal(all["slipway:stableVersion"], "1.1.0");
    const subset = finalValues("1.1.0", ["ledger"], config);
    assert.equal(subset["slipway:stableVersion"], undefined);
    assert.deepEqual(JSON.parse(subset["slipway:serviceVersions"]), { ledger: "1.1.0" });
  });

  const refused: [string, { services: string[]; skipCanary: boolean }, RegExp][] = [
    [
      "a service outside the catalogue",
      { services: ["billing"], skipCanary: false },
      /--services "billing" is not a service of prod: use teller, ledger, settler/,
    ],
    [
      "an exempt service without --skip-canary",
      { services: ["settler"], skipCanary: false },
      /"settler" is not canaried .* --skip-canary/,
    ],
  ];
  for (const [what, args, message] of refused) {
    it(`refuses ${what} in --services, with the fix`, () => {
      assert.throws(() => checkServices(config, args), message);
    });
  }

  it("ships an exempt service alone with --skip-canary, and any canaried subset", () => {
    checkServices(config, { services: ["settler"], skipCanary: true });
    checkServices(config, { services: ["ledger"], skipCanary: false });
  });

  it("checks --services against the catalogue the stack file names", () => {
    assert.deepEqual(servicesArg({ services: "ledger,teller" }, ["teller", "ledger"]), ["ledger", "teller"]);
    assert.throws(
      () => servicesArg({ services: "vault" }, ["teller", "ledger"]),
      /"vault" is not a service: use teller, ledger/,
    );
  });
});

describe("catalogue changes on update", () => {
  const outputs = { services: { teller: {}, ledger: {}, settler: {}, vault: {} } };
  const change = catalogueChange(config, servingServices(outputs, undefined));

  it("finds the services the catalogue drops and adds against what the stack serves", () => {
    assert.deepEqual(change, { added: [], removed: ["vault"] });
    const more = catalogueChange(config, ["teller", "ledger"]);
    assert.deepEqual(more, { added: ["settler"], removed: [] });
    assert.match(changeText("prod", more)!, /prod: the catalogue adds settler/);
    assert.deepEqual(catalogueChange(config, []), { added: [], removed: [] });
  });

  it("counts the deployed services as serving, else the services the release record names", () => {
    assert.deepEqual(servingServices({ services: { teller: {} } }, undefined), ["teller"]);
    const release = {
      stableVersion: "1.0.0",
      serviceVersions: { audit: "0.9.0" },
      canaryVersion: "",
      canaryWeight: 0,
      canaryServices: ["teller"],
    };
    assert.deepEqual(servingServices({}, release).sort(), ["audit", "teller"]);
  });

  it("refuses to remove a serving prod service unless confirmed by name, and lets other stacks remove it", () => {
    assert.throws(
      () => checkRemoval("prod", true, change, []),
      /prod serves vault, which slipway:services no longer lists: .* confirm with --confirm-removal vault/,
    );
    checkRemoval("prod", true, change, ["vault"]);
    checkRemoval("staging", false, change, []);
  });
});

describe("the command line of a catalogue", () => {
  const STACKS = ["dev", "staging", "prod", "local"];
  const catalogue = () => ["teller", "ledger", "settler"];

  it("checks promote --services against the stack file's catalogue when one is given", () => {
    const inv = parseArgv(
      ["promote", "--stack", "prod", "--version", "1.4.0", "--services", "teller"],
      STACKS,
      catalogue,
    );
    assert.deepEqual((inv as { args: { services: string[] } }).args.services, ["teller"]);
    assert.throws(
      () =>
        parseArgv(["promote", "--stack", "prod", "--version", "1.4.0", "--services", "api-gateway"], STACKS, catalogue),
      /--services "api-gateway" is not a service: use teller, ledger, settler/,
    );
  });

  it("takes up --confirm-removal as service names, refusing one that is not a name", () => {
    const inv = parseArgv(["up", "--stack", "prod", "--confirm-removal", "vault,settler"], STACKS);
    assert.deepEqual((inv as { args: { confirmRemoval: string[] } }).args.confirmRemoval, ["vault", "settler"]);
    assert.throws(
      () => parseArgv(["up", "--stack", "prod", "--confirm-removal", "Vault!"], STACKS),
      /--confirm-removal "Vault!" is not a service name/,
    );
  });
});
