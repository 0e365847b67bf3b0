//! The webhook client against real receivers on 127.0.0.1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod receiver;

use chrono::TimeDelta;
use receiver::{respond, Receiver};
use sos_adapters_webhook::WebhookClient;
use sos_domain::webhook::{EndpointPolicy, EndpointUrl};
use sos_ports::{OutboundRequest, SendReport, WebhookGateway, MAX_LOGGED_BODY};
use std::io::Write;
use std::net::TcpListener;
use std::time::{Duration, Instant, SystemTime};

const LOCAL: EndpointPolicy = EndpointPolicy {
    allow_http: true,
    allow_private: true,
};
const PUBLIC_ONLY: EndpointPolicy = EndpointPolicy {
    allow_http: true,
    allow_private: false,
};

fn client(policy: EndpointPolicy) -> WebhookClient {
    WebhookClient::new(policy).unwrap()
}

/// An endpoint as stored: parsed leniently, so the sender's own checks are what is tested.
fn endpoint(url: &str) -> EndpointUrl {
    EndpointUrl::parse(url, LOCAL).unwrap()
}

fn request(url: &str, timeout: Duration) -> OutboundRequest {
    OutboundRequest {
        url: endpoint(url),
        headers: vec![("content-type".into(), "application/json".into())],
        body: "{}".into(),
        timeout,
    }
}

fn send(url: &str) -> SendReport {
    client(LOCAL).send(&request(url, Duration::from_secs(5)))
}

#[test]
fn headers_and_body_arrive_exactly_as_given() {
    let rx = Receiver::start(|_, s| respond(s, "200 OK", &[], b"thanks"));
    let body = r#"{"type":"seller.tier_changed","timestamp":"2026-03-01T00:00:00Z","data":{"seller_code":"SEL001","name":"Công ty Ánh"}}"#;
    let given = [
        ("content-type", "application/json"),
        ("webhook-id", "evt_01HZX3"),
        ("webhook-timestamp", "1772323200"),
        (
            "webhook-signature",
            "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v1,old+sig/==",
        ),
        ("x-sos-event", "seller.tier_changed"),
    ];
    let report = client(LOCAL).send(&OutboundRequest {
        url: endpoint(&rx.url("/hooks/sos?tenant=a")),
        headers: given
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.into(),
        timeout: Duration::from_secs(5),
    });
    assert_eq!(report.status, Some(200), "{report:?}");
    assert_eq!(report.error, None);
    assert_eq!(report.body, "thanks");
    let seen = rx.requests();
    assert_eq!(seen.len(), 1);
    let seen = &seen[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.target, "/hooks/sos?tenant=a");
    for (name, value) in given {
        assert_eq!(seen.header(name), vec![value], "{name}");
    }
    assert_eq!(seen.header("content-length"), vec![body.len().to_string()]);
    assert_eq!(seen.body, body.as_bytes());
}

#[test]
fn statuses_are_reported() {
    let rx = Receiver::start(|seen, s| {
        let code = seen.target.trim_start_matches('/');
        let status = match code {
            "200" => "200 OK",
            "204" => "204 No Content",
            "410" => "410 Gone",
            _ => "500 Internal Server Error",
        };
        let body: &[u8] = if code == "204" { b"" } else { code.as_bytes() };
        respond(s, status, &[], body);
    });
    for code in [200, 204, 410, 500] {
        let report = send(&rx.url(&format!("/{code}")));
        assert_eq!(report.status, Some(code), "{report:?}");
        assert_eq!(report.error, None, "{code}");
        assert_eq!(report.retry_after, None);
        if code != 204 {
            assert_eq!(report.body, code.to_string());
        }
        assert!(report.duration < Duration::from_secs(5));
    }
}

