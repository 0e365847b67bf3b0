//! End to end: the real `sos-server` binary on its embedded default (a private PostgreSQL under
//! a temporary data directory), driven over HTTP exactly as the README's quick start does.
//!
//! Every child process is owned by a guard whose `Drop` stops it, and the data directory's guard
//! stops a PostgreSQL left behind and deletes the cluster, so a failing assertion leaves nothing
//! running.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};
use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    sync::{mpsc, Arc, Mutex},
    thread,
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_sos-server");

/// How long a start (creating and starting a cluster, migrating) may take.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a SIGTERM'd server may take to exit (it stops its PostgreSQL first).
const STOP_TIMEOUT: Duration = Duration::from_secs(45);

/// The admin key given through `SOS_ADMIN_KEY` in the first test.
const PRESET_KEY: &str = "e2e-preset-admin-key-0123456789abcdef";

// ----------------------------------------------------------------------------------------------
// A temporary data directory that cleans up after itself, PostgreSQL included.

struct DataDir {
    path: PathBuf,
}

impl DataDir {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let path =
            std::env::temp_dir().join(format!("sos-e2e-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        // Traversable by the `postgres` user when the tests run as root, so the cluster lives
        // inside this directory and goes away with it.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        Self {
            path: path.canonicalize().unwrap(),
        }
    }

    /// The cluster directory, symbolic links resolved, once it exists.
    fn pgdata(&self) -> Option<PathBuf> {
        std::fs::canonicalize(self.path.join("pg")).ok()
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        let link = self.path.join("pg");
        let pgdata = self.pgdata();
        if let Some(pgdata) = &pgdata {
            stop_leftover_postgres(pgdata);
        }
        // A cluster kept outside the directory (see sos_pg_local::cluster) goes too.
        if let (Some(pgdata), true) = (
            &pgdata,
            std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()),
        ) {
            let _ = std::fs::remove_dir_all(pgdata);
            let mut log = pgdata.as_os_str().to_owned();
            log.push(".log");
            let _ = std::fs::remove_file(PathBuf::from(log));
        }
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// The postmaster's pid, when `postmaster.pid` names a live process.
fn postmaster_pid(pgdata: &Path) -> Option<u32> {
    let text = std::fs::read_to_string(pgdata.join("postmaster.pid")).ok()?;
    let pid: u32 = text.lines().next()?.trim().parse().ok()?;
    Path::new(&format!("/proc/{pid}")).exists().then_some(pid)
}

/// Stops (immediate mode, SIGQUIT) a PostgreSQL still running on `pgdata`: the server was killed
/// before it could stop its own.
fn stop_leftover_postgres(pgdata: &Path) {
    if let Some(pid) = postmaster_pid(pgdata) {
        signal(pid, "QUIT");
        let deadline = Instant::now() + Duration::from_secs(15);
        while postmaster_pid(pgdata).is_some() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Every process whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if let Ok(raw) = std::fs::read(entry.path().join("cmdline")) {
            let cmdline = String::from_utf8_lossy(&raw).replace('\0', " ");
            if cmdline.contains(needle) {
                found.push(format!("{}: {}", name.to_string_lossy(), cmdline.trim()));
            }
        }
    }
    found
}

/// `pg_ctl status` on `pgdata` (as `postgres` when root): Some(true) running, Some(false) not,
/// None when pg_ctl cannot be found or run.
fn pg_ctl_running(pgdata: &Path) -> Option<bool> {
    let pg_ctl = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin/pg_ctl"))
        .filter(|p| p.is_file())
        .max()?;
    let root = Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .is_some_and(|o| o.stdout.starts_with(b"0\n"));
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&pg_ctl);
        c
    } else {
        Command::new(&pg_ctl)
    };
    let out = cmd.arg("status").arg("-D").arg(pgdata).output().ok()?;
    // 0: running; 3: not running; 4: no cluster there.
    match out.status.code() {
        Some(0) => Some(true),
        Some(3 | 4) => Some(false),
        _ => None,
    }
}

