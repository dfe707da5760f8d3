// Where slipway keeps its journal, lock and release record: named apart from the Pulumi backend, or beside the
// Pulumi state of a file:// or s3:// backend; any other backend works once a store is named.
import { strict as assert } from "assert";
import { exitCodeOf } from "../../../automation/errors";
import { noStateError, stateLocation } from "../../../automation/state/location";

describe("slipway's state store", () => {
  const found: Array<[string, NodeJS.ProcessEnv, string | undefined]> = [
    ["beside a file:// backend", { PULUMI_BACKEND_URL: "file:///srv/state" }, "file:///srv/state"],
    [
      "beside an s3:// backend",
      { PULUMI_BACKEND_URL: "s3://team/state?region=eu-west-1" },
      "s3://team/state?region=eu-west-1",
    ],
    [
      "named apart from a file:// backend",
      { PULUMI_BACKEND_URL: "file:///srv/a", SLIPWAY_STATE_URL: "file:///srv/b" },
      "file:///srv/b",
    ],
    [
      "named for Pulumi Cloud",
      { PULUMI_BACKEND_URL: "https://api.pulumi.com", SLIPWAY_STATE_URL: "s3://team/slipway" },
      "s3://team/slipway",
    ],
    ["named for a gs:// backend", { PULUMI_BACKEND_URL: "gs://b/p", SLIPWAY_STATE_URL: "s3://team/x" }, "s3://team/x"],
    ["named after pulumi login, with no backend variable", { SLIPWAY_STATE_URL: "file:///srv/x" }, "file:///srv/x"],
    ["none when nothing is configured", {}, undefined],
  ];
  for (const [what, env, url] of found) {
    it(`is ${what}`, () => assert.equal(stateLocation(env).url, url));
  }

  const refused: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    [
      "a Pulumi Cloud backend with no store named",
      { PULUMI_BACKEND_URL: "https://api.pulumi.com" },
      /the Pulumi backend is https:\/\/ .* export SLIPWAY_STATE_URL=s3:\/\//,
    ],
    [
      "an azblob:// backend with no store named",
      { PULUMI_BACKEND_URL: "azblob://c" },
      /azblob:\/\/.*SLIPWAY_STATE_URL/,
    ],
    [
      "a store URL of another scheme",
      { SLIPWAY_STATE_URL: "https://user:pw@example.test/x" },
      /SLIPWAY_STATE_URL=https:\/\/\*\*\*@example\.test\/x is not a store slipway can use; set it to an s3:\/\//,
    ],
  ];
  for (const [what, env, message] of refused) {
    it(`refuses ${what}, with exit 1 and the fix`, () => {
      assert.throws(
        () => stateLocation(env),
        (err: Error) => exitCodeOf(err) === 1 && message.test(err.message) && !err.message.includes("user:pw"),
      );
    });
  }

  it("names both ways to configure a store when a command needs one and none is set", () => {
    const err = noStateError(["dev"]);
    assert.equal(exitCodeOf(err), 1);
    assert.match(err.message, /export PULUMI_BACKEND_URL .* SLIPWAY_STATE_URL=s3:\/\//);
  });
});