#[test]
fn retry_after_is_read_as_seconds_or_a_date() {
    let rx = Receiver::start(|seen, s| {
        let value = if seen.target == "/seconds" {
            "120".to_string()
        } else {
            httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(300))
        };
        respond(
            s,
            "503 Service Unavailable",
            &[("retry-after", &value)],
            b"",
        );
    });
    let report = send(&rx.url("/seconds"));
    assert_eq!(report.status, Some(503));
    assert_eq!(report.retry_after, Some(TimeDelta::seconds(120)));
    let report = send(&rx.url("/date"));
    assert_eq!(report.status, Some(503));
    let wait = report.retry_after.unwrap();
    // The date has whole seconds: 299 to 300 s from now.
    assert!(
        wait >= TimeDelta::seconds(295) && wait <= TimeDelta::seconds(300),
        "{wait}"
    );
}

#[test]
fn redirects_are_reported_not_followed() {
    let rx = Receiver::start(|seen, s| {
        if seen.target == "/start" {
            let port = seen.header("host")[0]
                .rsplit(':')
                .next()
                .unwrap()
                .to_string();
            let location = format!("http://127.0.0.1:{port}/elsewhere");
            respond(s, "302 Found", &[("location", &location)], b"moved");
        } else {
            respond(s, "200 OK", &[], b"followed");
        }
    });
    let report = send(&rx.url("/start"));
    assert_eq!(report.status, Some(302), "{report:?}");
    assert_eq!(report.body, "moved");
    std::thread::sleep(Duration::from_millis(200));
    let targets: Vec<String> = rx.requests().into_iter().map(|s| s.target).collect();
    assert_eq!(targets, vec!["/start"]);
}

#[test]
fn a_silent_receiver_times_out_in_the_time_limit() {
    let rx = Receiver::start(|_, _| std::thread::sleep(Duration::from_secs(10)));
    let started = Instant::now();
    let report = client(LOCAL).send(&request(&rx.url("/"), Duration::from_secs(1)));
    let took = started.elapsed();
    assert_eq!(report.status, None);
    assert_eq!(report.error.as_deref(), Some("timed out after 1 s"));
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(2_000),
        "{took:?}"
    );
    assert!(report.duration >= Duration::from_millis(900));
}

#[test]
fn a_body_that_stalls_times_out_in_the_time_limit() {
    let rx = Receiver::start(|_, s| {
        let _ = s.write_all(b"HTTP/1.1 500 Oops\r\ncontent-length: 100\r\n\r\npartial");
        let _ = s.flush();
        std::thread::sleep(Duration::from_secs(10));
    });
    let started = Instant::now();
    let report = client(LOCAL).send(&request(&rx.url("/"), Duration::from_secs(1)));
    let took = started.elapsed();
    assert_eq!(report.status, Some(500));
    assert_eq!(report.body, "partial");
    assert_eq!(
        report.error.as_deref(),
        Some("timed out after 1 s while reading the answer's body")
    );
    assert!(took < Duration::from_millis(2_000), "{took:?}");
}

#[test]
fn a_refused_connection_is_an_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let report = send(&format!("http://127.0.0.1:{port}/"));
    assert_eq!(report.status, None);
    let error = report.error.unwrap();
    assert!(error.starts_with("connection failed"), "{error}");
    assert!(error.to_lowercase().contains("refused"), "{error}");
    assert!(report.duration < Duration::from_secs(2));
}

#[test]
fn private_addresses_are_refused_unless_allowed() {
    let rx = Receiver::start(|_, s| respond(s, "200 OK", &[], b"ok"));
    let strict = client(PUBLIC_ONLY);
    let urls = [
        format!("http://127.0.0.1:{}/", rx.port),
        format!("http://localhost:{}/", rx.port),
        format!("http://[::1]:{}/", rx.port),
        "http://169.254.169.254/latest/meta-data/".to_string(),
        "http://10.0.0.1/".to_string(),
    ];
    for url in &urls {
        let report = strict.send(&request(url, Duration::from_secs(5)));
        assert_eq!(report.status, None, "{url}");
        let error = report.error.unwrap();
        assert!(
            error.contains("loopback, private, link-local or metadata address"),
            "{url}: {error}"
        );
        let refused = strict.check_endpoint(&endpoint(url)).unwrap_err();
        assert!(refused.contains("SOS_WEBHOOK_ALLOW_PRIVATE=1"), "{refused}");
    }
    assert!(strict
        .send(&request(&urls[1], Duration::from_secs(5)))
        .error
        .unwrap()
        .starts_with("localhost ("));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(rx.connections(), 0, "a refused address was connected to");

    let open = client(LOCAL);
    for url in &urls[..2] {
        open.check_endpoint(&endpoint(url)).unwrap();
        let report = open.send(&request(url, Duration::from_secs(5)));
        assert_eq!(report.status, Some(200), "{url}: {report:?}");
    }
    assert_eq!(rx.requests().len(), 2);
}

