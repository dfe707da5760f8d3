#!/usr/bin/env bash
# The main job, `npm run local`: build (or reuse) the engine, start (or reuse) the local cluster, deploy the `local`
# stack with the policy pack, ship the next patch version through the canary steps with the kubernetes gate, and print
# the status. Re-runnable: each run promotes the patch after the current stable version.
#
# The release lands in the local stack's release record in its backend (the file backend tools/env.ts names), as it
# does for every stack: stacks/Pulumi.local.yaml keeps only the defaults and the initial version, and `git status`
# stays clean.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
started=$(date +%s)
step() { echo; echo "[local] $*  (+$(( $(date +%s) - started ))s)"; }

step "1/5 engine: npm run tools"
npm run --silent tools

step "2/5 cluster: npm run cluster:up"
npm run --silent cluster:up

# shellcheck source=tools/env.sh
source "$root/tools/env.sh"
# The engine env points PATH at the repository's Node 22 first; `slipway` below runs on it.
slipway() { node "$root/bin/slipway.js" "$@"; }

step "3/5 deploy: slipway up --stack local (policy pack enforced)"
slipway up --stack local

stable=$(slipway status --stack local --json | node -e '
  let s = ""; process.stdin.on("data", (b) => (s += b)).on("end", () => process.stdout.write(JSON.parse(s)[0].stableVersion));')
next=$(node -e '
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(process.argv[1]);
  if (!m) { console.error(`stable version ${process.argv[1]} is not semver`); process.exit(1); }
  process.stdout.write(`${m[1]}.${m[2]}.${Number(m[3]) + 1}`);' "$stable")

step "4/5 promote: $stable -> $next through the canary steps (slipway promote --stack local --version $next)"
slipway promote --stack local --version "$next" --interval "${SLIPWAY_LOCAL_INTERVAL:-2s}"

step "5/5 status"
slipway status --stack local

echo
echo "[local] done in $(( $(date +%s) - started ))s: $next is stable on the local cluster"
