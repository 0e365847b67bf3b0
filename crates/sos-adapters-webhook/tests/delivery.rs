//! The delivery worker end to end: use cases over the memory store on a test clock, this
//! crate's real client, and receivers on loopback. Signatures are checked by a verifier
//! written here from the Standard Webhooks text (HMAC built on SHA-256 by hand), so a bug in
//! SOS's signing cannot hide behind the same library on both sides.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared with the sender's tests; this file uses only part of it.
#[allow(dead_code)]
mod receiver;

use base64::{engine::general_purpose::STANDARD, Engine as _};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use receiver::{respond, Receiver, Seen};
use sha2::{Digest, Sha256};
use sos_adapters_memory::MemoryStore;
use sos_adapters_webhook::WebhookClient;
use sos_app::{CalculateRequest, Sos};
use sos_contract_tests::fixtures::{code, feb, seed_config, seed_full_inputs, seed_master, ACTOR};
use sos_domain::webhook::{EndpointPolicy, SubscriptionPatch};
use sos_ports::{CalculationScope, Clock, DeliveryStatus, PageRequest, ScoreStore, WebhookStore};
use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc, Mutex,
};

#[derive(Debug)]
struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    fn advance(&self, by: TimeDelta) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

struct World {
    sos: Sos<MemoryStore>,
    store: MemoryStore,
    clock: Arc<TestClock>,
    client: WebhookClient,
}

fn world() -> World {
    let clock = Arc::new(TestClock(Mutex::new(
        Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap(),
    )));
    let store = MemoryStore::with_clock(clock.clone());
    seed_master(&store, 1);
    seed_config(&store);
    seed_full_inputs(&store, &code("SEL001"));
    let client = WebhookClient::new(EndpointPolicy {
        allow_http: true,
        allow_private: true,
    })
    .unwrap();
    World {
        sos: Sos::new(store.clone()),
        store,
        clock,
        client,
    }
}

impl World {
    fn subscribe(&self, url: String, types: &[&str]) -> (i64, String) {
        let created = self
            .sos
            .create_subscription(
                &self.client,
                &SubscriptionPatch {
                    subscriber: Some("oms".into()),
                    endpoint_url: Some(url),
                    event_types: Some(types.iter().map(|t| t.to_string()).collect()),
                    ..SubscriptionPatch::default()
                },
                ACTOR,
            )
            .unwrap();
        (created.subscription.id, created.secret)
    }

    fn calculate_and_finalize(&self) {
        self.sos
            .calculate(
                &CalculateRequest {
                    period: feb(),
                    scope: CalculationScope::All,
                    dry_run: false,
                    actor: ACTOR.into(),
                },
                &mut |_| {},
            )
            .unwrap();
        self.sos.finalize(feb(), ACTOR).unwrap();
    }

    /// Runs worker rounds until one finds nothing due.
    fn drain(&self) -> u32 {
        let mut attempted = 0;
        loop {
            let round = self.sos.deliver_due(&self.client, 10).unwrap();
            if round.attempted == 0 {
                return attempted;
            }
            attempted += round.attempted;
        }
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// True when one `v1,` signature of the request is valid under `secret` (`whsec_...`).
fn verifies(seen: &Seen, secret: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let id = seen.header("webhook-id")[0];
    let timestamp = seen.header("webhook-timestamp")[0];
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(&seen.body);
    let expected = format!("v1,{}", STANDARD.encode(hmac_sha256(&key, &signed)));
    seen.header("webhook-signature")[0]
        .split(' ')
        .any(|s| s == expected)
}

fn body(seen: &Seen) -> serde_json::Value {
    serde_json::from_slice(&seen.body).unwrap()
}

fn ok_receiver() -> Receiver {
    Receiver::start(|_, stream| respond(stream, "204 No Content", &[], b""))
}

#[test]
fn finalizing_delivers_signed_seller_events() {
    let w = world();
    let rx = ok_receiver();
    let (id, secret) = w.subscribe(rx.url("/hooks"), &["*"]);
    assert!(secret.starts_with("whsec_"));
    assert_eq!(STANDARD.decode(&secret[6..]).unwrap().len(), 32);
    w.calculate_and_finalize();
    let sent = w.drain();
    let seen = rx.requests();
    assert_eq!(seen.len(), usize::try_from(sent).unwrap());
    let types: Vec<String> = seen
        .iter()
        .map(|s| body(s)["type"].as_str().unwrap().to_owned())
        .collect();
    assert!(types.contains(&"calculation.completed".to_owned()));
    assert_eq!(
        types
            .iter()
            .filter(|t| *t == "seller.score_finalized")
            .count(),
        1
    );
    let mut ids = std::collections::BTreeSet::new();
    for s in &seen {
        assert_eq!(s.method, "POST");
        assert_eq!(s.target, "/hooks");
        assert!(verifies(s, &secret), "signature of {:?}", body(s)["type"]);
        assert!(!verifies(
            s,
            "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        ));
        assert_eq!(s.header("x-sos-event"), [body(s)["type"].as_str().unwrap()]);
        assert_eq!(s.header("content-type"), ["application/json"]);
        assert_eq!(
            s.header("webhook-timestamp"),
            [w.clock.now().timestamp().to_string().as_str()]
        );
        assert!(
            ids.insert(s.header("webhook-id")[0].to_owned()),
            "ids are unique"
        );
    }
    let finalized = seen
        .iter()
        .map(body)
        .find(|b| b["type"] == "seller.score_finalized")
        .unwrap();
    assert_eq!(finalized["data"]["seller_code"], "SEL001");
    assert_eq!(finalized["data"]["period"], "2026-02");
    let stored = w.store.get_score(&code("SEL001"), feb()).unwrap();
    assert_eq!(
        finalized["data"]["result"]["sos_score"],
        serde_json::json!(stored.result.sos_score)
    );
    let deliveries = w
        .store
        .list_deliveries(
            id,
            PageRequest {
                page: 1,
                limit: 100,
            },
        )
        .unwrap();
    assert!(deliveries
        .items
        .iter()
        .all(|d| d.status == DeliveryStatus::Delivered && d.log[0].status_code == Some(204)));
}

#[test]
fn a_failure_is_retried_on_schedule_with_the_same_id() {
    let w = world();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let rx = Receiver::start(move |_, stream| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            respond(stream, "503 Service Unavailable", &[], b"busy");
        } else {
            respond(stream, "200 OK", &[], b"thanks");
        }
    });
    let (id, _) = w.subscribe(rx.url("/"), &["calculation.completed"]);
    w.calculate_and_finalize();
    assert_eq!(w.drain(), 1);
    assert_eq!(w.drain(), 0, "not due before its retry time");
    w.clock.advance(TimeDelta::milliseconds(4_400));
    assert_eq!(w.drain(), 0, "5 s less 10% jitter is still ahead");
    w.clock.advance(TimeDelta::milliseconds(1_200));
    assert_eq!(w.drain(), 1);
    let seen = rx.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].header("webhook-id"), seen[1].header("webhook-id"));
    assert_eq!(seen[0].body, seen[1].body);
    let d = &w
        .store
        .list_deliveries(id, PageRequest { page: 1, limit: 10 })
        .unwrap()
        .items[0];
    assert_eq!(d.status, DeliveryStatus::Delivered);
    assert_eq!(d.log.len(), 2);
    assert_eq!(d.log[0].status_code, Some(503));
    assert_eq!(d.log[0].response_body, "busy");
    assert_eq!(d.log[1].response_body, "thanks");
}