#[test]
fn plain_http_and_unknown_hosts_are_refused() {
    let https_only = client(EndpointPolicy {
        allow_http: false,
        allow_private: true,
    });
    let rx = Receiver::start(|_, s| respond(s, "200 OK", &[], b"ok"));
    let report = https_only.send(&request(&rx.url("/"), Duration::from_secs(5)));
    assert_eq!(report.status, None);
    assert!(report.error.unwrap().contains("https://"));
    assert!(https_only.check_endpoint(&endpoint(&rx.url("/"))).is_err());
    assert_eq!(rx.connections(), 0);

    let unknown = endpoint("https://no-such-host.invalid/hooks");
    let refused = client(PUBLIC_ONLY).check_endpoint(&unknown).unwrap_err();
    assert!(
        refused.contains("no-such-host.invalid does not resolve"),
        "{refused}"
    );
    let report = client(PUBLIC_ONLY).send(&request(unknown.as_str(), Duration::from_secs(5)));
    assert_eq!(report.status, None);
    assert!(report.error.unwrap().contains("does not resolve"));
}

#[test]
fn a_huge_body_is_cut_without_waiting_for_it() {
    const TOTAL: usize = 10 * 1024 * 1024;
    let rx = Receiver::start(|_, s| {
        let head = format!("HTTP/1.1 200 OK\r\ncontent-length: {TOTAL}\r\n\r\n");
        let _ = s.write_all(head.as_bytes());
        // The first 64 KiB at once, then the rest slowly: 10 MiB would take 8 s.
        let chunk = vec![b'a'; 64 * 1024];
        for _ in 0..TOTAL / chunk.len() {
            if s.write_all(&chunk).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let started = Instant::now();
    let report = client(LOCAL).send(&request(&rx.url("/"), Duration::from_secs(20)));
    assert_eq!(report.status, Some(200));
    assert_eq!(report.error, None);
    assert_eq!(report.body.len(), MAX_LOGGED_BODY);
    assert!(report.body.bytes().all(|b| b == b'a'));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn multibyte_and_invalid_bodies_are_cut_safely() {
    let rx = Receiver::start(|seen, s| {
        let body: Vec<u8> = match seen.target.as_str() {
            // 3-byte characters: 341 fit (1,023 bytes), the 342nd would end at 1,026.
            "/euro" => "€".repeat(400).into_bytes(),
            // One ASCII byte, then 4-byte characters: 255 fit (1,021 bytes).
            "/emoji" => format!("a{}", "🦀".repeat(300)).into_bytes(),
            // Not UTF-8 at all.
            _ => vec![0xff; 2_000],
        };
        respond(s, "400 Bad Request", &[], &body);
    });
    let euro = send(&rx.url("/euro"));
    assert_eq!(euro.body, "€".repeat(341));
    let emoji = send(&rx.url("/emoji"));
    assert_eq!(emoji.body, format!("a{}", "🦀".repeat(255)));
    let binary = send(&rx.url("/binary"));
    assert_eq!(binary.status, Some(400));
    assert!(!binary.body.is_empty() && binary.body.len() <= MAX_LOGGED_BODY);
    assert!(binary.body.chars().all(|c| c == '\u{fffd}'));
}
