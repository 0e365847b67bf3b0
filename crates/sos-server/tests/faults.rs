//! Crashes, outages and races: the real `sos-server` binary (debug build) on a private, durable
//! PostgreSQL cluster that each test starts for itself (default settings: `fsync` and
//! `synchronous_commit` on), so the database can be stopped apart from the server, or on the
//! server's embedded default.
//!
//! No fault follows a fixed sleep: each is injected once the database shows the work it is
//! meant to hit (`pg_stat_activity`, `pg_locks`, and the rows of an open transaction counted in
//! the heap with `pageinspect`), and afterwards the test reads how that transaction ended
//! (`pg_xact_status`) and checks the data against it.
//!
//! - `kill -9` of the server while four clients send 1,000-record batches, each time with a
//!   backend inside a batch's `INSERT`: every acknowledged batch is there with its values,
//!   every other batch whole or not at all, the batch caught mid-`INSERT` whole exactly when its
//!   transaction committed. Again on the embedded default, killing its PostgreSQL too.
//! - `kill -9` during a monthly calculation, once its transaction holds the period's lock and
//!   has inserted a quarter of the results: it aborted, the period's previous results are
//!   untouched, a new calculation succeeds. Again on the embedded default.
//! - The database stopped under load with writes sent and unanswered: requests answer 503,
//!   `/readyz` says 503, the same process serves again once the database is back; every
//!   acknowledged write is there with its values, nothing of a write answered 503.
//! - 16 writers on one seller and period; two calculations of one period at once; retries.
//! - `kill -9` of the server on its embedded default and of its private postmaster, then an
//!   immediate restart: every acknowledged write reads back with its values.
//!
//! Every child process and cluster is owned by a guard whose `Drop` kills or stops it, so a
//! failing assertion leaves nothing running. The tests run one at a time (a shared lock), so
//! one's load does not slow another's work past its deadlines. Each prints what it injected,
//! where it landed and what it checked (`-- --nocapture`); docs/reliability.md lists them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::{
    sql_query,
    sql_types::{BigInt, Integer, Text},
    Connection, PgConnection, QueryableByName, RunQueryDsl,
};
use serde_json::{json, Value};
use sos_pg_local::cluster::{process_state, Durability, LocalCluster, StartOptions};
use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Barrier, Mutex, MutexGuard,
    },
    thread,
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_sos-server");
const ADMIN_KEY: &str = "faults-admin-key-0123456789abcdef0123456789";

/// One test at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

// ----------------------------------------------------------------------------------------------
// Guards: a temporary directory, a PostgreSQL cluster, a server process.

/// A directory removed on drop: in memory when `/dev/shm` is there, traversable by the
/// `postgres` user (the tests may run as root).
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
        let path = base.join(format!("sos-faults-{tag}-{}-{nanos}", std::process::id()));
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

/// A durable private cluster; stopped and deleted on drop (immediate mode), whoever started it
/// last.
struct Pg {
    cluster: Option<LocalCluster>,
    url: String,
    port: u16,
    pgdata: PathBuf,
    log: PathBuf,
    dir: TempDir,
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
            port: cluster.port(),
            pgdata: cluster.pgdata().to_path_buf(),
            log: cluster.log_file().to_path_buf(),
            cluster: Some(cluster),
            dir,
        }
    }

    fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url).expect("connect to the test cluster")
    }

    /// A fast shutdown at once: SIGINT to the postmaster, as `pg_ctl stop -m fast` sends it but
    /// without the command's start-up time, so it lands while the statement seen still runs.
    /// Returns once the postmaster is gone.
    fn stop_now(&self) {
        let text = std::fs::read_to_string(self.pgdata.join("postmaster.pid")).unwrap();
        let postmaster: u32 = text.lines().next().unwrap().trim().parse().unwrap();
        let pid = rustix::process::Pid::from_raw(i32::try_from(postmaster).unwrap()).unwrap();
        rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
        wait_until(
            Duration::from_secs(60),
            "the postmaster exits after a fast shutdown",
            || matches!(process_state(postmaster).as_deref(), None | Some("Z" | "X")),
        );
    }

    /// Starts the stopped cluster again on the same data directory and port.
    fn start_again(&self) {
        let pg_ctl = pg_ctl();
        let root = Command::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
        let mut cmd = if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&pg_ctl);
            c
        } else {
            Command::new(&pg_ctl)
        };
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.pgdata.display()
        );
        let out = cmd
            .current_dir("/")
            .arg("start")
            .arg("-D")
            .arg(&self.pgdata)
            .arg("-l")
            .arg(&self.log)
            .args(["-w", "-t", "60", "-o", &opts])
            .output()
            .expect("pg_ctl runs");
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        if let Some(cluster) = self.cluster.take() {
            if let Err(e) = cluster.destroy() {
                eprintln!("could not destroy the test cluster: {e}");
            }
        }
        let _ = &self.dir;
    }
}

/// `pg_ctl`, found as `LocalCluster` finds it: `PATH`, then Debian's versioned directories.
fn pg_ctl() -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("pg_ctl"))
                .filter(|p| p.is_file())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    if let Some(p) = on_path.into_iter().next() {
        return p.canonicalize().unwrap_or(p);
    }
    std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed")
        .flatten()
        .map(|e| e.path().join("bin/pg_ctl"))
        .filter(|p| p.is_file())
        .max()
        .expect("pg_ctl is installed")
}

/// A running `sos-server serve`, on `DATABASE_URL` or on its embedded default; killed (SIGKILL)
/// on drop if still running.
struct Server {
    child: Child,
    addr: String,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(pg: &Pg, data_dir: &Path) -> Self {
        Self::launch(Some(&pg.url), data_dir)
    }

    /// No `DATABASE_URL`: the server runs its own PostgreSQL under `data_dir`.
    fn start_embedded(data_dir: &Path) -> Self {
        Self::launch(None, data_dir)
    }

    fn launch(database_url: Option<&str>, data_dir: &Path) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let mut cmd = Command::new(BIN);
        match database_url {
            Some(url) => cmd.env("DATABASE_URL", url),
            None => cmd.env_remove("DATABASE_URL"),
        };
        let mut child = cmd
            .arg("serve")
            .current_dir(data_dir)
            .env("SOS_DATA_DIR", data_dir)
            .env("SOS_BIND", &addr)
            .env("SOS_ADMIN_KEY", ADMIN_KEY)
            .env("SOS_WORKERS", "4")
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

    /// SIGKILL: no shutdown code runs.
    fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
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
// A small blocking HTTP/1.1 client, one request per connection.

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
    request_with_timeout(addr, method, path, body, Duration::from_secs(60))
}

fn request_with_timeout(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    timeout: Duration,
) -> std::io::Result<Response> {
    read_response(send_request(addr, method, path, body, timeout)?)
}

/// Connects and sends the whole request; the answer is read by [`read_response`].
fn send_request(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
    timeout: Duration,
) -> std::io::Result<TcpStream> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
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
    Ok(stream)
}

fn read_response(mut stream: TcpStream) -> std::io::Result<Response> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no end of headers"))?;
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

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
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

// ----------------------------------------------------------------------------------------------
// SQL.

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

fn texts(conn: &mut PgConnection, sql: &str) -> Vec<String> {
    sql_query(sql)
        .load::<Txt>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|r| r.t)
        .collect()
}

