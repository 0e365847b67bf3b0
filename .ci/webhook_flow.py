"""Outbound webhooks as a subscriber sees them (issue 18), verified by an independent
implementation: the `standardwebhooks` package.

A receiver on loopback subscribes through the API, March is synced, calculated and
finalized, and every event that arrives must verify with the secret the API showed once; a
tampered body must not. Run by .ci/schemathesis.sh against the release server, which it starts
with SOS_WEBHOOK_ALLOW_HTTP=1 and SOS_WEBHOOK_ALLOW_PRIVATE=1 so loopback is reachable.

    python webhook_flow.py BASE_URL ADMIN_KEY
"""

import http.server
import json
import sys
import threading
import time
import urllib.error
import urllib.request

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

BASE, KEY = sys.argv[1], sys.argv[2]
received = []
lock = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        with lock:
            received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def call(method, path, body=None, expected=200):
    req = urllib.request.Request(BASE + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Authorization", "Bearer " + KEY)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            status, text = r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    if status != expected:
        sys.exit(f"{method} {path} answered {status} (expected {expected}): {text}")
    return json.loads(text) if text else None


def fail(message):
    sys.exit("webhook flow: " + message)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
threading.Thread(target=server.serve_forever, daemon=True).start()
endpoint = f"http://127.0.0.1:{server.server_address[1]}/hooks"

created = call("POST", "/api/webhooks", {"subscriber": "ci-receiver", "endpoint_url": endpoint,
                                         "event_types": ["*"]}, expected=201)
secret, sub_id = created["secret"], created["id"]
if not secret.startswith("whsec_"):
    fail(f"the secret {secret[:8]}... does not start with whsec_")
shown = call("GET", f"/api/webhooks/{sub_id}")
if secret in json.dumps(shown):
    fail("GET /api/webhooks/{id} returned the secret")

call("POST", "/api/sync/orders", {"seller_code": "SEL001", "period": "2026-03", "total_orders": 100,
                                  "orders_within_30min": 95, "orders_late": 5})
run = call("POST", "/api/sos/monthly/calculate", {"period": "2026-03"})
call("POST", "/api/sos/monthly/2026-03/finalize", {})

wanted = {"calculation.completed", "seller.score_finalized"}
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    with lock:
        types = {json.loads(body)["type"] for _, body in received}
    if wanted <= types:
        break
    time.sleep(0.2)
else:
    fail(f"within 60 s only {sorted(types)} arrived; expected {sorted(wanted)}")

hook = Webhook(secret)
with lock:
    arrived = list(received)
for headers, body in arrived:
    event = hook.verify(body, headers)
    if headers.get("x-sos-event") != event["type"]:
        fail(f"x-sos-event {headers.get('x-sos-event')} != type {event['type']}")
    try:
        hook.verify(body.replace(b"2026", b"2027"), headers)
        fail("a tampered body verified")
    except WebhookVerificationError:
        pass
completed = [json.loads(b)["data"] for _, b in arrived if json.loads(b)["type"] == "calculation.completed"]
if not any(c["run_id"] == run["id"] and c["period"] == "2026-03" for c in completed):
    fail(f"no calculation.completed for run {run['id']}: {completed}")
finalized = [json.loads(b)["data"] for _, b in arrived if json.loads(b)["type"] == "seller.score_finalized"]
if not any(f["seller_code"] == "SEL001" and f["period"] == "2026-03" for f in finalized):
    fail(f"no seller.score_finalized for SEL001 2026-03: {finalized}")

# The receiver answers before the worker records the answer: wait for the log to say so.
deadline = time.monotonic() + 30
while True:
    deliveries = call("GET", f"/api/webhooks/{sub_id}/deliveries")
    statuses = {d["status"] for d in deliveries["items"]}
    if statuses == {"delivered"}:
        break
    if time.monotonic() > deadline:
        fail(f"delivery statuses {statuses} 30 s after the events arrived")
    time.sleep(0.2)
call("DELETE", f"/api/webhooks/{sub_id}", expected=204)
server.shutdown()
print(f"webhook flow: {len(arrived)} events verified by standardwebhooks "
      f"({', '.join(sorted({json.loads(b)['type'] for _, b in arrived}))})")
