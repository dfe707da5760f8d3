// One build from dev to prod: the digests a version runs come from the first stage's config, are recorded by each
// completed promotion, and are what the next stage runs; a stage whose own config disagrees, or whose previous stage
// recorded none, is refused before anything changes. Fake engine, real file backend.
import { strict as assert } from "assert";
import { fill } from "../../../automation/analysis/jobRunner";
import { baseConfig, digestOf, FakeEngine, fakeHooks, harness, Harness, recorded } from "../fakes";
import { cli, SERVICES } from "./promoteKit";

const V = "1.4.0";
const promote = (stack: string) => ["promote", "--stack", stack, "--version", V, "--approved-by", "Jane Doe"];
/** Only the initial release's digests in the file: later versions come from the stage before. */
const INITIAL_ONLY = {
  "slipway:imageDigests": JSON.stringify(
    Object.fromEntries(SERVICES.map((s) => [s, { "1.0.0": digestOf(`${s} 1.0.0`) }])),
  ),
};
const built = (s: string) => digestOf(`${s} ${V}`);

function pipeline(over: Record<string, Record<string, string>> = {}): Harness {
  return harness(
    new FakeEngine({
      dev: baseConfig("dev", over.dev),
      staging: baseConfig("staging", { ...INITIAL_ONLY, ...over.staging }),
      prod: baseConfig("prod", { ...INITIAL_ONLY, ...over.prod }),
    }),
  );
}
const upsOf = (h: Harness, stack: string) => h.engine.calls.filter((c) => c.op === "up" && c.stack === stack);

describe("#one-build: the digests a version runs from stage to stage", () => {
  it("records dev's digests when dev completes a version, and staging then prod run exactly those", async () => {
    const h = pipeline();
    for (const stack of ["dev", "staging", "prod"]) {
      const r = await cli(h, promote(stack));
      assert.equal(r.code, 0, `${stack}: ${r.err}`);
      for (const s of SERVICES) assert.equal(recorded(h, stack)!.imageDigests?.[s]?.[V], built(s), `${stack} ${s}`);
      for (const up of upsOf(h, stack))
        assert.equal(up.release?.imageDigests?.["data-service"]?.[V], built("data-service"), `${stack} update`);
    }
  });

  it("refuses staging, naming both digests, when its own config names another digest for the version", async () => {
    const other = `sha256:${"9".repeat(64)}`;
    const h = pipeline({ staging: { "slipway:imageDigests": JSON.stringify({ "api-gateway": { [V]: other } }) } });
    assert.equal((await cli(h, promote("dev"))).code, 0);
    const r = await cli(h, promote("staging"));
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`names ${other} for api-gateway 1\\.4\\.0, but dev ran ${built("api-gateway")}`));
    assert.match(r.err, /remove api-gateway 1\.4\.0 from staging's slipway:imageDigests/);
    assert.equal(upsOf(h, "staging").length, 0);
  });

  it("refuses staging when dev recorded no digest of the version, naming the fix", async () => {
    const h = pipeline({ dev: INITIAL_ONLY });
    assert.equal((await cli(h, promote("dev"))).code, 0, "dev runs tags");
    assert.equal(recorded(h, "dev")!.imageDigests, undefined);
    const r = await cli(h, promote("staging"));
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /staging runs the digests dev recorded, but dev has no digest of api-gateway 1\.4\.0: promote 1\.4\.0 on dev first/,
    );
    assert.equal(upsOf(h, "staging").length, 0);
  });

  it("prints the digests' refusal in a dry run too, changing nothing", async () => {
    const h = pipeline({ dev: INITIAL_ONLY });
    await cli(h, promote("dev"));
    const r = await cli(h, ["promote", "--stack", "staging", "--version", V, "--dry-run"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /dev has no digest of api-gateway 1\.4\.0/);
  });
});

describe("#one-build: $digest in a hook or gate image", () => {
  it("hands a hook the release's digests, so data-service@$digest runs the digest staging runs", async () => {
    const hook = { name: "migrate", image: "registry.local/slipway/data-service@$digest" };
    const h = pipeline({ staging: { "slipway:release": JSON.stringify({ hooks: { preTraffic: [hook] } }) } });
    h.deps.hooks = fakeHooks();
    assert.equal((await cli(h, promote("dev"))).code, 0);
    const r = await cli(h, promote("staging"));
    assert.equal(r.code, 0, r.err);
    const [call] = (h.deps.hooks as ReturnType<typeof fakeHooks>).calls;
    assert.equal(call.digests?.["data-service"], built("data-service"));
    const image = fill(hook.image, { version: V, namespace: "slipway-staging", service: "", digests: call.digests });
    assert.equal(image, `registry.local/slipway/data-service@${built("data-service")}`);
  });

  it("fills $digest only for the service the image names, and leaves it when that service has no digest", () => {
    const vars = { version: V, namespace: "ns", service: "", digests: { "data-service": built("data-service") } };
    assert.equal(fill("r/data-service@$digest", vars), `r/data-service@${built("data-service")}`);
    assert.equal(fill("r/api-gateway@$digest", vars), "r/api-gateway@$digest");
    assert.equal(fill("r/data-service:$version", vars), "r/data-service:1.4.0");
  });
});