/// `n` active sellers `F000001`... created straight in the table (the API would take minutes).
fn seed_sellers(conn: &mut PgConnection, n: usize) {
    exec(
        conn,
        &format!(
            "INSERT INTO seller (seller_code, company_name, status, onboarded_at, created_by, updated_by) \
             SELECT 'F' || lpad(g::text, 6, '0'), 'Fault seller ' || g, 'active', DATE '2024-01-01', 'faults', 'faults' \
             FROM generate_series(1, {n}) g"
        ),
    );
}

fn seller_code(i: usize) -> String {
    format!("F{i:06}")
}

// ----------------------------------------------------------------------------------------------
// Waiting on conditions, and what PostgreSQL shows of work in flight.

/// Polls `probe` until it yields a value; fails naming `what` after `within`. Faults are injected
/// when the database shows the work in flight, never after a fixed sleep.
#[track_caller]
fn wait_for<T>(within: Duration, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < deadline, "not within {within:?}: {what}");
        thread::sleep(Duration::from_millis(2));
    }
}

#[track_caller]
fn wait_until(within: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    wait_for(within, what, || cond().then_some(()));
}

/// Lets the tests read heap pages: the rows a transaction inserted are there before it commits,
/// and after it aborts until vacuumed, where no query can see them. Autovacuum is off for the
/// two tables counted so an aborted transaction's rows stay countable.
fn enable_page_inspection(conn: &mut PgConnection) {
    exec(conn, "CREATE EXTENSION IF NOT EXISTS pageinspect");
    exec(
        conn,
        "ALTER TABLE sos_order_operation_raw SET (autovacuum_enabled = off)",
    );
    exec(
        conn,
        "ALTER TABLE seller_score SET (autovacuum_enabled = off)",
    );
}

/// Every page of `table`, as SQL: `heap_page_items` rows `h`. All of it: a batch's rows may
/// land in free pages an earlier extension of the table left behind.
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

/// `committed`, `aborted` or `in progress`. The clusters are new, so an `xid` is its `xid8`.
fn xact_status(conn: &mut PgConnection, xid: &str) -> String {
    text(
        conn,
        &format!("SELECT coalesce(pg_xact_status('{xid}'::xid8)::text, 'unknown') AS t"),
    )
}

/// Once the backends of a killed server are gone: how their transaction `xid` ended.
fn final_status(conn: &mut PgConnection, xid: &str) -> String {
    wait_for(
        Duration::from_secs(30),
        "the killed server's transaction to end",
        || Some(xact_status(conn, xid)).filter(|s| s != "in progress"),
    )
}

/// A server backend inside a write transaction, and the rows it has put in the heap so far.
#[derive(QueryableByName, Debug)]
struct InFlight {
    #[diesel(sql_type = Integer)]
    pid: i32,
    #[diesel(sql_type = Text)]
    xid: String,
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = BigInt)]
    rows: i64,
    /// For an order batch: the period of its rows, so which batch it is.
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    period: Option<String>,
}

/// The period of an order row from its heap data: after `id` and `seller_id` (8 bytes each)
/// comes a short text, one header byte then the 7 bytes of `YYYY-MM`.
const ROW_PERIOD: &str = "convert_from(substring(h.t_data FROM 18 FOR 7), 'UTF8')";

/// A server backend running the `INSERT` of an order batch (its transaction has an xid, so it
/// has written), with the most rows of it in the heap.
fn batch_in_flight(conn: &mut PgConnection) -> Option<InFlight> {
    sql_query(format!(
        "SELECT a.pid, a.backend_xid::text AS xid, a.state, x.rows, x.period \
         FROM pg_stat_activity a, \
           LATERAL (SELECT count(*) AS rows, min({ROW_PERIOD}) AS period FROM {} WHERE h.t_xmin = a.backend_xid) x \
         WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.state = 'active' \
           AND a.backend_xid IS NOT NULL AND a.query LIKE 'INSERT INTO sos_order_operation_raw%' \
         ORDER BY x.rows DESC LIMIT 1",
        heap("sos_order_operation_raw")
    ))
    .get_result::<InFlight>(conn)
    .ok()
}

/// Rows of the order table that transaction `xid` inserted for `period`. After
/// a crash that lost the transaction before its WAL reached the disk there are none, and the
/// xid may be handed out again; the period tells its rows from a newcomer's.
fn batch_rows_inserted_by(conn: &mut PgConnection, xid: &str, period: &str) -> i64 {
    num(
        conn,
        &format!(
            "SELECT count(*) AS n FROM {} WHERE h.t_xmin = '{xid}'::xid AND {ROW_PERIOD} = '{period}'",
            heap("sos_order_operation_raw")
        ),
    )
}

/// The calculation holding its period's lock, inside its transaction, and the result rows it
/// has inserted so far.
fn calculation_in_flight(conn: &mut PgConnection) -> Option<InFlight> {
    sql_query(format!(
        "SELECT a.pid, a.backend_xid::text AS xid, a.state, \
           (SELECT count(*) FROM {} WHERE h.t_xmin = a.backend_xid) AS rows, NULL::text AS period \
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted \
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND a.backend_xid IS NOT NULL AND a.state IN ('active', 'idle in transaction') LIMIT 1",
        heap("seller_score")
    ))
    .get_result::<InFlight>(conn)
    .ok()
}

// ----------------------------------------------------------------------------------------------
// Where the data lives: a cluster of the test's own, or the server's embedded default.

enum Db {
    /// `DATABASE_URL` names a cluster the test started; it outlives the server.
    External { pg: Pg, data: TempDir },
    /// No `DATABASE_URL`: the server's private PostgreSQL, killed with it.
    Embedded(EmbeddedData),
}

/// A server and its database. Fields drop in order: the server is killed before its cluster goes.
struct Target {
    server: Server,
    db: Db,
}

impl Target {
    fn external(tag: &str) -> Self {
        let pg = Pg::start(tag);
        let data = TempDir::new(&format!("{tag}-data"));
        let server = Server::start(&pg, &data.0);
        Self {
            server,
            db: Db::External { pg, data },
        }
    }

    fn embedded(tag: &str) -> Self {
        let data = EmbeddedData(TempDir::new(tag));
        let server = Server::start_embedded(data.path());
        Self {
            server,
            db: Db::Embedded(data),
        }
    }

