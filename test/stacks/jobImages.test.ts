// Hook and gate images against the stack's digest rule: on a digest-pinned stage (staging, prod) every Job the driver
// runs names its image by digest, refused at config load with the key and the fix, not by the policy pack mid-release.
import { strict as assert } from "assert";
import { ConfigError, parseStackConfig } from "../../stacks/config";

const base = { "slipway:stableVersion": "1.4.0", "slipway:imageRepository": "registry.example/slipway" };
const DIGEST = `sha256:${"ab".repeat(32)}`;
const TAGGED = "registry.example/slipway/data-service:$version";

/** Raw config putting `image` at one of the places a Job image lives, and the key a refusal must name. */
const PLACES: [string, (image: string) => Record<string, string>][] = [
  [
    "release.hooks.preTraffic[0].image",
    (image) => ({ "slipway:release": JSON.stringify({ hooks: { preTraffic: [{ name: "migrate", image }] } }) }),
  ],
  [
    "release.hooks.postPromotion[0].image",
    (image) => ({ "slipway:release": JSON.stringify({ hooks: { postPromotion: [{ name: "notify", image }] } }) }),
  ],
  [
    "canary.analysis[1].image",
    (image) => ({
      "slipway:canary": JSON.stringify({ analysis: [{ provider: "kubernetes" }, { provider: "job", image }] }),
    }),
  ],
  [
    "canary.prePromotionAnalysis[0].image",
    (image) => ({ "slipway:canary": JSON.stringify({ prePromotionAnalysis: [{ provider: "job", image }] }) }),
  ],
  [
    "canary.postPromotionAnalysis[0].image",
    (image) => ({ "slipway:canary": JSON.stringify({ postPromotionAnalysis: [{ provider: "job", image }] }) }),
  ],
];

function refusal(stack: string, raw: Record<string, string>): string {
  try {
    parseStackConfig(stack, { ...base, ...raw });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  return "";
}

describe("#job-images: digest-pinned stages refuse hook and gate images without a digest", () => {
  for (const stack of ["staging", "prod"])
    for (const [key, at] of PLACES)
      it(`refuses a $version-tagged image at slipway:${key} on ${stack}, naming the key and the fix`, () => {
        const m = refusal(stack, at(TAGGED));
        assert.ok(m.startsWith(`slipway:${key}: "${TAGGED}" is not allowed; ${stack} runs every image by digest`), m);
        assert.match(m, /<repository>\/<service>@\$digest/);
        assert.match(m, /<repository>@sha256:<64 hex digits>/);
      });

  const refused: [string, string][] = [
    ["a literal tag", "registry.example/smoke-tests:1.4.0"],
    ["a digest beside a $version tag", `registry.example/smoke-tests:$version@${DIGEST}`],
    ["a short digest", "registry.example/smoke-tests@sha256:abc"],
  ];
  for (const [what, image] of refused)
    it(`refuses ${what} on prod`, () => {
      const m = refusal("prod", PLACES[0][1](image));
      assert.match(m, /^slipway:release\.hooks\.preTraffic\[0\]\.image: .* is not allowed; .*digest/);
    });

  const accepted: [string, string][] = [
    ["a service's release digest", "registry.example/slipway/data-service@$digest"],
    ["a literal digest", `registry.example/smoke-tests@${DIGEST}`],
    ["a literal tag with its digest", `registry.example/smoke-tests:2.0.1@${DIGEST}`],
  ];
  for (const [what, image] of accepted)
    for (const stack of ["staging", "prod"])
      it(`accepts ${what} on ${stack}`, () => {
        for (const [, at] of PLACES) assert.equal(refusal(stack, at(image)), "");
      });
});

describe("#job-images: tags stay allowed where digests are not required, and $digest names a service", () => {
  for (const stack of ["dev", "local"])
    it(`accepts a $version-tagged hook and gate image on ${stack}`, () => {
      for (const [, at] of PLACES) assert.equal(refusal(stack, at(TAGGED)), "");
    });

  for (const stack of ["dev", "prod"])
    it(`refuses $digest on an image that names no service on ${stack}, listing the services`, () => {
      const m = refusal(stack, PLACES[0][1]("registry.example/smoke-tests@$digest"));
      assert.match(m, /^slipway:release\.hooks\.preTraffic\[0\]\.image: .*\$digest is the release's digest/);
      assert.match(m, /data-service/);
    });
});
