#!/usr/bin/env bash
# Lints .github/workflows with actionlint, built once from its Go module into the tools cache.
set -euo pipefail
version=v1.7.12
cache="${SLIPWAY_CACHE:-$HOME/.cache/slipway}/actionlint-$version"
bin="$cache/actionlint"
if [ ! -x "$bin" ]; then
  command -v go >/dev/null || { echo "actionlint: the Go toolchain is required to build actionlint $version (install Go, then rerun)" >&2; exit 1; }
  echo "[tools] actionlint $version: building..." >&2
  start=$(date +%s)
  mkdir -p "$cache"
  GOTOOLCHAIN=local CGO_ENABLED=0 GOBIN="$cache" go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$version"
  echo "[tools] actionlint $version: built in $(( $(date +%s) - start ))s" >&2
fi
cd "$(dirname "$0")/.."
"$bin" -no-color "$@"
echo "actionlint: .github/workflows clean" >&2
