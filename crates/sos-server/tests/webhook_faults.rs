//! Webhook delivery under faults: the real `sos-server` binary (debug build) on a private,
//! durable PostgreSQL cluster that each test starts for itself, delivering to receivers the
//! test runs on loopback (`SOS_WEBHOOK_ALLOW_HTTP=1`, `SOS_WEBHOOK_ALLOW_PRIVATE=1`).
//!
//! - `kill -9` of the server while a slow receiver holds deliveries open: after a restart on
//!   the same database every event of the outbox reaches the receiver at least once, every
//!   delivery ends `delivered`, every request the dead server left unanswered is sent again.
//! - Two server processes on one database: every event delivered once, never by both at once,
//!   and both did part of the work. Again with a receiver so slow that ten sends in a row
//!   outlast a lease (a delivery thread used to lease ten at once, and the later ones were
//!   leased again and sent by the other server at the same time).
//! - `kill -9` during a calculation whose transaction has already written events to the outbox:
//!   none of them survives, and the calculation run again emits one `calculation.completed`.
//!
//! The subscription is written straight through the store (`PgStore` and the `WebhookStore`
//! port) with a secret the test knows, so each request's signature is checked here, with an
//! HMAC over `id.timestamp.body` computed by the test. No fault follows a fixed sleep: each is
//! injected once the receiver or the database shows the work it is meant to hit. The harness
//! (cluster, server, HTTP client, SQL helpers) is a copy of the part of `faults.rs` these tests
//! need. Each test prints what it did (`-- --nocapture`); docs/reliability.md lists them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::{engine::general_purpose::STANDARD, Engine as _};
use diesel::{
    sql_query,
    sql_types::{BigInt, Integer, Text},
    Connection, PgConnection, QueryableByName, RunQueryDsl,
};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use sos_adapters_pg::PgStore;
use sos_domain::webhook::{EndpointPolicy, SubscriptionDraft, SubscriptionPatch, WebhookSecret};
use sos_pg_local::cluster::{Durability, LocalCluster, StartOptions};
use sos_ports::WebhookStore;
use std::{
    collections::{BTreeMap, BTreeSet},
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    os::unix::{fs::PermissionsExt, process::ExitStatusExt},
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex, MutexGuard,
    },
    thread::{self, JoinHandle},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_sos-server");
const ADMIN_KEY: &str = "webhook-faults-admin-key-0123456789abcdef";
/// The subscription's signing key, known to the test.
const KEY: [u8; 32] = [0x5a; 32];

/// One test at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

// ----------------------------------------------------------------------------------------------
// Guards: a temporary directory, a PostgreSQL cluster, a server process (from faults.rs).

