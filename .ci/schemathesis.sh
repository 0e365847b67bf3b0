#!/usr/bin/env bash
# API fuzzing: schemathesis against the RELEASE server on its embedded default (a private
# PostgreSQL under a temporary data directory), over every operation of /openapi.json, with every
# default check and phase. Fails when schemathesis reports any failure (a 5xx, a response that
# does not match the document, accepted invalid input, rejected valid input, ...).
#
#   bash .ci/schemathesis.sh            # or: just fuzz
#
# Knobs (environment): SOS_FUZZ_MAX_EXAMPLES (examples per operation and phase, default 150),
# SOS_FUZZ_SEED (hypothesis seed, default random), SOS_FUZZ_BUDGET (seconds schemathesis may
# run, default 420), SOS_FUZZ_VENV (where the virtualenv lives, default target/fuzz-venv),
# SOS_FUZZ_REPORT (report directory, default target/fuzz-report), SOS_FUZZ_BIN (a server binary
# to use instead of building target/release/sos-server).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
# The generated client (issue 16): the generator, and ruff for its formatting step.
CLIENT_GENERATOR_VERSION=0.29.1
RUFF_VERSION=0.17.6
# The independent webhook signature check (issue 18).
STANDARDWEBHOOKS_VERSION=1.1.0
MAX_EXAMPLES=${SOS_FUZZ_MAX_EXAMPLES:-150}
BUDGET=${SOS_FUZZ_BUDGET:-420}
VENV=${SOS_FUZZ_VENV:-target/fuzz-venv}
REPORT=${SOS_FUZZ_REPORT:-target/fuzz-report}
ADMIN_KEY="fuzz-admin-$(date +%s)-$$-${RANDOM}${RANDOM}"

step() { printf '\n==> %s\n' "$*"; }

step "schemathesis $SCHEMATHESIS_VERSION in $VENV"
if ! command -v python3 >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv >/dev/null
fi
if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    # Debian ships venv separately.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$VENV"
      python3 -m venv "$VENV"
    else
      echo "python3 -m venv failed: install python3-venv" >&2
      exit 1
    fi
  fi
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
"$VENV/bin/schemathesis" --version
if ! "$VENV/bin/openapi-python-client" --version 2>/dev/null | grep -q "$CLIENT_GENERATOR_VERSION" \
  || ! "$VENV/bin/ruff" --version 2>/dev/null | grep -q "$RUFF_VERSION"; then
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    "openapi-python-client==$CLIENT_GENERATOR_VERSION" "ruff==$RUFF_VERSION"
fi
if ! "$VENV/bin/pip" show standardwebhooks 2>/dev/null | grep -q "^Version: $STANDARDWEBHOOKS_VERSION$"; then
  "$VENV/bin/pip" install -q --disable-pip-version-check "standardwebhooks==$STANDARDWEBHOOKS_VERSION"
fi

step "generating a Python client from openapi/openapi.json (warnings fail)"
CLIENT_DIR=$(pwd)/target/fuzz-client
VENV_BIN=$(cd "$VENV/bin" && pwd)
ROOT=$(pwd)
rm -rf "$CLIENT_DIR"
mkdir -p "$CLIENT_DIR"
set +e
# The venv's bin on PATH: the generator runs ruff on what it wrote.
(cd "$CLIENT_DIR" && PATH="$VENV_BIN:$PATH" openapi-python-client generate \
  --path "$ROOT/openapi/openapi.json" --meta none --output-path sos_client --fail-on-warning) \
  >"$CLIENT_DIR/generate.log" 2>&1
generated=$?
set -e
cat "$CLIENT_DIR/generate.log"
if [ "$generated" != 0 ] || grep -qi "warning" "$CLIENT_DIR/generate.log"; then
  echo "openapi-python-client failed or reported warnings (exit $generated)" >&2
  exit 1
fi

if [ -n "${SOS_FUZZ_BIN:-}" ]; then
  BIN=$SOS_FUZZ_BIN
else
  step "cargo build --release -p sos-server"
  cargo build --release -q -p sos-server
  BIN=target/release/sos-server
fi

DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sos-fuzz.XXXXXX")
# The `postgres` user (when run as root) must reach the cluster inside it.
chmod 755 "$DATA_DIR"
PORT=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 450); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "the server did not stop within 45 s of SIGTERM: killing it" >&2
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