    fn label(&self) -> &'static str {
        match self.db {
            Db::External { .. } => "external PostgreSQL",
            Db::Embedded(_) => "embedded default",
        }
    }

    fn url(&self) -> String {
        match &self.db {
            Db::External { pg, .. } => pg.url.clone(),
            Db::Embedded(data) => format!(
                "postgres://{}@127.0.0.1:{}/{}",
                sos_pg_local::cluster::CLUSTER_USER,
                data.postmaster().1,
                sos_pg_local::cluster::APP_DATABASE
            ),
        }
    }

    fn connect(&self) -> PgConnection {
        PgConnection::establish(&self.url()).expect("connect to the server's database")
    }

    /// SIGKILL to the server and, on the embedded default, in the same `kill` call to its
    /// postmaster and every process of it (a backend inside a statement dies there, as in a
    /// crash of the machine): no shutdown code runs anywhere. Says what was killed.
    fn kill9(&mut self) -> String {
        let server = self.server.pid();
        match &self.db {
            Db::External { .. } => {
                self.server.kill9();
                format!("server PID {server}")
            }
            Db::Embedded(data) => {
                let (postmaster, _) = data.postmaster();
                let children = children_of(postmaster);
                // Backends first, so the one inside a statement stops there; then the rest.
                for pid in children.iter().chain([&postmaster, &server]) {
                    let pid = rustix::process::Pid::from_raw(i32::try_from(*pid).unwrap()).unwrap();
                    match rustix::process::kill_process(pid, rustix::process::Signal::KILL) {
                        // One that exited meanwhile has nothing left to kill.
                        Ok(()) | Err(rustix::io::Errno::SRCH) => {}
                        Err(e) => panic!("kill -KILL {pid:?}: {e}"),
                    }
                }
                self.server.child.wait().unwrap();
                // kill(2) returns before the process is dead: "killed" means gone (or a zombie
                // nobody reaps), so the restart never meets a postmaster still dying.
                wait_until(
                    Duration::from_secs(10),
                    "the killed PostgreSQL processes to die",
                    || {
                        children.iter().chain([&postmaster]).all(|pid| {
                            matches!(process_state(*pid).as_deref(), None | Some("Z" | "X"))
                        })
                    },
                );
                format!(
                    "server PID {server} with its postmaster PID {postmaster} and its {} processes",
                    children.len()
                )
            }
        }
    }

    /// Starts the server again at once, on the same database (its own, after a crash).
    fn restart(&mut self) {
        self.server = match &self.db {
            Db::External { pg, data } => Server::start(pg, &data.0),
            Db::Embedded(data) => Server::start_embedded(data.path()),
        };
    }
}

// ----------------------------------------------------------------------------------------------
// 1. kill -9 during batched sync.

/// Batch `k` writes its own period, so what it wrote can be told apart from every other batch.
fn batch_period(k: usize) -> String {
    format!("{}-{:02}", 2100 + k / 12, k % 12 + 1)
}

/// The batch that wrote `period`.
fn batch_of_period(period: &str) -> usize {
    let (year, month) = period.split_once('-').unwrap();
    (year.parse::<usize>().unwrap() - 2100) * 12 + month.parse::<usize>().unwrap() - 1
}

/// Record `i` of batch `k`: seller `i + 1`, figures derived from both.
fn batch_record(k: usize, i: usize) -> (String, u32, u32, u32) {
    let total = 500 + u32::try_from(i).unwrap();
    let within = u32::try_from(k % 400).unwrap();
    let late = u32::try_from(i % 7).unwrap();
    (seller_code(i + 1), total, within, late)
}

const BATCH: usize = 1_000;

fn batch_body(k: usize) -> Value {
    let period = batch_period(k);
    Value::Array(
        (0..BATCH)
            .map(|i| {
                let (code, total, within, late) = batch_record(k, i);
                json!({"seller_code": code, "period": period, "total_orders": total, "orders_within_30min": within, "orders_late": late})
            })
            .collect(),
    )
}

/// What the database holds for batch `k`: `None` when nothing, else whether every record is
/// there with its values (panics on a partial batch).
fn stored_batch(conn: &mut PgConnection, k: usize) -> Option<()> {
    let rows = texts(
        conn,
        &format!(
            "SELECT s.seller_code || ':' || o.total_orders || ':' || o.orders_within_30min || ':' || o.orders_late AS t \
             FROM sos_order_operation_raw o JOIN seller s ON s.id = o.seller_id WHERE o.period = '{}'",
            batch_period(k)
        ),
    );
    if rows.is_empty() {
        return None;
    }
    assert_eq!(
        rows.len(),
        BATCH,
        "batch {k} is half written: {} of {BATCH} records",
        rows.len()
    );
    let mut expected: Vec<String> = (0..BATCH)
        .map(|i| {
            let (code, total, within, late) = batch_record(k, i);
            format!("{code}:{total}:{within}:{late}")
        })
        .collect();
    let mut rows = rows;
    expected.sort();
    rows.sort();
    assert_eq!(rows, expected, "batch {k} holds other values than it sent");
    Some(())
}

/// A kill that landed inside a batch's transaction, and how that transaction ended.
struct Landed {
    batch: usize,
    xid: String,
    status: String,
}