/// A directory removed on drop, traversable by the `postgres` user (the tests may run as root).
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let base = if Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let path = base.join(format!(
            "sos-webhook-faults-{tag}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self(path.canonicalize().unwrap())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A durable private cluster; stopped and deleted on drop.
struct Pg {
    cluster: Option<LocalCluster>,
    url: String,
    _dir: TempDir,
}

impl Pg {
    fn start(tag: &str) -> Self {
        let dir = TempDir::new(tag);
        let options = StartOptions {
            durability: Durability::Durable,
            ..StartOptions::default()
        };
        let cluster = LocalCluster::start_with_options(&dir.0.join("db"), options)
            .expect("a private PostgreSQL starts");
        Self {
            url: cluster.database_url(),
            cluster: Some(cluster),
            _dir: dir,
        }
    }

    fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connect to the test cluster")
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        if let Some(cluster) = self.cluster.take() {
            if let Err(e) = cluster.destroy() {
                eprintln!("could not destroy the test cluster: {e}");
            }
        }
    }
}

/// A running `sos-server serve` on `DATABASE_URL`, allowed to deliver to loopback over plain
/// HTTP; killed (SIGKILL) on drop if still running.
struct Server {
    child: Child,
    addr: String,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(pg: &Pg, data_dir: &Path, webhook_workers: usize) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut child = Command::new(BIN)
            .arg("serve")
            .current_dir(data_dir)
            .env("DATABASE_URL", &pg.url)
            .env("SOS_DATA_DIR", data_dir)
            .env("SOS_BIND", &addr)
            .env("SOS_ADMIN_KEY", ADMIN_KEY)
            .env("SOS_WORKERS", "4")
            .env("SOS_WEBHOOK_WORKERS", webhook_workers.to_string())
            .env("SOS_WEBHOOK_ALLOW_HTTP", "1")
            .env("SOS_WEBHOOK_ALLOW_PRIVATE", "1")
            .env_remove("SOS_SECRET_KEY")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the sos-server binary starts");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = stderr.clone();
        let err = child.stderr.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let server = Self {
            child,
            addr,
            stderr,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = request(&server.addr, "GET", "/readyz", None) {
                if r.status == 200 {
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the server was not ready within 60 s:\n{}",
                server.stderr_text()
            );
            thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// SIGKILL, then reaps the process: no shutdown code runs. Returns how it ended.
    fn kill9(&mut self) -> ExitStatus {
        self.child.kill().unwrap();
        self.child.wait().unwrap()
    }

    fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    /// Server log lines containing `needle`.
    fn log_lines_with(&self, needle: &str) -> usize {
        self.stderr
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    fn assert_no_panic(&self) {
        let text = self.stderr_text();
        assert!(!text.contains("panicked"), "the server panicked:\n{text}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.running() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ----------------------------------------------------------------------------------------------
// A small blocking HTTP/1.1 client, one request per connection (from faults.rs).

#[derive(Debug)]
struct Response {
    status: u16,
    body: String,
}

impl Response {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn request(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let payload = body.map(Value::to_string).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {ADMIN_KEY}\r\n");
    if body.is_some() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            payload.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(payload.as_bytes())?;
    stream.flush()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split =
        find(&raw, b"\r\n\r\n").ok_or_else(|| std::io::Error::other("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("bad status line"))?;
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    Ok(Response {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = find(raw, b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&raw[..end])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        raw = &raw[end + 2..];
        if size == 0 || raw.len() < size {
            break;
        }
        out.extend_from_slice(&raw[..size]);
        raw = raw.get(size + 2..).unwrap_or_default();
    }
    out
}

/// A request that must answer `expected`.
#[track_caller]
fn must(addr: &str, method: &str, path: &str, body: Option<&Value>, expected: u16) -> Value {
    let r = request(addr, method, path, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    assert_eq!(r.status, expected, "{method} {path}: {}", r.body);
    if r.body.is_empty() {
        Value::Null
    } else {
        r.json()
    }
}

fn calculate(addr: &str) -> Value {
    must(
        addr,
        "POST",
        "/api/sos/monthly/calculate",
        Some(&json!({"period": "2026-02"})),
        200,
    )
}

fn finalize(addr: &str) {
    must(addr, "POST", "/api/sos/monthly/2026-02/finalize", None, 200);
}

// ----------------------------------------------------------------------------------------------
// SQL (from faults.rs).

#[derive(QueryableByName)]
struct Num {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Txt {
    #[diesel(sql_type = Text)]
    t: String,
}

#[derive(QueryableByName)]
struct EventRow {
    #[diesel(sql_type = Text)]
    event_id: String,
    #[diesel(sql_type = Text)]
    event_type: String,
    #[diesel(sql_type = Text)]
    payload: String,
}

fn exec(conn: &mut PgConnection, sql: &str) -> usize {
    sql_query(sql)
        .execute(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

fn num(conn: &mut PgConnection, sql: &str) -> i64 {
    sql_query(sql)
        .get_result::<Num>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

fn text(conn: &mut PgConnection, sql: &str) -> String {
    sql_query(sql)
        .get_result::<Txt>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .t
}

/// Every event of the outbox, by event id.
fn outbox(conn: &mut PgConnection) -> BTreeMap<String, EventRow> {
    sql_query("SELECT event_id, event_type, payload FROM webhook_event ORDER BY id")
        .load::<EventRow>(conn)
        .unwrap()
        .into_iter()
        .map(|e| (e.event_id.clone(), e))
        .collect()
}

/// Delivery rows not yet `delivered`.
fn undelivered(conn: &mut PgConnection) -> i64 {
    num(
        conn,
        "SELECT count(*) AS n FROM webhook_delivery WHERE status <> 'delivered'",
    )
}

/// `n` active sellers `F000001`... with order, ticket and payment figures for 2026-02, straight
/// in the tables (the API would take minutes for thousands).
fn seed_scorable(conn: &mut PgConnection, n: usize) {
    exec(
        conn,
        &format!(
            "INSERT INTO seller (seller_code, company_name, status, onboarded_at, created_by, updated_by) \
             SELECT 'F' || lpad(g::text, 6, '0'), 'Fault seller ' || g, 'active', DATE '2024-01-01', 'faults', 'faults' \
             FROM generate_series(1, {n}) g"
        ),
    );
    exec(
        conn,
        "INSERT INTO sos_order_operation_raw (seller_id, period, total_orders, orders_within_30min, orders_late, avg_push_time_minutes) \
         SELECT id, '2026-02', 100 + id % 50, 60, 10 + id % 5, 12.5 FROM seller",
    );
    exec(
        conn,
        "INSERT INTO sos_ticket_sla_raw (seller_id, period, total_tickets, avg_response_time_hours) \
         SELECT id, '2026-02', 20, 2.5 + (id % 9) FROM seller",
    );
    exec(
        conn,
        "INSERT INTO sos_payment_raw (seller_id, period, total_invoices, invoices_on_time, invoices_late_1_7, invoices_late_7_15, \
         invoices_late_15_20, invoices_late_over_20, worst_days_late, total_outstanding_amount, currency) \
         SELECT id, '2026-02', 10, 7 + id % 3, 1, 0, 0, 0, 5, 1000, 'VND' FROM seller",
    );
}

// ----------------------------------------------------------------------------------------------
// Waiting on conditions (from faults.rs).

/// Polls `probe` every `every` until it yields a value; fails naming `what` after `within`.
#[track_caller]
fn wait_for<T>(
    within: Duration,
    every: Duration,
    what: &str,
    mut probe: impl FnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < deadline, "not within {within:?}: {what}");
        thread::sleep(every);
    }
}

// ----------------------------------------------------------------------------------------------
// The subscription, and a receiver on loopback.

/// Subscribes `url` to every event through the store, signed with [`KEY`], waiting at most
/// `timeout_seconds` per attempt (a delivery's lease is that plus 5 s). The store has no
/// server key, so the secret is stored as it is and the server uses it as it is.
fn subscribe(pg: &Pg, url: &str, timeout_seconds: i64) -> i64 {
    let settings = SubscriptionDraft::create(
        &SubscriptionPatch {
            subscriber: Some("webhook-faults".into()),
            endpoint_url: Some(url.to_string()),
            timeout_seconds: Some(timeout_seconds),
            ..SubscriptionPatch::default()
        },
        EndpointPolicy {
            allow_http: true,
            allow_private: true,
        },
    )
    .unwrap();
    let store = PgStore::connect(&pg.url, 1).unwrap();
    store
        .create_subscription(&settings, &WebhookSecret::from_bytes(KEY), "webhook-faults")
        .unwrap()
        .id
}

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Seen {
    id: String,
    timestamp: String,
    signature: String,
    event: String,
    body: String,
    /// When the whole request had arrived.
    arrived: Instant,
    /// When the receiver began to write its answer; `None` while it holds the request.
    answering: Option<Instant>,
    /// When the answer was written.
    answered: Option<Instant>,
    /// Which of the watched server processes holds the connection's other end.
    sender: Option<usize>,
}

/// A small HTTP/1.1 server on loopback that records every request and answers each `200`
/// after holding it for `hold` (one thread per connection, `Connection: close`).
struct Receiver {
    url: String,
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    /// Server PIDs a connection is traced to, through `/proc`.
    senders: Arc<Mutex<Vec<u32>>>,
    stop: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl Receiver {
    fn start(hold: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let senders: Arc<Mutex<Vec<u32>>> = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let acceptor = {
            let (seen, senders, stop) = (seen.clone(), senders.clone(), stop.clone());
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (seen, senders) = (seen.clone(), senders.clone());
                    thread::spawn(move || {
                        let _ = serve_one(stream, hold, &seen, &senders);
                    });
                }
            })
        };
        Self {
            url: format!("http://{addr}/hook"),
            addr,
            seen,
            senders,
            stop,
            acceptor: Some(acceptor),
        }
    }

    fn watch(&self, pids: &[u32]) {
        *self.senders.lock().unwrap() = pids.to_vec();
    }

    fn snapshot(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn distinct_ids(&self) -> BTreeSet<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|s| s.id.clone())
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the acceptor, which then sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
    }
}

fn serve_one(
    mut stream: TcpStream,
    hold: Duration,
    seen: &Mutex<Vec<Seen>>,
    senders: &Mutex<Vec<u32>>,
) -> std::io::Result<()> {
    let pids = senders.lock().unwrap().clone();
    let sender = if pids.is_empty() {
        None
    } else {
        owner_of_connection(stream.peer_addr()?, stream.local_addr()?, &pids)
    };
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut raw = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(p) = find(&raw, b"\r\n\r\n") {
            break p;
        }
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        raw.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let headers: BTreeMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while raw.len() < head_end + 4 + length {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        raw.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&raw[head_end + 4..head_end + 4 + length]).into_owned();
    let header = |name: &str| headers.get(name).cloned().unwrap_or_default();
    let index = {
        let mut seen = seen.lock().unwrap();
        seen.push(Seen {
            id: header("webhook-id"),
            timestamp: header("webhook-timestamp"),
            signature: header("webhook-signature"),
            event: header("x-sos-event"),
            body,
            arrived: Instant::now(),
            answering: None,
            answered: None,
            sender,
        });
        seen.len() - 1
    };
    thread::sleep(hold);
    seen.lock().unwrap()[index].answering = Some(Instant::now());
    let result = stream
        .write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
        )
        .and_then(|()| stream.flush());
    seen.lock().unwrap()[index].answered = Some(Instant::now());
    result
}

/// The index in `pids` of the process holding the client end of the loopback connection
/// `peer` -> `local`: its socket inode from `/proc/net/tcp`, then that inode among each
/// process's open files.
fn owner_of_connection(peer: SocketAddr, local: SocketAddr, pids: &[u32]) -> Option<usize> {
    let hex = |a: SocketAddr| match a {
        SocketAddr::V4(v4) => Some(format!(
            "{:08X}:{:04X}",
            u32::from_ne_bytes(v4.ip().octets()),
            v4.port()
        )),
        SocketAddr::V6(_) => None,
    };
    let (client, server) = (hex(peer)?, hex(local)?);
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let inode = table.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        (f.get(1) == Some(&client.as_str()) && f.get(2) == Some(&server.as_str()))
            .then(|| f.get(9).map(|s| (*s).to_string()))
            .flatten()
    })?;
    let target = format!("socket:[{inode}]");
    pids.iter().position(|pid| {
        std::fs::read_dir(format!("/proc/{pid}/fd")).is_ok_and(|fds| {
            fds.flatten().any(|fd| {
                std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == target.as_str())
            })
        })
    })
}

/// Checks one request as a Standard Webhooks receiver would, with [`KEY`]: a `v1,` signature
/// over `id.timestamp.body`, a recent timestamp, and the body exactly as the outbox holds it.
#[track_caller]
fn check_request(seen: &Seen, outbox: &BTreeMap<String, EventRow>) {
    let event = outbox
        .get(&seen.id)
        .unwrap_or_else(|| panic!("the receiver got an event the outbox does not hold: {seen:?}"));
    assert_eq!(seen.body, event.payload, "the body of {}", seen.id);
    assert_eq!(seen.event, event.event_type, "x-sos-event of {}", seen.id);
    let body: Value = serde_json::from_str(&seen.body).unwrap();
    assert_eq!(body["type"], json!(event.event_type), "{}", seen.body);
    let timestamp: i64 = seen.timestamp.parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        (i64::try_from(now).unwrap() - timestamp).abs() < 300,
        "webhook-timestamp {timestamp} is not recent"
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(&KEY).unwrap();
    mac.update(format!("{}.{}.{}", seen.id, seen.timestamp, seen.body).as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    assert!(
        seen.signature.split(' ').any(|s| s == expected),
        "no valid signature on {}: {}",
        seen.id,
        seen.signature
    );
}

/// Ids the receiver got more than once, with how many times.
fn repeated(seen: &[Seen]) -> BTreeMap<String, usize> {
    let mut times: BTreeMap<String, usize> = BTreeMap::new();
    for s in seen {
        *times.entry(s.id.clone()).or_default() += 1;
    }
    times.retain(|_, n| *n > 1);
    times
}

/// Pairs of requests for one id the receiver was holding at the same time.
fn overlapping(seen: &[Seen]) -> Vec<(String, Duration)> {
    let mut by_id: BTreeMap<&str, Vec<&Seen>> = BTreeMap::new();
    for s in seen {
        by_id.entry(&s.id).or_default().push(s);
    }
    let mut out = Vec::new();
    for (id, mut requests) in by_id {
        requests.sort_by_key(|s| s.arrived);
        // The latest end among the requests that arrived before: a later arrival overlaps
        // one of them exactly when it comes before that.
        let mut held_until: Option<Instant> = None;
        for r in requests {
            if let Some(end) = held_until.filter(|end| r.arrived < *end) {
                out.push((id.to_string(), end - r.arrived));
            }
            let end = r.answered.unwrap_or_else(Instant::now);
            held_until = Some(held_until.map_or(end, |h| h.max(end)));
        }
    }
    out
}

// ----------------------------------------------------------------------------------------------
// 1. kill -9 with deliveries in flight.

#[test]
fn kill_9_with_deliveries_in_flight_loses_no_event() {
    let _serial = serial();
    let began = Instant::now();
    let pg = Pg::start("wh-kill");
    let data = TempDir::new("wh-kill-data");
    // Each request held 1 s, so with 4 delivery threads some are always open.
    let receiver = Receiver::start(Duration::from_secs(1));
    let mut server = Server::start(&pg, &data.0, 4);
    // Leases of 3 + 5 s: the dead server's deliveries are free again soon after the kill.
    subscribe(&pg, &receiver.url, 3);
    let mut conn = pg.connect();
    seed_scorable(&mut conn, 40);
    let run = calculate(&server.addr);
    assert_eq!(run["sellers_scored"], json!(40), "{run}");
    finalize(&server.addr);
    let events = outbox(&mut conn);
    let total = events.len();
    assert_eq!(
        total, 41,
        "one calculation.completed and 40 seller.score_finalized expected"
    );
    assert_eq!(
        num(&mut conn, "SELECT count(*) AS n FROM webhook_delivery"),
        i64::try_from(total).unwrap(),
        "one delivery per event"
    );

    // Deliveries in flight: some events received, not all, and the receiver holding some.
    let (got, open) = wait_for(
        Duration::from_secs(30),
        Duration::from_millis(5),
        "the receiver holding deliveries, with some but not all events received",
        || {
            let seen = receiver.snapshot();
            let distinct: BTreeSet<&str> = seen.iter().map(|s| s.id.as_str()).collect();
            let open = seen.iter().filter(|s| s.answering.is_none()).count();
            (distinct.len() >= 10 && open >= 1 && distinct.len() < total)
                .then_some((distinct.len(), open))
        },
    );
    let pid = server.pid();
    let status = server.kill9();
    assert_eq!(
        status.signal(),
        Some(9),
        "the server did not die of SIGKILL: {status:?}"
    );
    assert!(
        !Path::new(&format!("/proc/{pid}")).exists(),
        "the killed server is still in the process table"
    );
    // The dead server can no longer read an answer: what the receiver had not begun to answer
    // by now is unacknowledged for sure.
    let at_death = receiver.snapshot();
    let cut: BTreeSet<String> = at_death
        .iter()
        .filter(|s| s.answering.is_none())
        .map(|s| s.id.clone())
        .collect();
    let leased = num(
        &mut conn,
        "SELECT count(*) AS n FROM webhook_delivery WHERE status = 'pending' AND lease IS NOT NULL",
    );
    let delivered_before: Vec<String> = sql_query(
        "SELECT e.event_id AS t FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event_id \
         WHERE d.status = 'delivered'",
    )
    .load::<Txt>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|r| r.t)
    .collect();
    assert!(!cut.is_empty(), "no request was open at the kill");
    assert!(
        leased >= i64::try_from(cut.len()).unwrap(),
        "{leased} deliveries leased for {} requests open at the kill",
        cut.len()
    );
    assert!(
        delivered_before.len() < total,
        "everything was delivered before the kill"
    );
    println!(
        "webhook faults: kill -9 of server PID {pid} ({status:?}) with {open} request(s) held by the receiver \
         ({got} of {total} events received); at its death {} requests unanswered, {leased} deliveries leased \
         and unrecorded, {} recorded delivered",
        cut.len(),
        delivered_before.len()
    );

    let restarted = Instant::now();
    let server = Server::start(&pg, &data.0, 4);
    wait_for(
        Duration::from_secs(45),
        Duration::from_millis(50),
        "every event received and every delivery recorded delivered after the restart",
        || {
            let ids = receiver.distinct_ids();
            (events.keys().all(|id| ids.contains(id)) && undelivered(&mut conn) == 0).then_some(())
        },
    );
    let recovered = restarted.elapsed();

    let seen = receiver.snapshot();
    for s in &seen {
        check_request(s, &events);
    }
    let ids = receiver.distinct_ids();
    assert_eq!(
        ids.len(),
        total,
        "the receiver got an id the outbox does not hold"
    );
    assert_eq!(
        num(
            &mut conn,
            "SELECT count(*) AS n FROM webhook_delivery WHERE status = 'delivered'"
        ),
        i64::try_from(total).unwrap()
    );
    // Every request the dead server never had an answer to was sent again.
    for id in &cut {
        let times = seen.iter().filter(|s| &s.id == id).count();
        assert!(
            times >= 2,
            "{id}, unanswered at the kill, was not sent again"
        );
    }
    // What the dead server had recorded delivered is never sent again.
    for id in &delivered_before {
        let times = seen.iter().filter(|s| &s.id == id).count();
        assert_eq!(
            times, 1,
            "{id}, recorded delivered before the kill, was sent {times} times"
        );
    }
    let twice = repeated(&seen);
    let at_once = overlapping(&seen);
    let attempts_over_one = num(
        &mut conn,
        "SELECT count(*) AS n FROM webhook_delivery WHERE attempts > 1",
    );
    let lost_leases = server.log_lines_with("lease ran out");
    // The dead server's leases ran out 8 s after their claim, long after the receiver let go
    // of its requests (1 s), and each send of the restarted server ends within its lease.
    assert!(
        at_once.is_empty(),
        "one event held by the receiver twice at once: {at_once:?}"
    );
    assert_eq!(
        lost_leases, 0,
        "outcomes not recorded because their lease ran out"
    );
    server.assert_no_panic();
    println!(
        "webhook faults: after the restart every one of the {total} events delivered in {} ms; {} requests in all, \
         {} event(s) received more than once ({} of them cut by the kill), {} pair(s) of one id held at once, \
         {attempts_over_one} delivery row(s) with attempts > 1, {lost_leases} outcome(s) the restarted server could not \
         record (lease ran out); every signature valid; {} s in all",
        recovered.as_millis(),
        seen.len(),
        twice.len(),
        cut.len(),
        at_once.len(),
        began.elapsed().as_secs_f64()
    );
    println!("webhook faults: received more than once: {twice:?}; at once: {at_once:?}");
}

// ----------------------------------------------------------------------------------------------
// 2. Two servers on one database.

#[test]
fn two_servers_share_deliveries_none_at_once() {
    let _serial = serial();
    let began = Instant::now();
    let pg = Pg::start("wh-two");
    let (data_a, data_b) = (TempDir::new("wh-two-a"), TempDir::new("wh-two-b"));
    let receiver = Receiver::start(Duration::from_millis(200));
    let a = Server::start(&pg, &data_a.0, 4);
    let b = Server::start(&pg, &data_b.0, 4);
    receiver.watch(&[a.pid(), b.pid()]);
    subscribe(&pg, &receiver.url, 15);
    let mut conn = pg.connect();
    seed_scorable(&mut conn, 100);
    // One calculates, the other finalizes: both processes are up and polling the outbox.
    let run = calculate(&a.addr);
    assert_eq!(run["sellers_scored"], json!(100), "{run}");
    finalize(&b.addr);
    let events = outbox(&mut conn);
    let total = events.len();
    assert_eq!(
        total, 101,
        "one calculation.completed and 100 seller.score_finalized expected"
    );

    let sent = Instant::now();
    wait_for(
        Duration::from_secs(45),
        Duration::from_millis(50),
        "every event received and every delivery recorded delivered",
        || {
            let ids = receiver.distinct_ids();
            (events.keys().all(|id| ids.contains(id)) && undelivered(&mut conn) == 0).then_some(())
        },
    );
    let took = sent.elapsed();
    let seen = receiver.snapshot();
    for s in &seen {
        check_request(s, &events);
    }
    let at_once = overlapping(&seen);
    assert!(
        at_once.is_empty(),
        "one event held by the receiver twice at once: {at_once:?}"
    );
    let twice = repeated(&seen);
    assert!(
        twice.is_empty(),
        "events received more than once: {twice:?}"
    );
    assert_eq!(seen.len(), total);
    assert_eq!(
        num(
            &mut conn,
            "SELECT count(*) AS n FROM webhook_delivery WHERE status = 'delivered' AND attempts = 1"
        ),
        i64::try_from(total).unwrap(),
        "every delivery delivered at its first attempt"
    );
    assert_eq!(
        num(&mut conn, "SELECT count(*) AS n FROM webhook_attempt"),
        i64::try_from(total).unwrap(),
        "one attempt logged per delivery"
    );
    // Who sent what, traced through /proc. A delivery thread leases one delivery at a time,
    // so one process's 4 threads alone would need 5 s (101 x 200 ms / 4): the other process's
    // threads, idle and polling every 500 ms, find work well before.
    let by_a = seen.iter().filter(|s| s.sender == Some(0)).count();
    let by_b = seen.iter().filter(|s| s.sender == Some(1)).count();
    let untraced = seen.len() - by_a - by_b;
    assert_eq!(untraced, 0, "requests not traced to either server");
    assert!(
        by_a > 0 && by_b > 0,
        "one server did all the work: {by_a} and {by_b}"
    );
    a.assert_no_panic();
    b.assert_no_panic();
    println!(
        "webhook faults: two servers on one database delivered {total} events in {} ms: {by_a} by A (PID {}), \
         {by_b} by B (PID {}); 0 received twice, 0 held twice at once, every delivery at attempt 1; {} s in all",
        took.as_millis(),
        a.pid(),
        b.pid(),
        began.elapsed().as_secs_f64()
    );
}

// ----------------------------------------------------------------------------------------------
// 3. A calculation killed half-way emits nothing.

/// A server backend inside a write transaction, and the rows it has put in the heap so far.
#[derive(QueryableByName, Debug)]
struct InFlight {
    #[diesel(sql_type = Integer)]
    pid: i32,
    #[diesel(sql_type = Text)]
    xid: String,
    #[diesel(sql_type = BigInt)]
    rows: i64,
    /// Outbox rows of the same transaction in the heap.
    #[diesel(sql_type = BigInt)]
    events: i64,
}

/// Every page of `table`, as SQL: `heap_page_items` rows `h`.
fn heap(table: &str) -> String {
    format!(
        "generate_series(0::bigint, pg_relation_size('{table}') / current_setting('block_size')::bigint - 1) b, \
         LATERAL heap_page_items(get_raw_page('{table}', b::int)) h"
    )
}

/// Rows of `table` that transaction `xid` inserted, committed or not.
fn rows_inserted_by(conn: &mut PgConnection, table: &str, xid: &str) -> i64 {
    num(
        conn,
        &format!(
            "SELECT count(*) AS n FROM {} WHERE h.t_xmin = '{xid}'::xid",
            heap(table)
        ),
    )
}

/// The calculation holding its period's lock, inside its transaction, with the result rows
/// and outbox rows it has inserted so far.
fn calculation_in_flight(conn: &mut PgConnection) -> Option<InFlight> {
    sql_query(format!(
        "SELECT a.pid, a.backend_xid::text AS xid, \
           (SELECT count(*) FROM {} WHERE h.t_xmin = a.backend_xid) AS rows, \
           (SELECT count(*) FROM {} WHERE h.t_xmin = a.backend_xid) AS events \
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted \
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND a.backend_xid IS NOT NULL AND a.state IN ('active', 'idle in transaction') LIMIT 1",
        heap("seller_score"),
        heap("webhook_event")
    ))
    .get_result::<InFlight>(conn)
    .ok()
}

/// Once the backends of a killed server are gone: how their transaction `xid` ended.
fn final_status(conn: &mut PgConnection, xid: &str) -> String {
    wait_for(
        Duration::from_secs(30),
        Duration::from_millis(10),
        "the killed server's transaction to end",
        || {
            Some(text(
                conn,
                &format!("SELECT coalesce(pg_xact_status('{xid}'::xid8)::text, 'unknown') AS t"),
            ))
            .filter(|s| s != "in progress")
        },
    )
}

/// Sellers of the calculation test: enough that a debug-build calculation takes seconds.
const CALC_SELLERS: usize = 20_000;
/// One seller in this many has severe aging: one `seller.surcharge_created` each.
const AGING_EVERY: usize = 100;

#[test]
fn a_failed_calculation_emits_nothing() {
    let _serial = serial();
    let began = Instant::now();
    let pg = Pg::start("wh-calc");
    let data = TempDir::new("wh-calc-data");
    let receiver = Receiver::start(Duration::ZERO);
    let mut server = Server::start(&pg, &data.0, 4);
    subscribe(&pg, &receiver.url, 15);
    let mut conn = pg.connect();
    seed_scorable(&mut conn, CALC_SELLERS);
    // Severe aging (180-day share 35% >= 30%) spread over every chunk of the calculation.
    exec(
        &mut conn,
        &format!(
            "INSERT INTO sos_inventory_health_raw (seller_id, period, snapshot_date, total_cbm, total_sku_qty, \
             aging_over_90d_cbm, aging_over_90d_sku_qty, aging_over_180d_cbm, aging_over_180d_pct) \
             SELECT id, '2026-02', DATE '2026-02-28', 100, 1000, 40, 400, 35, 35 FROM seller WHERE id % {AGING_EVERY} = 0"
        ),
    );
    let surcharged = i64::try_from(CALC_SELLERS / AGING_EVERY).unwrap();
    // Rows of an aborted transaction stay countable in the heap.
    exec(&mut conn, "CREATE EXTENSION IF NOT EXISTS pageinspect");
    for table in ["seller_score", "webhook_event", "webhook_delivery"] {
        exec(
            &mut conn,
            &format!("ALTER TABLE {table} SET (autovacuum_enabled = off)"),
        );
    }
    let count = |conn: &mut PgConnection, sql: &str| num(conn, sql);

    let mut attempt = 0;
    let (hit, events_before) = loop {
        attempt += 1;
        let events_before = count(&mut conn, "SELECT count(*) AS n FROM webhook_event");
        let deliveries_before = count(&mut conn, "SELECT count(*) AS n FROM webhook_delivery");
        let received_before = receiver.snapshot().len();
        let addr = server.addr.clone();
        let caller = thread::spawn(move || {
            request(
                &addr,
                "POST",
                "/api/sos/monthly/calculate",
                Some(&json!({"period": "2026-02"})),
            )
        });
        let quarter = i64::try_from(CALC_SELLERS / 4).unwrap();
        let hit = wait_for(
            Duration::from_secs(60),
            Duration::from_millis(2),
            "the calculation's transaction holding its lock with a quarter of the results and some events inserted",
            || calculation_in_flight(&mut conn).filter(|f| f.rows >= quarter && f.events > 0),
        );
        let status = server.kill9();
        assert_eq!(status.signal(), Some(9), "{status:?}");
        let answer = caller.join().unwrap();
        server = Server::start(&pg, &data.0, 4);
        let ended = final_status(&mut conn, &hit.xid);
        let events_in_heap = rows_inserted_by(&mut conn, "webhook_event", &hit.xid);
        let deliveries_in_heap = rows_inserted_by(&mut conn, "webhook_delivery", &hit.xid);
        println!(
            "webhook faults: kill -9 during a calculation of {CALC_SELLERS} sellers: transaction xid {} (backend {}) held \
             the period's lock with {} result rows and {} outbox events inserted; the transaction then {ended} \
             ({events_in_heap} events and {deliveries_in_heap} deliveries of it in the heap)",
            hit.xid, hit.pid, hit.rows, hit.events
        );
        if ended == "committed" {
            // It reached its commit between the look and the kill: its events are legitimately
            // there; try again.
            assert!(
                attempt < 3,
                "the calculation is too fast to be killed mid-run"
            );
            continue;
        }
        assert_eq!(ended, "aborted", "transaction {}", hit.xid);
        assert!(answer.is_err(), "a killed server answered: {answer:?}");
        // The killed run wrote events and their deliveries, and none of them is visible.
        assert!(events_in_heap > 0 && deliveries_in_heap > 0);
        assert_eq!(
            count(&mut conn, "SELECT count(*) AS n FROM webhook_event"),
            events_before,
            "the killed calculation left events in the outbox"
        );
        assert_eq!(
            count(&mut conn, "SELECT count(*) AS n FROM webhook_delivery"),
            deliveries_before,
            "the killed calculation left deliveries"
        );
        assert_eq!(
            receiver.snapshot().len(),
            received_before,
            "the receiver got something from the killed calculation"
        );
        break (hit, events_before);
    };

    let completed_before = count(
        &mut conn,
        "SELECT count(*) AS n FROM webhook_event WHERE event_type = 'calculation.completed'",
    );
    let run = calculate(&server.addr);
    assert_eq!(run["sellers_scored"], json!(CALC_SELLERS), "{run}");
    assert_eq!(run["surcharges_triggered"], json!(surcharged), "{run}");
    let run_id = run["id"].as_i64().unwrap();
    assert_eq!(
        count(
            &mut conn,
            "SELECT count(*) AS n FROM webhook_event WHERE event_type = 'calculation.completed'"
        ),
        completed_before + 1,
        "the calculation run again emitted other than one calculation.completed"
    );
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM webhook_event WHERE event_type = 'calculation.completed' \
                 AND (payload::jsonb -> 'data' ->> 'run_id')::bigint = {run_id}"
            )
        ),
        1,
        "no calculation.completed names run {run_id}"
    );
    let events = outbox(&mut conn);
    assert_eq!(
        i64::try_from(events.len()).unwrap(),
        events_before + 1 + surcharged,
        "one calculation.completed and one seller.surcharge_created per surcharge expected"
    );
    // And the receiver gets exactly those.
    wait_for(
        Duration::from_secs(45),
        Duration::from_millis(50),
        "every event of the run again received and recorded delivered",
        || {
            let ids = receiver.distinct_ids();
            (events.keys().all(|id| ids.contains(id)) && undelivered(&mut conn) == 0).then_some(())
        },
    );
    let seen = receiver.snapshot();
    for s in &seen {
        check_request(s, &events);
    }
    let completed: Vec<Value> = seen
        .iter()
        .filter(|s| s.event == "calculation.completed")
        .map(|s| serde_json::from_str(&s.body).unwrap())
        .collect();
    assert_eq!(
        i64::try_from(completed.len()).unwrap(),
        completed_before + 1,
        "calculation.completed received {} times",
        completed.len()
    );
    assert_eq!(
        completed
            .iter()
            .filter(|b| b["data"]["run_id"] == json!(run_id))
            .count(),
        1,
        "{completed:?}"
    );
    server.assert_no_panic();
    println!(
        "webhook faults: a calculation killed in attempt {attempt} with {} events of its own in the outbox's heap left \
         0 events, 0 deliveries and 0 requests; run again (run {run_id}), it emitted 1 calculation.completed and \
         {surcharged} seller.surcharge_created, all {} received; {} s in all",
        hit.events,
        events.len(),
        began.elapsed().as_secs_f64()
    );
}

// ----------------------------------------------------------------------------------------------
// 4. A receiver slower than a lease is long, with two servers.

#[test]
fn a_slow_receiver_never_gets_one_event_twice_at_once() {
    let _serial = serial();
    let began = Instant::now();
    let pg = Pg::start("wh-slow");
    let (data_a, data_b) = (TempDir::new("wh-slow-a"), TempDir::new("wh-slow-b"));
    // 1.5 s per request, within the 3 s timeout; a lease is 3 + 5 s. Ten deliveries in a row
    // take 15 s, twice a lease: a worker that leased them together would still be sending
    // when the others' leases ran out, and the other server would take them as well.
    let receiver = Receiver::start(Duration::from_millis(1_500));
    let a = Server::start(&pg, &data_a.0, 1);
    let b = Server::start(&pg, &data_b.0, 1);
    receiver.watch(&[a.pid(), b.pid()]);
    subscribe(&pg, &receiver.url, 3);
    let mut conn = pg.connect();
    seed_scorable(&mut conn, 11);
    calculate(&a.addr);
    finalize(&b.addr);
    let events = outbox(&mut conn);
    let total = events.len();
    assert_eq!(
        total, 12,
        "one calculation.completed and 11 seller.score_finalized"
    );

    wait_for(
        Duration::from_secs(45),
        Duration::from_millis(50),
        "every event received and every delivery recorded delivered",
        || {
            let ids = receiver.distinct_ids();
            (events.keys().all(|id| ids.contains(id)) && undelivered(&mut conn) == 0).then_some(())
        },
    );
    let seen = receiver.snapshot();
    for s in &seen {
        check_request(s, &events);
    }
    let at_once = overlapping(&seen);
    let twice = repeated(&seen);
    let lost = a.log_lines_with("lease ran out") + b.log_lines_with("lease ran out");
    assert!(
        at_once.is_empty(),
        "one event held by the receiver twice at once: {at_once:?}"
    );
    assert!(
        twice.is_empty(),
        "events received more than once: {twice:?}"
    );
    assert_eq!(lost, 0, "outcomes not recorded because their lease ran out");
    assert_eq!(
        num(
            &mut conn,
            "SELECT count(*) AS n FROM webhook_delivery WHERE status = 'delivered' AND attempts = 1"
        ),
        i64::try_from(total).unwrap()
    );
    let by_a = seen.iter().filter(|s| s.sender == Some(0)).count();
    let by_b = seen.iter().filter(|s| s.sender == Some(1)).count();
    a.assert_no_panic();
    b.assert_no_panic();
    println!(
        "webhook faults: a receiver taking 1.5 s per request, two servers with one delivery thread each: {total} events, \
         {by_a} sent by A and {by_b} by B, each once, none at once; {} s in all",
        began.elapsed().as_secs_f64()
    );
}
