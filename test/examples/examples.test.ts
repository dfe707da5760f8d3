// The four seed systems as examples that deploy by config alone: each stack file parses, and dev, staging and prod
// build under mocks exactly the catalogue's services with no mandatory violation of the policy pack.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseStackConfig, StackConfig } from "../../stacks/config";
import { collect, Collected, mandatoryViolations, stackFile } from "./packRun";

const EXAMPLES = path.resolve(__dirname, "../../examples");
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** Per system: its services, the one it does not canary, and each stage's release shape. */
const SYSTEMS: Record<string, { services: string[]; exempt: string[]; shapes: Record<string, string> }> = {
  "borrow-rate": {
    services: ["api-gateway", "calculation-service", "data-service", "cache-service", "audit-service"],
    exempt: [],
    shapes: { dev: "canary 100", staging: "canary 100", prod: "canary 10,30,100", local: "canary 10,30,100" },
  },
  "order-generation": {
    services: ["order-generation"],
    exempt: [],
    shapes: { dev: "canary 100", staging: "canary 100", prod: "canary 10,30,100", local: "canary 10,30,100" },
  },
  "loan-management": {
    services: ["loan-frontend", "loan-backend"],
    exempt: [],
    shapes: { dev: "canary 100", staging: "blueGreen", prod: "canary 10,50,100", local: "canary 10,50,100" },
  },
  "financial-intelligence": {
    services: ["fi-api", "model-service"],
    exempt: ["model-service"],
    shapes: { dev: "blueGreen", staging: "blueGreen", prod: "blueGreen", local: "blueGreen" },
  },
};

/** Blue-green switches once (the plan's one step of 100%); a canary goes through its steps. */
const shape = (c: StackConfig) =>
  c.canary.strategy === "blueGreen" ? "blueGreen" : `${c.canary.strategy} ${c.canary.steps.join(",")}`;

describe("the examples' stack files", () => {
  it("hold one directory per seed system, each with dev, staging, prod and local", () => {
    assert.deepEqual(fs.readdirSync(EXAMPLES).sort(), Object.keys(SYSTEMS).sort());
    for (const system of Object.keys(SYSTEMS))
      assert.deepEqual(fs.readdirSync(path.join(EXAMPLES, system)).sort(), [
        "Pulumi.dev.yaml",
        "Pulumi.local.yaml",
        "Pulumi.prod.yaml",
        "Pulumi.staging.yaml",
      ]);
  });

  for (const [system, want] of Object.entries(SYSTEMS)) {
    for (const stack of ["dev", "staging", "prod", "local"]) {
      it(`${system} ${stack}: parses to its catalogue and its release shape (${want.shapes[stack]})`, () => {
        const c = parseStackConfig(stack, stackFile(path.join(EXAMPLES, system, `Pulumi.${stack}.yaml`)));
        assert.equal(c.defaultCatalogue, false);
        assert.deepEqual(Object.keys(c.services), want.services);
        assert.deepEqual(
          c.release.canaryServices,
          want.services.filter((s) => !want.exempt.includes(s)),
        );
        assert.equal(shape(c), want.shapes[stack]);
      });
    }
  }
});

for (const [system, want] of Object.entries(SYSTEMS)) {
  for (const stack of ["dev", "staging", "prod"]) {
    describe(`example ${system} on ${stack}, under mocks and the policy pack`, () => {
      let resources: Collected[];
      before(async () => {
        ({ resources } = await collect(stack, stackFile(path.join(EXAMPLES, system, `Pulumi.${stack}.yaml`))));
      });

      it("deploys the stable track of exactly the catalogue's services", () => {
        const names = resources.filter((r) => r.type === DEPLOYMENT).map((r) => r.inputs.metadata.name);
        assert.deepEqual(names.sort(), want.services.map((s) => `${s}-stable`).sort());
      });

      it("has no mandatory violation", () => {
        assert.deepEqual(mandatoryViolations(stack, resources), []);
      });
    });
  }
}