/// Four clients send 1,000-record batches; each round waits until a server backend is inside
/// a batch's `INSERT` with rows of it in the heap, then kills (`Target::kill9`) and restarts.
/// Afterwards every acknowledged batch is there whole with its values, every other batch whole
/// or not at all, and each batch caught mid-`INSERT` is whole if its transaction committed and
/// absent if it aborted.
fn kill_9_during_batched_sync(target: &mut Target, rounds: usize) {
    let mut conn = target.connect();
    seed_sellers(&mut conn, 1_200);
    enable_page_inspection(&mut conn);

    let next_batch = Arc::new(AtomicUsize::new(0));
    // Batch id -> acknowledged (2xx), or sent without an answer.
    // Batch id -> its answer's status, `None` while it has none.
    let outcomes: Arc<Mutex<BTreeMap<usize, Option<u16>>>> = Arc::new(Mutex::new(BTreeMap::new()));
    let mut landed = Vec::new();
    let mut kills = 0;
    while landed.len() < rounds {
        let round = kills;
        kills += 1;
        assert!(
            kills <= 4 * rounds,
            "{kills} kills, only {} inside a batch's INSERT",
            landed.len()
        );
        let stop = Arc::new(AtomicBool::new(false));
        let acked_this_round = Arc::new(AtomicUsize::new(0));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let clients: Vec<_> = (0..4)
            .map(|_| {
                let (addr, next, outcomes, stop, acked, in_flight) = (
                    target.server.addr.clone(),
                    next_batch.clone(),
                    outcomes.clone(),
                    stop.clone(),
                    acked_this_round.clone(),
                    in_flight.clone(),
                );
                thread::spawn(move || {
                    while !stop.load(Ordering::SeqCst) {
                        let k = next.fetch_add(1, Ordering::SeqCst);
                        let body = batch_body(k);
                        outcomes.lock().unwrap().insert(k, None);
                        in_flight.fetch_add(1, Ordering::SeqCst);
                        match request(&addr, "POST", "/api/sync/orders", Some(&body)) {
                            Ok(r) if r.status == 200 => {
                                assert_eq!(
                                    r.json()["count"],
                                    json!(BATCH),
                                    "batch {k}: {}",
                                    r.body
                                );
                                outcomes.lock().unwrap().insert(k, Some(200));
                                in_flight.fetch_sub(1, Ordering::SeqCst);
                                acked.fetch_add(1, Ordering::SeqCst);
                            }
                            // A machine too busy to hand out a connection in time: refused,
                            // so nothing of the batch may be written.
                            Ok(r) if r.status == 503 => {
                                outcomes.lock().unwrap().insert(k, Some(503));
                                in_flight.fetch_sub(1, Ordering::SeqCst);
                            }
                            Ok(r) => panic!("batch {k} answered {}: {}", r.status, r.body),
                            // The server died under us: this batch has no answer.
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        // A few batches through, then one caught inside its INSERT with rows in the heap.
        wait_until(
            Duration::from_secs(60),
            "three batches acknowledged",
            || acked_this_round.load(Ordering::SeqCst) >= 3,
        );
        let hit = wait_for(
            Duration::from_secs(60),
            "a server backend inside a batch's INSERT with rows in the heap",
            // Rows in the heap, but not all yet: the statement is still inserting.
            || {
                batch_in_flight(&mut conn)
                    .filter(|f| f.rows > 0 && f.rows < i64::try_from(BATCH).unwrap())
            },
        );
        let unanswered = in_flight.load(Ordering::SeqCst);
        let killed = target.kill9();
        stop.store(true, Ordering::SeqCst);
        for c in clients {
            c.join().unwrap();
        }
        target.restart();
        conn = target.connect();
        let period = hit.period.clone().expect("the rows name their period");
        let batch = batch_of_period(&period);
        let rows_at_end = batch_rows_inserted_by(&mut conn, &hit.xid, &period);
        let status = if rows_at_end == 0 {
            // None of its rows reached the disk: the crash took the whole transaction.
            "was lost with the crash (none of its rows reached the WAL)".to_owned()
        } else {
            final_status(&mut conn, &hit.xid)
        };
        let answer = outcomes.lock().unwrap()[&batch];
        println!(
            "faults: kill -9 of the {killed} ({}), round {round}: {unanswered} batches in flight; batch {batch} inside its INSERT \
             in transaction xid {} (backend {}, {}) with {} of {BATCH} rows in the heap; the transaction then {status} ({rows_at_end} rows); \
             answer {answer:?}",
            target.label(),
            hit.xid,
            hit.pid,
            hit.state,
            hit.rows
        );
        assert!(
            matches!(status.as_str(), "committed" | "aborted") || rows_at_end == 0,
            "transaction {}: {status}",
            hit.xid
        );
        match answer {
            // It committed and was answered between the look and the kill: the kill missed it.
            Some(200) => {
                assert_eq!(status, "committed", "batch {batch} was acknowledged");
                println!(
                    "faults: round {round} missed: batch {batch} was answered before the kill landed"
                );
                continue;
            }
            // Its backend died first (killed before the server) and the server, still alive for
            // a moment, answered 503: the kill hit the INSERT, which must not have committed.
            Some(503) => assert_ne!(status, "committed", "batch {batch} answered 503"),
            None => {}
            Some(other) => panic!("batch {batch} answered {other}"),
        }
        landed.push(Landed {
            batch,
            xid: hit.xid,
            status,
        });
    }
    target.server.assert_no_panic();

    let outcomes = outcomes.lock().unwrap().clone();
    for l in &landed {
        let stored = stored_batch(&mut conn, l.batch);
        match l.status.as_str() {
            "committed" => assert!(
                stored.is_some(),
                "batch {}: transaction {} committed, yet the batch is missing",
                l.batch,
                l.xid
            ),
            _ => assert!(
                stored.is_none(),
                "batch {}: transaction {} {}, yet the batch is there",
                l.batch,
                l.xid,
                l.status
            ),
        }
    }
    let (mut acked, mut refused, mut unanswered, mut unanswered_written, mut records) =
        (0, 0, 0, 0, 0);
    for (&k, &answer) in &outcomes {
        match (stored_batch(&mut conn, k), answer) {
            (Some(()), Some(200)) => {
                acked += 1;
                records += BATCH;
            }
            (None, Some(200)) => panic!("batch {k} was acknowledged but is not in the database"),
            (Some(()), Some(status)) => panic!("batch {k} answered {status}, yet it was written"),
            (None, Some(_)) => refused += 1,
            (Some(()), None) => {
                unanswered += 1;
                unanswered_written += 1;
                records += BATCH;
            }
            (None, None) => unanswered += 1,
        }
    }
    assert!(
        acked >= 3 * kills,
        "too few acknowledged batches to mean anything: {acked}"
    );
    // Nothing else was written: every stored period is one of ours.
    let stored = num(
        &mut conn,
        "SELECT count(*)::bigint AS n FROM sos_order_operation_raw",
    );
    assert_eq!(
        usize::try_from(stored).unwrap(),
        records,
        "rows outside the batches sent"
    );
    let aborted = landed.iter().filter(|l| l.status != "committed").count();
    println!(
        "faults: kill -9 during sync ({}): {kills} kills, {rounds} inside a batch's INSERT and before its answer ({} of those transactions committed and \
         are whole, {aborted} aborted or lost and are absent); {} batches of {BATCH} sent, {acked} acknowledged (all {} records present \
         with their values), {refused} answered 503 (none written), {unanswered} unanswered ({unanswered_written} written whole, {} not at all, \
         none partly); records lost: 0",
        target.label(),
        landed.len() - aborted,
        outcomes.len(),
        acked * BATCH,
        unanswered - unanswered_written
    );
}

#[test]
fn kill_9_during_batched_sync_loses_no_acknowledged_record() {
    let _serial = serial();
    let mut target = Target::external("sync");
    kill_9_during_batched_sync(&mut target, 5);
}

#[test]
fn kill_9_of_the_embedded_default_during_batched_sync_loses_no_acknowledged_record() {
    let _serial = serial();
    let mut target = Target::embedded("sync-embedded");
    kill_9_during_batched_sync(&mut target, 2);
}

// ----------------------------------------------------------------------------------------------
// 2. kill -9 during a calculation; 5. two calculations at once.

/// Sellers with order, ticket and payment figures for 2026-02, straight in the tables.
fn seed_scorable(conn: &mut PgConnection, n: usize) {
    seed_sellers(conn, n);
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

/// The period's stored results, row by row, as one fingerprint (count and md5).
fn results_fingerprint(conn: &mut PgConnection) -> (i64, String) {
    let n = num(
        conn,
        "SELECT count(*)::bigint AS n FROM seller_score WHERE period = '2026-02'",
    );
    let h = text(
        conn,
        "SELECT coalesce(md5(string_agg(seller_id || '|' || status || '|' || coalesce(sos_score::text, '-') || '|' \
         || coalesce(tier, '-') || '|' || calculated_at::text || '|' || md5(result::text), ',' ORDER BY seller_id)), '') AS t \
         FROM seller_score WHERE period = '2026-02'",
    );
    (n, h)
}

fn runs_of_period(conn: &mut PgConnection) -> i64 {
    num(
        conn,
        "SELECT count(*)::bigint AS n FROM calculation_run WHERE period = '2026-02'",
    )
}

/// Sellers for the calculation tests: enough that a debug-build calculation takes seconds.
const CALC_SELLERS: usize = 20_000;

/// A first calculation, new inputs, then a second calculation killed once its transaction has
/// inserted a quarter of the new results; after the restart the previous results are intact,
/// no run was recorded, and a new calculation uses the new inputs.
fn kill_9_during_a_calculation(target: &mut Target) {
    let mut conn = target.connect();
    seed_scorable(&mut conn, CALC_SELLERS);
    enable_page_inspection(&mut conn);

    let started = Instant::now();
    let run = must(
        &target.server.addr,
        "POST",
        "/api/sos/monthly/calculate",
        Some(&json!({"period": "2026-02"})),
        200,
    );
    let full = started.elapsed();
    assert_eq!(run["sellers_scored"], json!(CALC_SELLERS), "{run}");
    assert_eq!(
        results_fingerprint(&mut conn).0,
        i64::try_from(CALC_SELLERS).unwrap()
    );

    let mut attempt = 0;
    let (before, runs_before, hit) = loop {
        attempt += 1;
        // The results as they stand, then new inputs, so a run that got to commit would change
        // every result.
        let before = results_fingerprint(&mut conn);
        let runs_before = runs_of_period(&mut conn);
        exec(&mut conn, "UPDATE sos_order_operation_raw SET orders_late = orders_late + 7 WHERE period = '2026-02'");
        let addr = target.server.addr.clone();
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
            "the calculation's transaction holding its lock with a quarter of the results inserted",
            || calculation_in_flight(&mut conn).filter(|f| f.rows >= quarter),
        );
        let killed = target.kill9();
        let answer = caller.join().unwrap();
        target.restart();
        conn = target.connect();
        let status = final_status(&mut conn, &hit.xid);
        let rows_at_end = rows_inserted_by(&mut conn, "seller_score", &hit.xid);
        println!(
            "faults: kill -9 of the {killed} ({}) during a calculation of {CALC_SELLERS} sellers: transaction xid {} \
             (backend {}, {}) held the period's lock with {} of {CALC_SELLERS} result rows inserted; the transaction then {status} \
             ({rows_at_end} rows in the heap)",
            target.label(),
            hit.xid,
            hit.pid,
            hit.state,
            hit.rows
        );
        if status == "committed" {
            // It reached its commit between the look and the kill: try again from its results.
            assert!(
                attempt < 3,
                "the calculation is too fast to be killed mid-run"
            );
            continue;
        }
        assert_eq!(status, "aborted", "transaction {}", hit.xid);
        assert!(answer.is_err(), "a killed server answered: {answer:?}");
        break (before, runs_before, hit);
    };
    let after_kill = results_fingerprint(&mut conn);
    assert_eq!(
        after_kill, before,
        "the killed calculation changed the period's results"
    );
    assert_eq!(
        runs_of_period(&mut conn),
        runs_before,
        "the killed calculation left a run record"
    );
    // Its rows are in the heap, dead: no query sees them.
    assert!(rows_inserted_by(&mut conn, "seller_score", &hit.xid) > 0);

    let run = must(
        &target.server.addr,
        "POST",
        "/api/sos/monthly/calculate",
        Some(&json!({"period": "2026-02"})),
        200,
    );
    assert_eq!(run["sellers_scored"], json!(CALC_SELLERS), "{run}");
    let after = results_fingerprint(&mut conn);
    assert_eq!(after.0, before.0);
    assert_ne!(
        after.1, before.1,
        "the new calculation did not use the new inputs"
    );
    assert_eq!(runs_of_period(&mut conn), runs_before + 1);
    target.server.assert_no_panic();
    println!(
        "faults: kill -9 during a calculation ({}): {CALC_SELLERS} sellers (a full run took {} ms); killed in attempt {attempt} \
         with {} result rows of its own inserted; {} previous results checked unchanged, 0 run records left; a new calculation \
         then scored {CALC_SELLERS}",
        target.label(),
        full.as_millis(),
        hit.rows,
        before.0
    );
}

#[test]
fn kill_9_during_a_calculation_keeps_the_previous_results() {
    let _serial = serial();
    let mut target = Target::external("calc");
    kill_9_during_a_calculation(&mut target);
}

#[test]
fn kill_9_of_the_embedded_default_during_a_calculation_keeps_the_previous_results() {
    let _serial = serial();
    let mut target = Target::embedded("calc-embedded");
    kill_9_during_a_calculation(&mut target);
}

#[test]
fn two_calculations_of_one_period_one_runs_the_other_gets_409() {
    let _serial = serial();
    let pg = Pg::start("calc2");
    let data = TempDir::new("calc2-data");
    let mut conn = pg.connect();
    let server = Server::start(&pg, &data.0);
    seed_scorable(&mut conn, CALC_SELLERS);

    let mut tries = 0;
    let statuses = loop {
        tries += 1;
        let barrier = Arc::new(Barrier::new(2));
        let callers: Vec<_> = (0..2)
            .map(|_| {
                let (addr, barrier) = (server.addr.clone(), barrier.clone());
                thread::spawn(move || {
                    barrier.wait();
                    let r = request(
                        &addr,
                        "POST",
                        "/api/sos/monthly/calculate",
                        Some(&json!({"period": "2026-02"})),
                    )
                    .unwrap();
                    (r.status, r.body)
                })
            })
            .collect();
        let mut answers: Vec<(u16, String)> =
            callers.into_iter().map(|c| c.join().unwrap()).collect();
        answers.sort();
        let statuses: Vec<u16> = answers.iter().map(|a| a.0).collect();
        if statuses == [200, 200] && tries < 5 {
            // One finished before the other started: race again.
            continue;
        }
        assert_eq!(statuses, [200, 409], "{answers:?}");
        assert!(
            answers[1].1.contains("running"),
            "the 409 does not say a calculation is running: {}",
            answers[1].1
        );
        break statuses;
    };
    // One run recorded per 200 (two per race that did not overlap, one for the race that did),
    // none for the 409, and one full set of results.
    assert_eq!(runs_of_period(&mut conn), 2 * (i64::from(tries) - 1) + 1);
    assert_eq!(
        results_fingerprint(&mut conn).0,
        i64::try_from(CALC_SELLERS).unwrap()
    );
    server.assert_no_panic();
    println!("faults: two calculations at once: answers {statuses:?} after {tries} race(s); one run recorded per race");
}

// ----------------------------------------------------------------------------------------------
// 3. The database stopped under load.

/// The outage test's writes: 1,000 records each, over 100 sellers and 10 months of their own,
/// so an `INSERT` lasts long enough for a stop to land inside it.
const OUTAGE_SELLERS: usize = 100;
const OUTAGE_RECORDS: usize = 1_000;
const OUTAGE_WRITE_MONTHS: usize = OUTAGE_RECORDS / OUTAGE_SELLERS;

/// Record `m` of write `r` in the outage test: every write has periods of its own and figures
/// derived from `r`, so each can be found, or found missing, afterwards.
fn outage_record(r: usize, m: usize) -> (String, String, usize, usize, usize) {
    let idx = r * OUTAGE_WRITE_MONTHS + m / OUTAGE_SELLERS;
    assert!(idx < 12 * 7_900, "write {r}: past the last period");
    (
        seller_code(m % OUTAGE_SELLERS + 1),
        format!("{}-{:02}", 2030 + idx / 12, idx % 12 + 1),
        1000 + r,
        m % 100,
        r % 7,
    )
}

/// The write of the outage test that wrote `period`.
fn outage_write_of_period(period: &str) -> usize {
    let (year, month) = period.split_once('-').unwrap();
    ((year.parse::<usize>().unwrap() - 2030) * 12 + month.parse::<usize>().unwrap() - 1)
        / OUTAGE_WRITE_MONTHS
}

fn outage_body(r: usize) -> Value {
    Value::Array(
        (0..OUTAGE_RECORDS)
            .map(|m| {
                let (seller, period, total, within, late) = outage_record(r, m);
                json!({"seller_code": seller, "period": period, "total_orders": total, "orders_within_30min": within, "orders_late": late})
            })
            .collect(),
    )
}

#[test]
fn database_stopped_under_load_answers_503_then_recovers_without_a_restart() {
    let _serial = serial();
    let pg = Pg::start("outage");
    let data = TempDir::new("outage-data");
    let mut server = Server::start(&pg, &data.0);
    let mut conn = pg.connect();
    seed_sellers(&mut conn, OUTAGE_SELLERS);
    enable_page_inspection(&mut conn);
    let addr = server.addr.clone();
    must(
        &addr,
        "POST",
        "/api/account-managers",
        Some(&json!({"id": 1, "name": "Nguyen Van A"})),
        201,
    );
    must(
        &addr,
        "POST",
        "/api/sellers",
        Some(&json!({"seller_code": "SEL001", "company_name": "Acme", "am_id": 1})),
        201,
    );
    let pid = server.pid();

    #[derive(Default)]
    struct Seen {
        statuses: BTreeMap<u16, usize>,
        slowest: Duration,
        errors: Vec<String>,
        /// Write id -> its answer.
        writes: BTreeMap<usize, u16>,
        /// Writes fully sent and not yet answered.
        in_flight: std::collections::BTreeSet<usize>,
        /// Per client: when its last request answered 200 was sent.
        last_ok_sent: [Option<Instant>; 4],
        reads_503: usize,
    }
    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let next_write = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..4)
        .map(|t| {
            let (addr, seen, stop, next_write) =
                (addr.clone(), seen.clone(), stop.clone(), next_write.clone());
            thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    let write = (t % 2 == 1).then(|| next_write.fetch_add(1, Ordering::SeqCst));
                    let (method, path, body) = match write {
                        None => ("GET", "/api/sellers/SEL001", None),
                        Some(r) => ("POST", "/api/sync/orders", Some(outage_body(r))),
                    };
                    let started = Instant::now();
                    let outcome =
                        send_request(&addr, method, path, body.as_ref(), Duration::from_secs(30))
                            .and_then(|stream| {
                                if let Some(r) = write {
                                    seen.lock().unwrap().in_flight.insert(r);
                                }
                                read_response(stream)
                            });
                    let took = started.elapsed();
                    let mut seen = seen.lock().unwrap();
                    seen.slowest = seen.slowest.max(took);
                    match outcome {
                        Ok(r) => {
                            *seen.statuses.entry(r.status).or_default() += 1;
                            if r.status == 200 {
                                seen.last_ok_sent[t] = Some(started);
                            }
                            match write {
                                Some(w) => {
                                    seen.in_flight.remove(&w);
                                    seen.writes.insert(w, r.status);
                                }
                                None if r.status == 503 => seen.reads_503 += 1,
                                None => {}
                            }
                        }
                        Err(e) => seen
                            .errors
                            .push(format!("{method} {path} after {took:?}: {e}")),
                    }
                    drop(seen);
                    // Think time between a client's requests, not a wait for anything.
                    thread::sleep(Duration::from_millis(5));
                }
            })
        })
        .collect();

    // Each stop lands mid-work: writes acknowledged, one fully sent and unanswered, and a server
    // backend inside a write's INSERT. A stop that the INSERT outran (it committed) is repeated.
    let mut outages = Vec::new();
    let (hit, hit_write, sent_unanswered, outage, recovered) = loop {
        assert!(
            outages.len() < 3,
            "3 stops, none inside a write's INSERT: {outages:?}"
        );
        let (hit, sent_unanswered) = wait_for(
            Duration::from_secs(60),
            "acknowledged writes, then a write sent and unanswered while a backend is inside its INSERT",
            || {
                let acked = seen.lock().unwrap().writes.values().filter(|s| **s == 200).count();
                if acked < 5 + 5 * outages.len() || seen.lock().unwrap().in_flight.is_empty() {
                    return None;
                }
                // Rows in the heap, but not all yet: the statement is still inserting.
                let hit = batch_in_flight(&mut conn)
                    .filter(|h| h.rows > 0 && h.rows < i64::try_from(OUTAGE_RECORDS).unwrap())?;
                let in_flight: Vec<usize> = seen.lock().unwrap().in_flight.iter().copied().collect();
                (!in_flight.is_empty()).then_some((hit, in_flight))
            },
        );
        pg.stop_now();
        let stopped_at = Instant::now();
        let hit_write = outage_write_of_period(hit.period.as_deref().unwrap());
        println!(
            "faults: database stopped with {} write(s) of {OUTAGE_RECORDS} records fully sent and unanswered ({sent_unanswered:?}), \
             write {hit_write} inside its INSERT in transaction xid {} (backend {}) with {} rows in the heap",
            sent_unanswered.len(),
            hit.xid,
            hit.pid,
            hit.rows
        );
        // While it is down: /readyz says so, and reads and writes answer 503.
        wait_until(
            Duration::from_secs(20),
            "/readyz answers 503 with the database down",
            || {
                let r =
                    request_with_timeout(&addr, "GET", "/readyz", None, Duration::from_secs(15))
                        .unwrap();
                r.status == 503 && r.json()["status"] == json!("unavailable")
            },
        );
        let reads_503 = seen.lock().unwrap().reads_503;
        wait_until(
            Duration::from_secs(60),
            "the writes in flight at the stop answered, and a read and a write answered 503",
            || {
                let seen = seen.lock().unwrap();
                sent_unanswered.iter().all(|r| seen.writes.contains_key(r))
                    && seen.reads_503 > reads_503
                    && seen.writes.values().filter(|s| **s == 503).count() > outages.len()
            },
        );
        let outage = stopped_at.elapsed();

        pg.start_again();
        let restarted_at = Instant::now();
        wait_until(
            Duration::from_secs(30),
            "the server serves again once the database is back",
            || {
                request(&addr, "GET", "/readyz", None).is_ok_and(|r| r.status == 200)
                    && request(&addr, "GET", "/api/sellers/SEL001", None)
                        .is_ok_and(|r| r.status == 200)
            },
        );
        let recovered = restarted_at.elapsed();
        // Every client, readers and writers, has had a request sent after the return answered 200.
        wait_until(Duration::from_secs(30), "every client served again", || {
            seen.lock()
                .unwrap()
                .last_ok_sent
                .iter()
                .all(|t| t.is_some_and(|t| t > restarted_at))
        });
        conn = pg.connect();
        let status = final_status(&mut conn, &hit.xid);
        let answer = seen.lock().unwrap().writes[&hit_write];
        println!(
            "faults: after the stop, transaction xid {} {status}; write {hit_write} answered {answer}",
            hit.xid
        );
        outages.push(status.clone());
        if status == "aborted" {
            assert_eq!(answer, 503, "write {hit_write}: its transaction aborted");
            break (hit, hit_write, sent_unanswered, outage, recovered);
        }
        assert_eq!(answer, 200, "write {hit_write}: its transaction {status}");
    };
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.join().unwrap();
    }
    assert!(
        server.running() && server.pid() == pid,
        "the server was restarted or died"
    );
    server.assert_no_panic();
    let seen = seen.lock().unwrap();
    assert!(
        seen.errors.is_empty(),
        "requests without an answer: {:?}",
        seen.errors
    );
    let unexpected: Vec<_> = seen
        .statuses
        .keys()
        .filter(|s| !matches!(s, 200 | 503))
        .collect();
    assert!(
        unexpected.is_empty(),
        "statuses other than 200 and 503: {:?}",
        seen.statuses
    );
    assert!(
        seen.slowest < Duration::from_secs(10),
        "a request took {:?}",
        seen.slowest
    );

    // The data: every write answered 200 is there with its values, nothing of a write answered
    // 503, nothing else.
    let mut conn = pg.connect();
    let stored: std::collections::BTreeSet<String> = texts(
        &mut conn,
        "SELECT s.seller_code || ':' || o.period || ':' || o.total_orders || ':' || o.orders_within_30min || ':' || o.orders_late AS t \
         FROM sos_order_operation_raw o JOIN seller s ON s.id = o.seller_id",
    )
    .into_iter()
    .collect();
    let stored_keys: std::collections::BTreeSet<String> = stored
        .iter()
        .map(|t| t.splitn(3, ':').take(2).collect::<Vec<_>>().join(":"))
        .collect();
    let (mut acked, mut refused) = (0, 0);
    for (&r, &status) in &seen.writes {
        for m in 0..OUTAGE_RECORDS {
            let (seller, period, total, within, late) = outage_record(r, m);
            if status == 200 {
                assert!(
                    stored.contains(&format!("{seller}:{period}:{total}:{within}:{late}")),
                    "write {r} was acknowledged, but {seller} {period} is missing or holds other values"
                );
            } else {
                assert!(
                    !stored_keys.contains(&format!("{seller}:{period}")),
                    "write {r} answered {status}, yet {seller} {period} was written"
                );
            }
        }
        if status == 200 {
            acked += 1;
        } else {
            refused += 1;
        }
    }
    assert_eq!(
        stored.len(),
        acked * OUTAGE_RECORDS,
        "rows other than those of the acknowledged writes"
    );
    let in_flight_answers: Vec<u16> = sent_unanswered.iter().map(|r| seen.writes[r]).collect();
    let total: usize = seen.statuses.values().sum();
    println!(
        "faults: database stopped under load ({} stops: {outages:?}), the last inside write {hit_write}'s INSERT (xid {}, aborted): \
         {} ms down, {total} requests ({:?} by status), slowest {} ms, /readyz 503 while down; served again {} ms after the \
         database returned, same process; the writes in flight at that stop answered {in_flight_answers:?}; {acked} writes \
         acknowledged, all {} records present with their values; {refused} answered 503, none of their {} records written",
        outages.len(),
        hit.xid,
        outage.as_millis(),
        seen.statuses,
        seen.slowest.as_millis(),
        recovered.as_millis(),
        acked * OUTAGE_RECORDS,
        refused * OUTAGE_RECORDS
    );
}

// ----------------------------------------------------------------------------------------------
// 7. kill -9 of the server and its private PostgreSQL, then an immediate restart.

/// A data directory for the embedded default; a private PostgreSQL still running on it when the
/// test ends (the server was killed) is stopped and deleted.
struct EmbeddedData(TempDir);

impl EmbeddedData {
    fn path(&self) -> &Path {
        &self.0 .0
    }

    /// The PID and the port of the private postmaster, from its `postmaster.pid`.
    fn postmaster(&self) -> (u32, u16) {
        let text = std::fs::read_to_string(self.path().join("pg/postmaster.pid")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        (
            lines[0].trim().parse().unwrap(),
            lines[3].trim().parse().unwrap(),
        )
    }
}

impl Drop for EmbeddedData {
    fn drop(&mut self) {
        if self.path().join("pg/postmaster.pid").exists() {
            // Reuses (or starts) the cluster, then stops it at once and removes it.
            match LocalCluster::start(self.path()).map(LocalCluster::destroy) {
                Ok(Ok(())) => {}
                Ok(Err(e)) | Err(e) => eprintln!("could not remove the private cluster: {e}"),
            }
        }
    }
}

/// The PIDs whose parent is `pid`.
fn children_of(pid: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|child| {
            std::fs::read_to_string(format!("/proc/{child}/stat")).is_ok_and(|stat| {
                stat.rsplit_once(')')
                    .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok())
                    == Some(pid)
            })
        })
        .collect()
}

