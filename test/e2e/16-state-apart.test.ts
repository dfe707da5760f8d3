// slipway's state apart from Pulumi's: the stack's Pulumi state in one file backend, its journal, lock and release
// record in the S3 test server named by SLIPWAY_STATE_URL (as a team on Pulumi Cloud runs it). A promotion completes,
// its evidence is in the store and nothing of slipway's is beside the Pulumi state, and a plain `pulumi preview` in a
// fresh checkout reads its release from the store and wants no change.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { BUCKET, CREDS, s3TestServer } from "../automation/state/s3server";
import {
  deleteNamespace,
  deployment,
  NAMESPACE,
  removeCopy,
  Run,
  runnerCopy,
  slipwayIn,
  STACK,
  World,
} from "./harness";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

const NS = `${NAMESPACE}-apart`;

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stderr}`);
  return r;
}

describe("slipway's state in a store named apart from the Pulumi backend", function () {
  this.timeout(10 * 60_000);
  const pulumiState = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-e2e-pulumi-"));
  const prefix = `apart-${process.pid}-${Date.now()}`;
  let storeUrl = "";
  const copies: World[] = [];
  const job = (): World => {
    const w = runnerCopy(`file://${pulumiState}`, {}, { ...CREDS, SLIPWAY_STATE_URL: storeUrl });
    const file = path.join(w.workDir, "stacks", `Pulumi.${STACK}.yaml`);
    const doc = parseYaml(fs.readFileSync(file, "utf8"));
    doc.config["slipway:namespace"] = NS;
    fs.writeFileSync(file, stringifyYaml(doc));
    copies.push(w);
    return w;
  };

  before(async () => {
    storeUrl = `s3://${BUCKET}/${prefix}?region=us-east-1&endpoint=${(await s3TestServer()).endpoint}&use_path_style=true`;
    await deleteNamespace(NS);
  });
  after(async () => {
    copies.forEach(removeCopy);
    if (!process.env.SLIPWAY_E2E_KEEP) {
      fs.rmSync(pulumiState, { recursive: true, force: true });
      await deleteNamespace(NS).catch(() => undefined);
    }
  });

  it("deploys and promotes with the journal, lock and record in the store, nothing of slipway's beside the state", async () => {
    ok(await slipwayIn(job(), "up", "--stack", STACK), "up");
    ok(await slipwayIn(job(), "promote", "--stack", STACK, "--version", "1.0.1", "--interval", "1s"), "promote");
    assert.equal((await deployment("api-gateway-stable", NS)).version, "1.0.1");
    const status = JSON.parse(ok(await slipwayIn(job(), "status", "--stack", STACK, "--json"), "status").stdout)[0];
    assert.equal(status.stableVersion, "1.0.1");
    assert.equal(status.lastPromotion.status, "completed");
    assert.equal(fs.existsSync(path.join(pulumiState, ".slipway")), false, "slipway wrote beside the Pulumi state");
    const listed = await (
      await s3TestServer()
    ).client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${prefix}/.slipway/slipway/${STACK}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? "");
    assert.ok(
      keys.some((k) => k.includes("/journal/")),
      `no journal in the store: ${keys.join(", ")}`,
    );
    assert.ok(
      keys.some((k) => k.endsWith("/release.json")),
      `no release record in the store: ${keys.join(", ")}`,
    );
  });

  it("a plain pulumi preview in a fresh checkout reads the release from the store and wants no change", () => {
    const w = job();
    const plain = spawnSync("pulumi", ["preview", "--stack", STACK, "--expect-no-changes", "--non-interactive"], {
      cwd: w.workDir,
      env: w.env,
      encoding: "utf8",
      timeout: 300_000,
    });
    assert.equal(plain.status, 0, `a plain pulumi preview wants changes:\n${plain.stdout}\n${plain.stderr}`);
  });
});
