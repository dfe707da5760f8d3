// Headless Chromium for tests that read a rendered page: its DOM after layout, no network, a fresh profile.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const CHROMIUM = ["chromium", "chromium-browser"].find(
  (b) => spawnSync("sh", ["-c", `command -v ${b}`]).status === 0,
);

/** The page as headless Chromium renders it. */
export function dumpDom(file: string): string {
  assert.ok(CHROMIUM, "chromium is not installed: apt-get install -y chromium (.ci/run installs it)");
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-chromium-"));
  const r = spawnSync(
    CHROMIUM!,
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      `--user-data-dir=${profile}`,
      "--dump-dom",
      `file://${file}`,
    ],
    { encoding: "utf8", timeout: 90_000 },
  );
  fs.rmSync(profile, { recursive: true, force: true });
  assert.equal(r.status, 0, `chromium failed: ${r.error ?? ""} ${r.stderr}`);
  return r.stdout;
}