/// Seller `i` of the crash test: what is sent, and so what must be read back.
fn crash_seller(i: usize) -> Value {
    json!({
        "seller_code": format!("CRASH{i:03}"),
        "company_name": format!("Crash seller {i}"),
        "contract_type": (["B2C", "B2B"])[i % 2],
        "country_code": "VN",
        "onboarded_at": format!("2025-{:02}-{:02}", i % 12 + 1, i % 28 + 1),
    })
}

fn crash_orders(i: usize) -> Value {
    json!({
        "seller_code": format!("CRASH{i:03}"),
        "period": "2026-02",
        "total_orders": 100 + i,
        "orders_within_30min": 90 + i % 10,
        "orders_late": 10 - i % 10,
        "avg_push_time_minutes": format!("{}.{:02}", 10 + i, i % 100).parse::<Value>().unwrap(),
    })
}

#[test]
fn kill_9_of_the_server_and_its_private_postgres_then_an_immediate_restart_keeps_every_write() {
    let _serial = serial();
    let data = EmbeddedData(TempDir::new("embedded"));
    let mut server = Server::start_embedded(data.path());
    let (postmaster, port) = data.postmaster();

    let sellers = 40;
    for i in 0..sellers {
        must(
            &server.addr,
            "POST",
            "/api/sellers",
            Some(&crash_seller(i)),
            201,
        );
        let r = must(
            &server.addr,
            "POST",
            "/api/sync/orders",
            Some(&crash_orders(i)),
            200,
        );
        assert_eq!(r["success"], json!(true), "{r}");
    }

    // Both at once, with SIGKILL: no shutdown code runs in either.
    let server_pid = server.pid();
    server.kill9();
    let killed = Command::new("kill")
        .args(["-KILL", &postmaster.to_string()])
        .status()
        .unwrap();
    assert!(killed.success(), "kill -KILL {postmaster}");
    let restart = Instant::now();
    let server = Server::start_embedded(data.path());
    let ready_after = restart.elapsed();
    // The old postmaster is dead (gone, or a zombie nobody reaps); a new one serves.
    let old_state = process_state(postmaster);
    assert!(
        matches!(old_state.as_deref(), None | Some("Z" | "X")),
        "postmaster {postmaster} still runs: {old_state:?}"
    );
    let (new_postmaster, new_port) = data.postmaster();
    assert_ne!(new_postmaster, postmaster);

    for i in 0..sellers {
        let sent = crash_seller(i);
        let code = sent["seller_code"].as_str().unwrap();
        let got = must(
            &server.addr,
            "GET",
            &format!("/api/sellers/{code}"),
            None,
            200,
        );
        for field in [
            "seller_code",
            "company_name",
            "contract_type",
            "country_code",
            "onboarded_at",
        ] {
            assert_eq!(got[field], sent[field], "seller {code}, {field}: {got}");
        }
    }
    let url = format!(
        "postgres://{}@127.0.0.1:{new_port}/{}",
        sos_pg_local::cluster::CLUSTER_USER,
        sos_pg_local::cluster::APP_DATABASE
    );
    let mut conn = PgConnection::establish(&url).unwrap();
    let mut stored = texts(
        &mut conn,
        "SELECT s.seller_code || ':' || o.total_orders || ':' || o.orders_within_30min || ':' || o.orders_late || ':' || o.avg_push_time_minutes AS t \
         FROM sos_order_operation_raw o JOIN seller s ON s.id = o.seller_id WHERE o.period = '2026-02'",
    );
    let mut sent: Vec<String> = (0..sellers)
        .map(|i| {
            let o = crash_orders(i);
            format!(
                "{}:{}:{}:{}:{}",
                o["seller_code"].as_str().unwrap(),
                o["total_orders"],
                o["orders_within_30min"],
                o["orders_late"],
                o["avg_push_time_minutes"]
            )
        })
        .collect();
    stored.sort();
    sent.sort();
    assert_eq!(
        stored, sent,
        "the order figures read back differ from those acknowledged"
    );
    server.assert_no_panic();
    println!(
        "faults: kill -9 of the server (PID {server_pid}) and its private postmaster (PID {postmaster}, port {port}; \
         afterwards {}); the restart at once was ready in {} ms on a new postmaster (PID {new_postmaster}, port {new_port}); \
         {sellers} sellers read back over HTTP and {} order rows by SQL, all with the acknowledged values",
        old_state.map_or("gone".to_owned(), |s| format!("process state {s}")),
        ready_after.as_millis(),
        stored.len()
    );
}