#[test]
fn retry_after_is_honoured() {
    let w = world();
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let rx = Receiver::start(move |_, stream| {
        if c.fetch_add(1, Ordering::SeqCst) == 0 {
            respond(
                stream,
                "429 Too Many Requests",
                &[("retry-after", "120")],
                b"",
            );
        } else {
            respond(stream, "200 OK", &[], b"");
        }
    });
    w.subscribe(rx.url("/"), &["calculation.completed"]);
    w.calculate_and_finalize();
    assert_eq!(w.drain(), 1);
    w.clock.advance(TimeDelta::seconds(60));
    assert_eq!(
        w.drain(),
        0,
        "the schedule says 5 s, the receiver said 120 s"
    );
    w.clock.advance(TimeDelta::seconds(61));
    assert_eq!(w.drain(), 1);
    assert_eq!(rx.requests().len(), 2);
}

#[test]
fn gone_disables_the_subscription() {
    let w = world();
    let rx = Receiver::start(|_, stream| respond(stream, "410 Gone", &[], b""));
    let (id, _) = w.subscribe(rx.url("/"), &["*"]);
    w.calculate_and_finalize();
    assert_eq!(w.drain(), 1, "the first 410 stops everything else");
    let sub = w.sos.get_subscription(id).unwrap();
    assert!(!sub.settings.is_active());
    assert!(sub.disabled_reason.unwrap().contains("410"));
    w.clock.advance(TimeDelta::days(2));
    assert_eq!(w.drain(), 0);
    assert_eq!(rx.requests().len(), 1);
}

#[test]
fn replay_resends_with_the_same_id_and_rotation_signs_with_both() {
    let w = world();
    let rx = ok_receiver();
    let (id, old_secret) = w.subscribe(rx.url("/"), &["calculation.completed"]);
    w.calculate_and_finalize();
    assert_eq!(w.drain(), 1);
    let delivery = w
        .store
        .list_deliveries(id, PageRequest { page: 1, limit: 10 })
        .unwrap()
        .items[0]
        .clone();
    let rotated = w.sos.rotate_secret(id, ACTOR).unwrap();
    assert_ne!(rotated.secret, old_secret);
    w.sos.replay_delivery(delivery.id, ACTOR).unwrap();
    assert_eq!(w.drain(), 1);
    let seen = rx.requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].header("webhook-id"), [delivery.event_id.as_str()]);
    assert_eq!(seen[1].header("webhook-signature")[0].split(' ').count(), 2);
    assert!(verifies(&seen[1], &rotated.secret));
    assert!(verifies(&seen[1], &old_secret));
    // A day later only the new secret signs.
    w.clock.advance(TimeDelta::hours(25));
    w.sos
        .replay_since(
            id,
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            ACTOR,
        )
        .unwrap();
    assert_eq!(w.drain(), 1);
    let third = &rx.requests()[2];
    assert!(verifies(third, &rotated.secret));
    assert!(!verifies(third, &old_secret));
    assert_eq!(third.header("webhook-id"), [delivery.event_id.as_str()]);
}

#[test]
fn a_dry_run_emits_nothing() {
    let w = world();
    let rx = ok_receiver();
    w.subscribe(rx.url("/"), &["*"]);
    w.sos
        .calculate(
            &CalculateRequest {
                period: feb(),
                scope: CalculationScope::All,
                dry_run: true,
                actor: ACTOR.into(),
            },
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(w.drain(), 0);
    assert!(rx.requests().is_empty());
}
