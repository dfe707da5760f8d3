// The S3 backend URL and lock lease as PULUMI_BACKEND_URL and SLIPWAY_LOCK_LEASE give them: what S3 would not take
// is refused by name, before anything is read.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";
import { InputError } from "../../../automation/errors";
import { stateStoreFor } from "../../../automation/state/backend";
import { parseLease, parseS3Backend } from "../../../automation/state/s3";

const ROOT = path.resolve(__dirname, "../../..");

describe("S3 backend URLs", () => {
  const refused: [string, RegExp][] = [
    ["s3://", /s3:\/\/: names no bucket; use s3:\/\/<bucket>\[\/<prefix>\]/],
    ["s3:///state", /names no bucket/],
    ["s3://Team_State/x", /"Team_State" is not a valid bucket name/],
    ["s3://ab", /"ab" is not a valid bucket name/],
    ["s3://team-state/a//b", /the prefix "a\/\/b" has an empty/],
    ["s3://team-state/../x", /has an empty, "\." or "\.\." segment/],
    ["s3://team-state?region=EU WEST", /region=EU WEST is not a region name; use e\.g\. region=eu-west-1/],
    [
      "s3://team-state?s3ForcePathStyle=yes",
      /s3ForcePathStyle=yes is not allowed; set s3ForcePathStyle=true or s3ForcePathStyle=false/,
    ],
    ["s3://team-state?endpoint=ftp://files", /endpoint=ftp:\/\/files must be an http or https URL/],
    ["s3://team-state?endpoint=http://", /endpoint=http:\/\/ is not a URL/],
    [
      "s3://team-state?regoin=eu-west-1",
      /unknown option "regoin"; the journal honours region, endpoint, s3ForcePathStyle/,
    ],
  ];
  for (const [url, message] of refused) {
    it(`refuses ${url}`, () => {
      assert.throws(
        () => stateStoreFor(url, "slipway", "h"),
        (err: unknown) => {
          assert.ok(err instanceof InputError);
          assert.match(err.message, message);
          assert.ok(err.message.startsWith(`PULUMI_BACKEND_URL ${url}: `));
          return true;
        },
      );
    });
  }

  it("reads bucket, prefix and the region, endpoint and path-style options", () => {
    assert.deepEqual(
      parseS3Backend(
        "s3://team-state/platform/slipway/?region=eu-west-1&endpoint=minio.internal:9000&disableSSL=true&s3ForcePathStyle=true&awssdk=v2",
      ),
      {
        url: "s3://team-state/platform/slipway/?region=eu-west-1&endpoint=minio.internal:9000&disableSSL=true&s3ForcePathStyle=true&awssdk=v2",
        bucket: "team-state",
        prefix: "platform/slipway",
        region: "eu-west-1",
        endpoint: "http://minio.internal:9000",
        forcePathStyle: true,
      },
    );
    assert.equal(parseS3Backend("s3://team-state").prefix, "");
    assert.equal(parseS3Backend("s3://team-state?endpoint=s3.internal").endpoint, "https://s3.internal");
  });
});

describe("S3 lock lease and other schemes", () => {
  it("refuses a lease shorter than 30s or not a duration", () => {
    assert.throws(
      () => stateStoreFor("s3://team-state", "slipway", "h", { SLIPWAY_LOCK_LEASE: "5s" }),
      /SLIPWAY_LOCK_LEASE=5s is not allowed; set a duration of at least 30s, e\.g\. 10m/,
    );
    assert.throws(() => parseLease("ten"), /SLIPWAY_LOCK_LEASE=ten/);
    assert.equal(parseLease("15m"), 900_000);
  });

  it("still refuses other schemes by name when a stack's state is asked for", () => {
    const store = stateStoreFor("https://api.pulumi.com", "slipway", "h");
    assert.throws(
      () => store("dev"),
      /not supported yet on the https backend \(https:\/\/api\.pulumi\.com\); run promotions against a file:\/\/ or s3:\/\/ backend/,
    );
  });

  it("never loads the S3 SDK for a file:// backend", function () {
    this.timeout(60_000);
    const dir = path.join(os.tmpdir(), `slipway-lazy-${process.pid}-${Date.now()}`);
    const script = `
      const { stateStoreFor } = require(${JSON.stringify(path.join(ROOT, "automation/state/backend.ts"))});
      const s = stateStoreFor(${JSON.stringify(`file://${dir}`)}, "slipway", "h")("dev");
      s.append({ at: "t", promotionId: "p", stack: "dev", event: "start", action: "promote" }).then(() => {
        const loaded = Object.keys(require.cache).filter((k) => k.includes("@aws-sdk"));
        process.stdout.write(JSON.stringify(loaded));
      });`;
    const out = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(out.status, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), []);
  });
});