// ----------------------------------------------------------------------------------------------
// 4. Concurrent writers; 6. retries.

#[test]
fn sixteen_writers_on_one_seller_and_period_leave_one_row_from_one_payload() {
    let _serial = serial();
    let pg = Pg::start("writers");
    let data = TempDir::new("writers-data");
    let mut conn = pg.connect();
    let server = Server::start(&pg, &data.0);
    must(
        &server.addr,
        "POST",
        "/api/sellers",
        Some(&json!({"seller_code": "SEL001", "company_name": "Acme"})),
        201,
    );

    let rounds = 5;
    let payload = |t: u32, r: u32| json!({"seller_code": "SEL001", "period": "2026-03", "total_orders": 1000 + t * 10 + r, "orders_within_30min": t * 10 + r, "orders_late": r});
    let barrier = Arc::new(Barrier::new(16));
    let writers: Vec<_> = (0..16u32)
        .map(|t| {
            let (addr, barrier) = (server.addr.clone(), barrier.clone());
            thread::spawn(move || {
                let mut statuses = Vec::new();
                for r in 0..rounds {
                    barrier.wait();
                    let resp =
                        request(&addr, "POST", "/api/sync/orders", Some(&payload(t, r))).unwrap();
                    statuses.push((resp.status, resp.body));
                }
                statuses
            })
        })
        .collect();
    let mut writes = 0;
    for w in writers {
        for (status, body) in w.join().unwrap() {
            assert_eq!(status, 200, "{body}");
            writes += 1;
        }
    }
    let rows = texts(
        &mut conn,
        "SELECT o.total_orders || ':' || o.orders_within_30min || ':' || o.orders_late AS t FROM sos_order_operation_raw o \
         JOIN seller s ON s.id = o.seller_id WHERE s.seller_code = 'SEL001' AND o.period = '2026-03'",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    let sent: Vec<String> = (0..16u32)
        .flat_map(|t| (0..rounds).map(move |r| (t, r)))
        .map(|(t, r)| {
            let p = payload(t, r);
            format!(
                "{}:{}:{}",
                p["total_orders"], p["orders_within_30min"], p["orders_late"]
            )
        })
        .collect();
    assert!(
        sent.contains(&rows[0]),
        "the row {} is none of the payloads sent",
        rows[0]
    );
    // The last round's writers were the last to commit: the row is one of theirs.
    assert!(
        rows[0].ends_with(&format!(":{}", rounds - 1)),
        "the row {} is from an earlier round",
        rows[0]
    );
    server.assert_no_panic();
    println!("faults: 16 concurrent writers x {rounds} rounds on one seller and period: {writes} writes, all 200; 1 row, equal to a payload sent");
}

#[test]
fn retries_are_safe() {
    let _serial = serial();
    let pg = Pg::start("retries");
    let data = TempDir::new("retries-data");
    let mut conn = pg.connect();
    let server = Server::start(&pg, &data.0);
    let addr = server.addr.clone();
    must(
        &addr,
        "POST",
        "/api/sellers",
        Some(&json!({"seller_code": "SEL001", "company_name": "Acme"})),
        201,
    );
    must(
        &addr,
        "POST",
        "/api/sellers",
        Some(&json!({"seller_code": "SEL002", "company_name": "Beta"})),
        201,
    );
    must(
        &addr,
        "POST",
        "/api/campaigns",
        Some(
            &json!({"campaign_code": "CAMP-2026-02", "name": "Valentine", "campaign_type": "major_campaign", "start_date": "2026-02-14", "end_date": "2026-02-15"}),
        ),
        201,
    );
    let state = |conn: &mut PgConnection| -> Vec<String> {
        texts(
            conn,
            "SELECT 'o:' || seller_id || ':' || period || ':' || total_orders || ':' || coalesce(orders_late::text, '-') || ':' || coalesce(avg_push_time_minutes::text, '-') AS t FROM sos_order_operation_raw \
             UNION ALL SELECT 't:' || seller_id || ':' || period || ':' || coalesce(total_tickets::text, '-') || ':' || coalesce(under_4h::text, '-') FROM sos_ticket_sla_raw \
             UNION ALL SELECT 'p:' || seller_id || ':' || period || ':' || total_invoices || ':' || coalesce(total_outstanding_amount::text, '-') FROM sos_payment_raw \
             UNION ALL SELECT 'i:' || seller_id || ':' || invoice_id || ':' || amount FROM sos_payment_invoice_raw \
             UNION ALL SELECT 'f:' || seller_id || ':' || submission_version || ':' || submitted_at || ':' || forecasted_order_volume FROM seller_forecast_submission \
             ORDER BY 1",
        )
    };
    let calls: Vec<(&str, Value)> = vec![
        (
            "/api/sync/orders",
            json!({"seller_code": "SEL001", "period": "2026-02", "total_orders": 150, "orders_within_30min": 140, "orders_late": 10, "avg_push_time_minutes": 18.5}),
        ),
        (
            "/api/sync/orders",
            json!([
                {"seller_code": "SEL001", "period": "2026-01", "total_orders": 90, "orders_within_30min": 80, "orders_late": 10},
                {"seller_code": "SEL002", "period": "2026-01", "total_orders": 50, "orders_within_30min": 50, "orders_late": 0}
            ]),
        ),
        (
            "/api/sync/tickets",
            json!({"seller_code": "SEL001", "period": "2026-02", "total_tickets": 25, "avg_response_time_hours": 3.5, "breakdown": {"under_4h": 18, "4h_8h": 4, "8h_16h": 2, "over_16h": 1}}),
        ),
        (
            "/api/sync/payments",
            json!({"seller_code": "SEL001", "period": "2026-02", "invoices": [
            {"invoice_id": "INV001", "days_late": 0, "amount": 5000000}, {"invoice_id": "INV002", "days_late": 5, "amount": 3000000}], "currency": "VND"}),
        ),
        (
            "/api/sync/forecasts",
            json!({"seller_code": "SEL001", "campaign_code": "CAMP-2026-02", "submitted_at": "2026-01-28T10:00:00Z", "forecasted_order_volume": 5000}),
        ),
    ];
    let mut retried = 0;
    for (path, body) in &calls {
        must(&addr, "POST", path, Some(body), 200);
        let once = state(&mut conn);
        for _ in 0..3 {
            must(&addr, "POST", path, Some(body), 200);
            retried += 1;
            assert_eq!(state(&mut conn), once, "retrying {path} changed the state");
        }
    }
    let versions = |conn: &mut PgConnection| {
        num(
            conn,
            "SELECT count(*)::bigint AS n FROM seller_forecast_submission",
        )
    };
    assert_eq!(
        versions(&mut conn),
        1,
        "a retried forecast made a new version"
    );
    // A new submitted_at is a new version; retrying it makes no third.
    let second = json!({"seller_code": "SEL001", "campaign_code": "CAMP-2026-02", "submitted_at": "2026-02-01T09:00:00Z", "forecasted_order_volume": 5200});
    for _ in 0..3 {
        must(&addr, "POST", "/api/sync/forecasts", Some(&second), 200);
        retried += 1;
    }
    assert_eq!(versions(&mut conn), 2);
    let highest = num(
        &mut conn,
        "SELECT max(submission_version)::bigint AS n FROM seller_forecast_submission",
    );
    assert_eq!(highest, 2);
    server.assert_no_panic();
    println!("faults: retries: {} calls each retried 3 times plus a second forecast version sent 3 times ({retried} retries); state unchanged by every retry, 2 forecast versions", calls.len());
}
