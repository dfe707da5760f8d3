// Root hooks of the e2e tier: the local cluster up (idempotent), a fresh copy of the project with its own backend,
// and the `local` stack deployed from nothing into its own namespace. Every test file after this one starts from a
// deployed stack whose stable version is STABLE plus whatever the earlier files promoted.
import { strict as assert } from "assert";
import {
  clusterUp,
  deleteNamespace,
  deployment,
  ensureRouterCrd,
  NAMESPACE,
  prepareWorkDir,
  removeWorkDir,
  SERVICES,
  slipway,
  STACK,
  theWorld,
  killLeftovers,
} from "./harness";

before(async function () {
  this.timeout(10 * 60_000);
  const t0 = Date.now();
  await clusterUp();
  const w = prepareWorkDir();
  await ensureRouterCrd();
  await deleteNamespace();
  const r = await slipway("up", "--stack", STACK);
  assert.equal(r.code, 0, `slipway up --stack ${STACK} failed:\n${r.stderr}`);
  for (const s of SERVICES) assert.ok((await deployment(`${s}-stable`)).ready >= 1, `${s}-stable has no ready pod`);
  process.stderr.write(
    `    e2e: cluster, work dir ${w.workDir} and ${STACK} stack in ${NAMESPACE} ready in ${Math.round((Date.now() - t0) / 1000)} s\n`,
  );
});

after(async function () {
  this.timeout(5 * 60_000);
  await killLeftovers();
  if (!process.env.SLIPWAY_E2E_KEEP) await deleteNamespace().catch(() => undefined);
  if (theWorld()) removeWorkDir();
});
