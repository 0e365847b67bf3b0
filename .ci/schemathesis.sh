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
env -u DATABASE_URL -u SOS_SECRET_KEY -u SOS_WORKERS \
  SOS_DATA_DIR="$DATA_DIR" SOS_BIND="127.0.0.1:$PORT" SOS_ADMIN_KEY="$ADMIN_KEY" \
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

step "seeding an AM, a seller, a campaign, their sync data and a calculation"
seed() { # METHOD PATH BODY EXPECTED-STATUS
  local out status
  out=$(http "$1" "$2" "$3")
  status=${out%% *}
  if [ "$status" != "$4" ]; then
    echo "seeding $1 $2 answered $out (expected $4)" >&2
    exit 1
  fi
}
seed POST /api/account-managers '{"id": 1, "name": "Nguyen Van A", "email": "a.nguyen@example.com"}' 201
seed POST /api/sellers '{"seller_code": "SEL001", "company_name": "Acme Cosmetics", "contract_type": "B2C", "country_code": "VN", "onboarded_at": "2025-06-01", "am_id": 1}' 201
seed POST /api/campaigns '{"campaign_code": "CAMP-2026-02", "name": "Valentine 2026", "campaign_type": "major_campaign", "start_date": "2026-02-14", "end_date": "2026-02-15"}' 201
seed POST /api/sync/orders '{"seller_code": "SEL001", "period": "2026-02", "total_orders": 150, "orders_within_30min": 140, "orders_late": 10, "avg_push_time_minutes": 18.5}' 200
seed POST /api/sync/forecasts '{"seller_code": "SEL001", "campaign_code": "CAMP-2026-02", "submitted_at": "2026-01-28T10:00:00Z", "forecasted_order_volume": 5000, "forecasted_sku_breakdown": {"SKU001": 2000, "SKU002": 3000}, "notes": "Valentine sale forecast"}' 200
seed POST /api/sync/campaign-actuals '{"seller_code": "SEL001", "campaign_code": "CAMP-2026-02", "actual_order_volume": 4800, "actual_sku_breakdown": {"SKU001": 1900, "SKU002": 2900}}' 200
seed POST /api/sync/tickets '{"seller_code": "SEL001", "period": "2026-02", "total_tickets": 25, "avg_response_time_hours": 3.5, "breakdown": {"under_4h": 18, "4h_8h": 4, "8h_16h": 2, "over_16h": 1}}' 200
seed POST /api/sync/payments '{"seller_code": "SEL001", "period": "2026-02", "total_invoices": 10, "invoices_on_time": 7, "invoices_late_1_7": 2, "invoices_late_7_15": 1, "invoices_late_15_20": 0, "invoices_late_over_20": 0, "worst_days_late": 12, "total_outstanding_amount": 15000000, "currency": "VND"}' 200
seed POST /api/sync/inventory '{"seller_code": "SEL001", "snapshot_date": "2026-02-28", "total_cbm": 150.5, "total_sku_qty": 12000, "aging_over_90d_cbm": 22.3, "aging_over_90d_sku_qty": 1800, "aging_over_180d_cbm": 5.1, "aging_over_180d_pct": 3.4}' 200
seed POST /api/sync/revenue '{"am_id": 1, "period": "2026-02", "revenue_target": 500000000, "revenue_actual": 450000000}' 200
seed POST /api/sos/monthly/calculate '{"period": "2026-02"}' 200
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