/// Asserts that no PostgreSQL runs on the data directory's cluster any more.
fn assert_postgres_stopped(dir: &DataDir) {
    let pgdata = dir.pgdata().expect("the cluster directory exists");
    assert!(
        !pgdata.join("postmaster.pid").exists(),
        "{} still has a postmaster.pid after the server stopped",
        pgdata.display()
    );
    let left = processes_mentioning(&pgdata.to_string_lossy());
    assert!(
        left.is_empty(),
        "processes still use {}: {left:?}",
        pgdata.display()
    );
    assert_ne!(
        pg_ctl_running(&pgdata),
        Some(true),
        "pg_ctl status says the cluster still runs"
    );
}

// ----------------------------------------------------------------------------------------------
// Child processes.

fn signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// A child whose output is collected by threads; `Drop` stops it (SIGTERM, then SIGKILL).
struct Proc {
    child: Child,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
    stdout_lines: mpsc::Receiver<String>,
}

impl Proc {
    fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the sos-server binary starts");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let sink = stdout.clone();
        thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        });
        let err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Self {
            child,
            stdout,
            stderr,
            stdout_lines: rx,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn stdout_text(&self) -> String {
        self.stdout.lock().unwrap().join("\n")
    }

    fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    /// Both outputs, for failure messages.
    fn dump(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout_text(),
            self.stderr_text()
        )
    }

    /// The next stdout line, waiting at most `timeout`.
    fn next_line(&mut self, timeout: Duration) -> String {
        match self.stdout_lines.recv_timeout(timeout) {
            Ok(line) => line,
            Err(e) => {
                let status = self.child.try_wait().ok().flatten();
                panic!(
                    "no stdout line within {timeout:?} ({e}); exit status {status:?}\n{}",
                    self.dump()
                )
            }
        }
    }

    /// Waits at most `timeout` for the process to exit.
    fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the reader threads drain the pipes.
                thread::sleep(Duration::from_millis(50));
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, then the exit status (panics past `STOP_TIMEOUT`).
    fn terminate(&mut self) -> ExitStatus {
        signal(self.pid(), "TERM");
        match self.wait_exit(STOP_TIMEOUT) {
            Some(status) => status,
            None => panic!(
                "still running {STOP_TIMEOUT:?} after SIGTERM\n{}",
                self.dump()
            ),
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            signal(self.pid(), "TERM");
            if self.wait_exit(Duration::from_secs(20)).is_none() {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
        }
    }
}

/// The binary with a clean environment for SOS: no DATABASE_URL (so the private cluster is
/// used), the given data directory, and nothing inherited that changes behaviour.
fn sos_command(dir: &DataDir) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(&dir.path)
        .env_remove("DATABASE_URL")
        .env_remove("SOS_ADMIN_KEY")
        .env_remove("SOS_SECRET_KEY")
        .env_remove("SOS_BIND")
        .env_remove("SOS_WORKERS")
        .env("SOS_DATA_DIR", &dir.path)
        .env("RUST_LOG", "info,actix_server=warn");
    cmd
}

/// Runs a one-shot command to completion (at most `timeout`), returning status and outputs.
fn run_to_end(cmd: Command, timeout: Duration) -> (ExitStatus, String, String) {
    let mut proc = Proc::spawn(cmd);
    let status = proc
        .wait_exit(timeout)
        .unwrap_or_else(|| panic!("did not finish within {timeout:?}\n{}", proc.dump()));
    (status, proc.stdout_text(), proc.stderr_text())
}

/// A loopback port nothing listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

