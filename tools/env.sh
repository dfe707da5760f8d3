# Exports the local engine's environment (computed by tools/env.ts) into the current shell:
#   source tools/env.sh
# PATH gets the engine's bin directory first; PULUMI_HOME, the file backend, the local passphrase, KUBECONFIG and
# KWOK_WORKDIR point into ${SLIPWAY_CACHE:-$HOME/.cache/slipway}.
_slipway_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eval "$("$_slipway_root/node_modules/.bin/ts-node" --transpile-only "$_slipway_root/tools/env.ts")"
unset _slipway_root