cleanup() {
  stop_server
  # A cluster the server could not stop (it was killed): stop it, then remove everything.
  if [ -f "$DATA_DIR/pg/postmaster.pid" ]; then
    pid=$(head -1 "$DATA_DIR/pg/postmaster.pid" || true)
    [ -n "$pid" ] && kill -QUIT "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT

step "starting the release server on $BASE (data in $DATA_DIR)"
# Webhooks may reach loopback here: the webhook flow's receiver listens there.
env -u DATABASE_URL -u SOS_SECRET_KEY -u SOS_WORKERS \
  SOS_DATA_DIR="$DATA_DIR" SOS_BIND="127.0.0.1:$PORT" SOS_ADMIN_KEY="$ADMIN_KEY" \
  SOS_WEBHOOK_ALLOW_HTTP=1 SOS_WEBHOOK_ALLOW_PRIVATE=1 \
  RUST_LOG="${RUST_LOG:-warn}" \
  "$BIN" serve >"$DATA_DIR/server.out" 2>"$DATA_DIR/server.err" &
SERVER_PID=$!

# Everything below talks HTTP through the venv's Python (no curl needed).
http() { # METHOD PATH [JSON BODY] -> prints "STATUS BODY"
  "$VENV/bin/python" - "$1" "$BASE$2" "${3:-}" "$ADMIN_KEY" <<'PY'
import sys, urllib.request, urllib.error
method, url, body, key = sys.argv[1:5]
req = urllib.request.Request(url, method=method, data=body.encode() if body else None)
req.add_header("Authorization", "Bearer " + key)
if body:
    req.add_header("Content-Type", "application/json")
try:
    with urllib.request.urlopen(req, timeout=60) as r:
        print(r.status, r.read().decode())
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode())
except Exception as e:  # not up yet
    print(0, e)
PY
}

ready=0
for _ in $(seq 1 600); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "the server exited during startup:" >&2
    cat "$DATA_DIR/server.out" "$DATA_DIR/server.err" >&2
    exit 1
  fi
  if [ "$(http GET /readyz | cut -d' ' -f1)" = 200 ]; then
    ready=1
    break
  fi
  sleep 0.2
done
if [ "$ready" != 1 ]; then
  echo "the server was not ready within 120 s:" >&2
  cat "$DATA_DIR/server.out" "$DATA_DIR/server.err" >&2
  exit 1
fi
cat "$DATA_DIR/server.out"

step "the README flow through the generated client (seeds the data schemathesis starts from)"
"$VENV/bin/python" .ci/client_flow.py "$CLIENT_DIR" "$BASE" "$ADMIN_KEY"

step "outbound webhooks verified by the standardwebhooks package"
"$VENV/bin/python" .ci/webhook_flow.py "$BASE" "$ADMIN_KEY"

step "checking the seeded result through plain HTTP"
seed() { # METHOD PATH BODY EXPECTED-STATUS
  local out status
  out=$(http "$1" "$2" "$3")
  status=${out%% *}
  if [ "$status" != "$4" ]; then
    echo "seeding $1 $2 answered $out (expected $4)" >&2
    exit 1
  fi
}
seed GET /api/sos/sellers/SEL001/scores/2026-02 '' 200

step "schemathesis: every operation, every default check, $MAX_EXAMPLES examples per operation, at most ${BUDGET}s"
rm -rf "$REPORT"
mkdir -p "$REPORT"
CONFIG=$(pwd)/.ci/schemathesis.toml
SCHEMATHESIS=$(cd "$VENV" && pwd)/bin/schemathesis
set +e
# From the report directory: schemathesis keeps its cache (.schemathesis/) in the working directory.
(cd "$REPORT" && timeout --signal=INT --kill-after=30 "$BUDGET" \
  "$SCHEMATHESIS" --config-file "$CONFIG" run "$BASE/openapi.json" \
  --url "$BASE" \
  --header "Authorization: Bearer $ADMIN_KEY" \
  --max-examples "$MAX_EXAMPLES" \
  ${SOS_FUZZ_SEED:+--seed "$SOS_FUZZ_SEED"} \
  --request-timeout 60 \
  --workers 1 \
  --report junit,ndjson --report-dir . \
  --output-truncate false) 2>&1 | tee "$REPORT/schemathesis.log"
status=${PIPESTATUS[0]}
set -e

step "stopping the server (SIGTERM)"
stop_server
if grep -q "panicked" "$DATA_DIR/server.err" 2>/dev/null; then
  echo "the server logged errors or panics:" >&2
  grep -E "panicked" -A5 "$DATA_DIR/server.err" | head -50 >&2
  [ "$status" = 0 ] && status=1
fi
if [ "$status" = 124 ]; then
  echo "schemathesis did not finish within ${BUDGET}s" >&2
fi
if [ "$status" != 0 ]; then
  echo "schemathesis reported failures (exit $status); reports in $REPORT" >&2
  exit "$status"
fi
# The figures, as one line a CI reader counts ("N passed, N failed").
passed=$(grep -oE '[0-9]+ generated, [0-9]+ passed' "$REPORT/schemathesis.log" | tail -1 | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+' || echo 0)
echo "schemathesis: $passed passed, 0 failed"