// ----------------------------------------------------------------------------------------------
// A small blocking HTTP/1.1 client (one request per connection).

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.body)
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&raw[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
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

fn try_request(
    addr: &str,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAccept: application/json\r\n");
    if let Some(key) = key {
        head.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    for (name, value) in extra {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let payload = body.map(Value::to_string).unwrap_or_default();
    if body.is_some() {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            payload.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(payload.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("bad status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut response = Response {
        status,
        headers,
        body: String::new(),
    };
    let rest = &raw[split + 4..];
    let body = if response
        .header("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"))
    {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    response.body = String::from_utf8_lossy(&body).into_owned();
    Ok(response)
}

/// A running server on a data directory.
struct Server {
    proc: Proc,
    addr: String,
    /// The first two stdout lines: where it listens, where the admin key is.
    banner: Vec<String>,
}

impl Server {
    /// Starts the server on a free port, retrying (up to 3 times) when another process took
    /// the port between picking and binding it.
    fn start(dir: &DataDir, admin_key: Option<&str>) -> Self {
        let started = Instant::now();
        for attempt in 1..=3 {
            let addr = format!("127.0.0.1:{}", free_port());
            let mut cmd = sos_command(dir);
            cmd.env("SOS_BIND", &addr);
            if let Some(key) = admin_key {
                cmd.env("SOS_ADMIN_KEY", key);
            }
            let mut proc = Proc::spawn(cmd);
            let first = match proc.stdout_lines.recv_timeout(START_TIMEOUT) {
                Ok(line) => line,
                Err(_) => {
                    let exited = proc.wait_exit(Duration::from_secs(5)).is_some();
                    if exited && attempt < 3 && proc.stderr_text().contains("cannot listen on") {
                        continue;
                    }
                    panic!("no startup line within {START_TIMEOUT:?}\n{}", proc.dump());
                }
            };
            let second = proc.next_line(Duration::from_secs(10));
            let mut server = Self {
                proc,
                addr,
                banner: vec![first, second],
            };
            server.wait_ready(started + START_TIMEOUT);
            eprintln!(
                "server on {} ready after {:?}",
                server.addr,
                started.elapsed()
            );
            return server;
        }
        unreachable!("every attempt returns or panics")
    }

    fn wait_ready(&mut self, deadline: Instant) {
        loop {
            if let Ok(r) = try_request(&self.addr, "GET", "/readyz", None, None, &[]) {
                if r.status == 200 {
                    assert_eq!(r.json(), json!({"status": "ok"}));
                    return;
                }
            }
            if let Ok(Some(status)) = self.proc.child.try_wait() {
                panic!(
                    "the server exited ({status}) before it was ready\n{}",
                    self.proc.dump()
                );
            }
            assert!(
                Instant::now() < deadline,
                "/readyz not 200 within {START_TIMEOUT:?}\n{}",
                self.proc.dump()
            );
            thread::sleep(Duration::from_millis(200));
        }
    }

    fn call(&self, method: &str, path: &str, key: Option<&str>, body: Option<Value>) -> Response {
        try_request(&self.addr, method, path, key, body.as_ref(), &[])
            .unwrap_or_else(|e| panic!("{method} {path} failed: {e}\n{}", self.proc.dump()))
    }

    /// Stops with SIGTERM and asserts a clean exit.
    fn stop(mut self) -> String {
        let status = self.proc.terminate();
        assert!(
            status.success(),
            "the server did not exit cleanly: {status}\n{}",
            self.proc.dump()
        );
        self.proc.stderr_text()
    }
}

// ----------------------------------------------------------------------------------------------
// The README's quick start.

/// The README's master data and seven sync payloads, in its order.
fn quick_start_writes() -> Vec<(&'static str, Value, u16)> {
    vec![
        (
            "/api/account-managers",
            json!({"id": 1, "name": "Nguyen Van A", "email": "a.nguyen@example.com"}),
            201,
        ),
        (
            "/api/sellers",
            json!({"seller_code": "SEL001", "company_name": "Acme Cosmetics", "contract_type": "B2C", "country_code": "VN", "onboarded_at": "2025-06-01", "am_id": 1}),
            201,
        ),
        (
            "/api/campaigns",
            json!({"campaign_code": "CAMP-2026-02", "name": "Valentine 2026", "campaign_type": "major_campaign", "start_date": "2026-02-14", "end_date": "2026-02-15"}),
            201,
        ),
        (
            "/api/sync/orders",
            json!({"seller_code": "SEL001", "period": "2026-02", "total_orders": 150, "orders_within_30min": 140, "orders_late": 10, "avg_push_time_minutes": 18.5}),
            200,
        ),
        (
            "/api/sync/forecasts",
            json!({"seller_code": "SEL001", "campaign_code": "CAMP-2026-02", "submitted_at": "2026-01-28T10:00:00Z", "forecasted_order_volume": 5000, "forecasted_sku_breakdown": {"SKU001": 2000, "SKU002": 3000}, "notes": "Valentine sale forecast"}),
            200,
        ),
        (
            "/api/sync/campaign-actuals",
            json!({"seller_code": "SEL001", "campaign_code": "CAMP-2026-02", "actual_order_volume": 4800, "actual_sku_breakdown": {"SKU001": 1900, "SKU002": 2900}}),
            200,
        ),
        (
            "/api/sync/tickets",
            json!({"seller_code": "SEL001", "period": "2026-02", "total_tickets": 25, "avg_response_time_hours": 3.5, "breakdown": {"under_4h": 18, "4h_8h": 4, "8h_16h": 2, "over_16h": 1}}),
            200,
        ),
        (
            "/api/sync/payments",
            json!({"seller_code": "SEL001", "period": "2026-02", "total_invoices": 10, "invoices_on_time": 7, "invoices_late_1_7": 2, "invoices_late_7_15": 1, "invoices_late_15_20": 0, "invoices_late_over_20": 0, "worst_days_late": 12, "total_outstanding_amount": 15000000, "currency": "VND"}),
            200,
        ),
        (
            "/api/sync/inventory",
            json!({"seller_code": "SEL001", "snapshot_date": "2026-02-28", "total_cbm": 150.5, "total_sku_qty": 12000, "aging_over_90d_cbm": 22.3, "aging_over_90d_sku_qty": 1800, "aging_over_180d_cbm": 5.1, "aging_over_180d_pct": 3.4}),
            200,
        ),
        (
            "/api/sync/revenue",
            json!({"am_id": 1, "period": "2026-02", "revenue_target": 500000000, "revenue_actual": 450000000}),
            200,
        ),
    ]
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// Asserts the README's result for SEL001 in 2026-02.
fn assert_sel001_result(server: &Server, key: &str) {
    let r = server.call(
        "GET",
        "/api/sos/sellers/SEL001/scores/2026-02",
        Some(key),
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    let v = r.json();
    assert_eq!(v["seller_code"], "SEL001");
    assert_eq!(v["period"], "2026-02");
    assert_eq!(v["status"], "scored");
    assert!(
        (number(&v["sos_score"]) - 89.96).abs() < 1e-9,
        "sos_score: {}",
        v["sos_score"]
    );
    assert_eq!(v["tier"], "Gold");
    for (component, score) in [
        ("p_score", 100.0),
        ("o_score", 85.0),
        ("t_score", 88.8),
        ("f_score", 91.0),
        ("i_score", 80.0),
    ] {
        let c = &v["components"][component];
        assert!(
            (number(&c["score"]) - score).abs() < 1e-9,
            "{component}: {c}"
        );
        let explanation = &c["explanation"];
        assert!(
            explanation.is_object() && !explanation.as_object().unwrap().is_empty(),
            "{component} has no explanation: {c}"
        );
    }
    assert!(!v["next_tier"].is_null(), "next_tier missing: {v}");
}

#[test]
fn quick_start_over_http_survives_a_restart() {
    let began = Instant::now();
    let dir = DataDir::new("quick");
    let key = PRESET_KEY;

    // First start: creates the cluster, migrates, seeds the config, stores the preset key.
    let server = Server::start(&dir, Some(key));
    let listening = |server: &Server| {
        format!(
            "SOS listening on http://{} (database: private PostgreSQL in ",
            server.addr
        )
    };
    assert!(
        server.banner[0].starts_with(&listening(&server)),
        "first line: {}",
        server.banner[0]
    );
    let pgdata = dir.pgdata().expect("the cluster directory exists");
    assert!(
        server.banner[0].contains(&pgdata.display().to_string()),
        "first line: {}",
        server.banner[0]
    );
    assert_eq!(
        server.banner[1],
        "Admin API key: the value of SOS_ADMIN_KEY"
    );
    assert!(
        !dir.path.join("admin-key").exists(),
        "no key file when SOS_ADMIN_KEY is given"
    );

    // Operations endpoints and the request id.
    let r = server.call("GET", "/healthz", None, None);
    assert_eq!((r.status, r.json()), (200, json!({"status": "ok"})));
    assert!(
        r.header("x-request-id").is_some_and(|id| !id.is_empty()),
        "no x-request-id: {:?}",
        r.headers
    );
    let r = try_request(
        &server.addr,
        "GET",
        "/healthz",
        None,
        None,
        &[("X-Request-Id", "e2e-trace-42")],
    )
    .unwrap();
    assert_eq!(r.header("x-request-id"), Some("e2e-trace-42"));
    let r = server.call("GET", "/openapi.json", None, None);
    assert_eq!(r.status, 200);
    assert!(r.json()["paths"]["/api/sync/orders"].is_object());
    let r = server.call("GET", "/api/sellers", None, None);
    assert_eq!(r.status, 401, "{r:?}");
    assert!(r
        .header("www-authenticate")
        .is_some_and(|h| h.starts_with("Bearer")));
    let r = server.call("GET", "/api/sellers", Some("wrong-key"), None);
    assert_eq!(r.status, 401, "{r:?}");

    // The quick start, call by call.
    for (path, body, expected) in quick_start_writes() {
        let r = server.call("POST", path, Some(key), Some(body));
        assert_eq!(r.status, expected, "POST {path}: {r:?}");
        if path.starts_with("/api/sync/") {
            assert_eq!(r.json(), json!({"success": true}), "POST {path}");
        }
    }
    // Sync calls are upserts: the same payload again changes nothing and still succeeds.
    let (path, body, _) = quick_start_writes().swap_remove(3);
    let r = server.call("POST", path, Some(key), Some(body));
    assert_eq!(
        (r.status, r.json()),
        (200, json!({"success": true})),
        "repeated {path}"
    );

    let r = server.call(
        "POST",
        "/api/sos/monthly/calculate",
        Some(key),
        Some(json!({"period": "2026-02"})),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let run = r.json();
    assert_eq!(run["period"], "2026-02");
    assert_eq!(run["sellers_scored"], 1, "{run}");
    assert_sel001_result(&server, key);

    // SIGTERM: a clean exit that stops the private PostgreSQL too.
    let stderr = server.stop();
    assert!(!stderr.contains(key), "the admin key appears in the log");
    assert!(
        stderr.contains("status=200"),
        "no access log lines:\n{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "colour escapes in a log that is not a terminal"
    );
    assert_postgres_stopped(&dir);
    eprintln!("first run done after {:?}", began.elapsed());

    // Second start on the same directory: the data is still there.
    let server = Server::start(&dir, Some(key));
    assert!(
        server.banner[0].starts_with(&listening(&server)),
        "first line: {}",
        server.banner[0]
    );
    assert!(
        server.banner[1].starts_with("Admin API key: created earlier"),
        "second line: {}",
        server.banner[1]
    );
    let r = server.call("GET", "/api/sellers/SEL001", Some(key), None);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["company_name"], "Acme Cosmetics");
    assert_sel001_result(&server, key);

    // Order blocking, as the OMS and accounting see it: a seller with an invoice 45 days late
    // is blocked after the sync, and unblocked when a sync shows it paid.
    let r = server.call(
        "POST",
        "/api/keys",
        Some(key),
        Some(json!({"name": "oms", "scopes": ["enforcement:read"]})),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let oms = r.json()["key"].as_str().unwrap().to_owned();
    let enforcement = |server: &Server| {
        let r = server.call("GET", "/api/sellers/SEL001/enforcement", Some(&oms), None);
        assert_eq!(r.status, 200, "{r:?}");
        r.json()
    };
    let open = json!({"blocked": false, "reasons": [], "since": null, "rule_ids": []});
    assert_eq!(enforcement(&server), open);
    let invoices = |days_late: i32, amount: i64| {
        json!({"seller_code": "SEL001", "period": "2026-03", "currency": "VND",
            "invoices": [{"invoice_id": "INV045", "days_late": days_late, "amount": amount}]})
    };
    let r = server.call(
        "POST",
        "/api/sync/payments",
        Some(key),
        Some(invoices(45, 2_000_000)),
    );
    assert_eq!((r.status, r.json()), (200, json!({"success": true})));
    let blocked = enforcement(&server);
    assert_eq!(blocked["blocked"], json!(true), "{blocked}");
    assert_eq!(
        blocked["reasons"],
        json!(["An invoice is more than 30 days late"])
    );
    assert_eq!(blocked["rule_ids"].as_array().map(Vec::len), Some(1));
    assert!(blocked["since"].is_string(), "{blocked}");
    let r = server.call(
        "POST",
        "/api/sync/payments",
        Some(key),
        Some(invoices(0, 0)),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let unblocked = enforcement(&server);
    assert_eq!(unblocked["blocked"], json!(false), "{unblocked}");
    assert_eq!(unblocked["reasons"], json!([]));
    assert!(unblocked["since"].as_str() >= blocked["since"].as_str());
    let r = server.call(
        "POST",
        "/api/sellers/SEL001/unblock",
        Some(&oms),
        Some(json!({"reason": "x"})),
    );
    assert_eq!(r.status, 403, "{r:?}");

    // The calculate CLI beside the running server: it reuses the cluster and leaves it running.
    let mut cli = sos_command(&dir);
    cli.args(["calculate", "--period", "2026-02", "--dry-run"]);
    let (status, stdout, stderr) = run_to_end(cli, Duration::from_secs(60));
    assert!(
        status.success(),
        "calculate failed: {status}\n{stdout}\n{stderr}"
    );
    let line = |label: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(label))
            .map(|l| l[label.len()..].trim().to_owned())
            .unwrap_or_else(|| panic!("no `{label}` line in:\n{stdout}"))
    };
    assert_eq!(line("period"), "2026-02");
    assert_eq!(line("mode"), "dry run (nothing written)");
    assert_eq!(line("sellers scored"), "1");
    assert_eq!(line("AM portfolios"), "1");
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().eq(["tier", "sellers"])),
        "no tier table:\n{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().eq(["Gold", "1"])),
        "no Gold row:\n{stdout}"
    );
    let r = server.call("GET", "/readyz", None, None);
    assert_eq!(
        r.status, 200,
        "the server lost its database to the CLI: {r:?}"
    );
    assert_sel001_result(&server, key);

    server.stop();
    assert_postgres_stopped(&dir);
    eprintln!("quick start test took {:?}", began.elapsed());
}

#[test]
fn first_start_without_a_preset_key_writes_the_admin_key_file() {
    let began = Instant::now();
    let dir = DataDir::new("keyfile");
    let server = Server::start(&dir, None);
    let file = dir.path.join("admin-key");
    let expected_start = format!(
        "Created the admin API key (shown once; also saved to {}): ",
        file.display()
    );
    assert!(
        server.banner[1].starts_with(&expected_start),
        "second line: {}",
        server.banner[1]
    );
    let printed = server.banner[1][expected_start.len()..].to_owned();

    let meta = std::fs::metadata(&file).expect("<data dir>/admin-key exists");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600, "admin-key mode");
    let key = std::fs::read_to_string(&file).unwrap().trim().to_owned();
    assert_eq!(key, printed, "the printed key and the file differ");
    let secret_key =
        std::fs::metadata(dir.path.join("secret-key")).expect("<data dir>/secret-key exists");
    assert_eq!(
        secret_key.permissions().mode() & 0o777,
        0o600,
        "secret-key mode"
    );
    assert!(key.starts_with("sos_"), "key shape: {key}");

    let r = server.call("GET", "/api/keys", Some(&key), None);
    assert_eq!(r.status, 200, "{r:?}");
    let keys = r.json();
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .any(|k| k["name"] == "admin" && k["scopes"] == json!(["admin"])),
        "{keys}"
    );
    assert!(!r.body.contains(&key), "a key listing shows the secret");

    let stderr = server.stop();
    assert!(!stderr.contains(&key), "the admin key appears in the log");
    assert_postgres_stopped(&dir);
    eprintln!("admin key test took {:?}", began.elapsed());
}

#[test]
fn openapi_command_prints_the_document() {
    let dir = DataDir::new("openapi");
    let mut cmd = sos_command(&dir);
    cmd.arg("openapi");
    let (status, stdout, stderr) = run_to_end(cmd, Duration::from_secs(30));
    assert!(status.success(), "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).expect("valid JSON");
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "{}",
        doc["openapi"]
    );
    for kind in [
        "orders",
        "forecasts",
        "campaign-actuals",
        "tickets",
        "payments",
        "inventory",
        "revenue",
    ] {
        let path = format!("/api/sync/{kind}");
        assert!(doc["paths"][&path]["post"].is_object(), "{path} missing");
    }
    // It needs no database: nothing was created.
    assert!(dir.pgdata().is_none(), "openapi started a cluster");
}
