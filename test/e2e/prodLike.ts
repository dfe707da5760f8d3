// The prod-like local stack of the e2e tier: the e2e local stack's file in its own namespace with prod's approval rule
// (a verified four-eyes review of the run's prod environment), and the environment of a GitHub Actions job whose API is
// a local server.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { deployment, nextPatch, Run, SERVICES, Slipway, slipway, STACK, theWorld } from "./harness";
import { REPO, RUN_ID, SHA, TOKEN } from "../automation/release/githubApi";

export const PROD = "local-prod";
/** The prod-like stack's namespace: SLIPWAY_E2E_PROD_NAMESPACE, else the e2e namespace with -prod. */
export const PROD_NAMESPACE =
  process.env.SLIPWAY_E2E_PROD_NAMESPACE ?? `${process.env.SLIPWAY_E2E_NAMESPACE ?? "slipway-e2e"}-prod`;

/** The prod-like stack file: the e2e local stack's, in its own namespace, with prod's approval rule. */
export function writeProdStack(): void {
  const dir = path.join(theWorld().workDir, "stacks");
  const doc = parseYaml(fs.readFileSync(path.join(dir, `Pulumi.${STACK}.yaml`), "utf8"));
  doc.config["slipway:namespace"] = PROD_NAMESPACE;
  doc.config["slipway:approval"] = { requiredReviewers: 1, fourEyes: true, environment: "prod" };
  fs.writeFileSync(path.join(dir, `Pulumi.${PROD}.yaml`), stringifyYaml(doc));
  const policies = path.join(theWorld().workDir, "policies", "config");
  fs.copyFileSync(path.join(policies, `${STACK}.json`), path.join(policies, `${PROD}.json`));
}

export function inCi(api: string): NodeJS.ProcessEnv {
  return {
    GITHUB_ACTIONS: "true",
    GITHUB_API_URL: api,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_REPOSITORY: REPO,
    GITHUB_RUN_ID: RUN_ID,
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_SHA: SHA,
    GITHUB_TOKEN: TOKEN,
    GITHUB_ACTOR: "bob",
  };
}

/** The prod-like stack's rollback as a GitHub Actions job would run it (no approver named), its summary into `summary`. */
export function rollbackProd(api: string, summary: string): Promise<Run> {
  return new Slipway(["rollback", "--stack", PROD, "--reason", "INC-4411 error rate", "--json"], undefined, undefined, {
    env: { ...inCi(api), GITHUB_STEP_SUMMARY: summary },
  }).done;
}

/** Ships the version after `version` through the dev-like stack, then to the prod-like one (approved): that version. */
export async function shipNext(api: string, version: string): Promise<string> {
  const next = nextPatch(version);
  const dev = await slipway("promote", "--stack", STACK, "--version", next, "--skip-canary", "--reason", "e2e base");
  assert.equal(dev.code, 0, dev.stderr);
  const prod = await new Slipway(
    ["promote", "--stack", PROD, "--version", next, "--skip-canary", "--reason", "e2e hotfix"],
    undefined,
    undefined,
    { env: inCi(api) },
  ).done;
  assert.equal(prod.code, 0, prod.stderr);
  for (const s of SERVICES) assert.equal((await deployment(`${s}-stable`, PROD_NAMESPACE)).version, next);
  return next;
}
