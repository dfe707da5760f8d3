#!/usr/bin/env bash
# A real S3-compatible server on 127.0.0.1 for the S3 journal tests (test/automation/s3journal.test.ts).
#   bash tools/s3-test-server.sh install      # installs it once into ${SLIPWAY_CACHE:-$HOME/.cache/slipway}/s3-test-server
#   bash tools/s3-test-server.sh run PORT     # installs if needed, then serves on 127.0.0.1:PORT in the foreground
# moto's server mode implements the conditional writes the lock relies on (PutObject If-None-Match / If-Match,
# DeleteObject If-Match); the pin is the version checked for that. Needs python3 with venv and pip.
# moto checks a condition and then writes, in a threaded server: two racing writes can both pass the check. S3 makes
# each conditional write atomic, so the server here answers one request at a time (a lock around moto's app), as the
# lock race tests need.
set -euo pipefail
MOTO_VERSION=5.2.5
cache="${SLIPWAY_CACHE:-$HOME/.cache/slipway}"
venv="$cache/s3-test-server/moto-$MOTO_VERSION"

install() {
  [ -f "$venv/.installed" ] && return 0
  command -v python3 >/dev/null || { echo "s3-test-server: python3 is missing; install python3 (with venv and pip)" >&2; exit 1; }
  mkdir -p "$cache/s3-test-server"
  exec 9>"$cache/s3-test-server/.lock"
  flock 9
  [ -f "$venv/.installed" ] && return 0
  echo "s3-test-server: installing moto[server]==$MOTO_VERSION into $venv" >&2
  # A half-done install (killed, no network) has no marker and is started over.
  rm -rf "$venv"
  python3 -m venv "$venv" >&2 || { echo "s3-test-server: python3 -m venv failed; install the python3 venv module" >&2; exit 1; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
  touch "$venv/.installed"
}

case "${1:-}" in
  install)
    install
    ;;
  run)
    port="${2:?usage: s3-test-server.sh run PORT}"
    install
    exec "$venv/bin/python" -c '
import os, sys, threading
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

os.environ.setdefault("MOTO_PORT", sys.argv[1])
app = DomainDispatcherApplication(create_backend_app)
one_at_a_time = threading.Lock()

def serialized(environ, start_response):
    with one_at_a_time:
        return list(app(environ, start_response))

run_simple("127.0.0.1", int(sys.argv[1]), serialized, threaded=True, request_handler=MotoRequestHandler)
' "$port"
    ;;
  *)
    echo "usage: bash tools/s3-test-server.sh install | run PORT" >&2
    exit 2
    ;;
esac
