//! The harness of the PostgreSQL tests: a fresh, migrated database per test, on a throw-away
//! cluster per test process.
//!
//! ```no_run
//! use sos_pg_local::testing::TestDb;
//! let db = TestDb::new(); // a new database, migrations applied
//! let url = db.url();     // hand it to a pool, a store, a server...
//! # let _ = url;
//! // dropping `db` drops the database
//! ```
//!
//! # Where the databases live
//!
//! - By default, each test process starts its own cluster with [`LocalCluster`] in
//!   `/dev/shm/sos-test-pg-<pid>` (memory: creating a database there is several times faster
//!   than on disk), or in `<tmp>/sos-test-pg-<pid>` when `/dev/shm` is missing or has less than
//!   1 GiB free, with the disk flushes off (nothing there needs to survive). A
//!   watchdog process stops it and deletes the directory as soon as the test process ends, however
//!   it ends: Rust never drops statics and `atexit` would need `unsafe`, so the watchdog waits for
//!   the end of a pipe that only this process holds, which the kernel closes when it exits, even
//!   when killed. Should a watchdog be killed too, the next test process removes the directories
//!   of test processes that no longer exist.
//! - With `SOS_TEST_DATABASE_URL` set, the databases are created on that server instead (its user
//!   needs `CREATEDB`); nothing is started.
//!
//! # Per test
//!
//! The migrations run once per process, into the database `sos_template`; [`TestDb::new`] then
//! copies it (`CREATE DATABASE t_... TEMPLATE sos_template`), which takes milliseconds. Tests run
//! in parallel: only the copies are serialized, because PostgreSQL refuses to copy a template that
//! anything else is using; an advisory lock extends that to other test processes sharing a
//! server.

use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use diesel::{Connection, PgConnection, RunQueryDsl};

use crate::cluster::{quote_ident, Durability, LocalCluster, StartOptions};

/// The variable that points the tests at an existing server instead of a private cluster.
pub const TEST_DATABASE_URL_VAR: &str = "SOS_TEST_DATABASE_URL";

/// The migrated database every test database is copied from.
pub const TEMPLATE_DATABASE: &str = "sos_template";

/// The name prefix of the per-process cluster directories in the temporary directory.
const DIR_PREFIX: &str = "sos-test-pg-";

/// The key of the advisory lock that serializes template use across processes ("SOS_TEST").
const LOCK_KEY: i64 = 0x534f_535f_5445_5354;

/// A fresh database with every migration applied, dropped when this value is dropped.
///
/// Each test gets its own, so tests run in parallel without seeing each other's rows.
#[derive(Debug)]
pub struct TestDb {
    url: String,
    name: String,
}

impl TestDb {
    /// Creates a fresh migrated database.
    ///
    /// # Panics
    /// When no database can be made (PostgreSQL missing, a migration failing): the test cannot
    /// run, and the message says why.
    #[must_use]
    pub fn new() -> Self {
        match Self::try_new() {
            Ok(db) => db,
            Err(e) => panic!("no test database: {e:#}"),
        }
    }

    /// Creates a fresh migrated database, returning the reason when that is impossible.
    ///
    /// # Errors
    /// When the server cannot be started or reached, or the migrations fail.
    pub fn try_new() -> Result<Self, anyhow::Error> {
        let harness = harness()?;
        let name = unique_name();
        let mut conn = harness
            .maintenance
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        with_advisory_lock(&mut conn, |conn| {
            diesel::sql_query(format!(
                "CREATE DATABASE {} TEMPLATE {}",
                quote_ident(&name),
                quote_ident(TEMPLATE_DATABASE)
            ))
            .execute(conn)
            .with_context(|| format!("could not create the test database {name}"))
        })?;
        Ok(Self {
            url: harness.server.url_for(&name),
            name,
        })
    }

    /// The connection URL of this database.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The name of this database.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A new connection to this database.
    ///
    /// # Panics
    /// When the connection fails.
    #[must_use]
    pub fn connect(&self) -> PgConnection {
        match PgConnection::establish(&self.url) {
            Ok(conn) => conn,
            Err(e) => panic!("could not connect to the test database {}: {e}", self.name),
        }
    }
}

impl Default for TestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Ok(harness) = harness() else { return };
        let mut conn = harness
            .maintenance
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // FORCE ends the connections a test's pool may still hold.
        let sql = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_ident(&self.name)
        );
        if let Err(e) = diesel::sql_query(sql).execute(&mut *conn) {
            eprintln!("could not drop the test database {}: {e}", self.name);
        }
    }
}

/// The server the test databases are made on.
#[derive(Debug)]
enum Server {
    /// A private cluster of this process, in this directory.
    Local(LocalCluster, PathBuf),
    /// The server of `SOS_TEST_DATABASE_URL`.
    External(String),
}

impl Server {
    fn url_for(&self, database: &str) -> String {
        match self {
            Self::Local(cluster, _) => cluster.url_for(database),
            Self::External(url) => with_database(url, database),
        }
    }
}

struct Harness {
    server: Server,
    /// A connection to the `postgres` database, for CREATE and DROP DATABASE; the mutex is what
    /// serializes the copies of the template within this process.
    maintenance: Mutex<PgConnection>,
    /// Held open for the life of the process: its closing tells the watchdog to clean up.
    _watchdog: Option<ChildStdin>,
}

static HARNESS: OnceLock<Result<Harness, String>> = OnceLock::new();

fn harness() -> Result<&'static Harness, anyhow::Error> {
    HARNESS
        .get_or_init(|| Harness::init().map_err(|e| format!("{e:#}")))
        .as_ref()
        .map_err(|e| anyhow::anyhow!("{e}"))
}

impl Harness {
    fn init() -> Result<Self, anyhow::Error> {
        let (server, watchdog) = match std::env::var(TEST_DATABASE_URL_VAR) {
            Ok(url) if !url.trim().is_empty() => (Server::External(url), None),
            _ => {
                let (cluster, dir, watchdog) = start_private_cluster()?;
                (Server::Local(cluster, dir), Some(watchdog))
            }
        };
        let url = server.url_for("postgres");
        let mut maintenance =
            PgConnection::establish(&url).with_context(|| format!("could not connect to {url}"))?;
        build_template(&mut maintenance, &server)?;
        Ok(Self {
            server,
            maintenance: Mutex::new(maintenance),
            _watchdog: watchdog,
        })
    }
}

/// The directory of this process's private test cluster, once a [`TestDb`] has started it;
/// `None` before, or when `SOS_TEST_DATABASE_URL` is used.
#[must_use]
pub fn private_cluster_dir() -> Option<PathBuf> {
    match HARNESS.get() {
        Some(Ok(Harness {
            server: Server::Local(_, dir),
            ..
        })) => Some(dir.clone()),
        _ => None,
    }
}

/// The directories test clusters are made in: memory first.
fn cluster_bases() -> Vec<PathBuf> {
    vec![PathBuf::from("/dev/shm"), std::env::temp_dir()]
}

/// Whether `dir` can hold a test cluster: a writable directory with 1 GiB free.
fn roomy(dir: &Path) -> bool {
    const NEEDED: u64 = 1 << 30;
    let writable = std::fs::metadata(dir).is_ok_and(|m| m.is_dir())
        && rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok();
    writable
        && rustix::fs::statvfs(dir).is_ok_and(|s| s.f_bavail.saturating_mul(s.f_frsize) >= NEEDED)
}

fn start_private_cluster() -> Result<(LocalCluster, PathBuf, ChildStdin), anyhow::Error> {
    let bases = cluster_bases();
    for base in &bases {
        remove_dead_clusters(base);
    }
    let base = bases
        .iter()
        .find(|b| roomy(b))
        .cloned()
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("{DIR_PREFIX}{}", std::process::id()));
    // A directory of ours can only be there from a dead process that had our pid.
    LocalCluster::remove_leftover(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    // The watchdog first: from here on, however this process ends, the cluster goes with it.
    let watchdog = match spawn_watchdog(&dir) {
        Ok(watchdog) => watchdog,
        Err(e) => {
            LocalCluster::remove_leftover(&dir);
            return Err(e.context("could not start the test cluster's watchdog"));
        }
    };
    let options = StartOptions {
        durability: Durability::Ephemeral,
        ..StartOptions::default()
    };
    match LocalCluster::start_with_options(&dir, options) {
        Ok(cluster) => Ok((cluster, dir, watchdog)),
        Err(e) => {
            drop(watchdog);
            LocalCluster::remove_leftover(&dir);
            Err(e.into())
        }
    }
}

/// Starts `/bin/sh` waiting for the end of a pipe from this process; when this process exits
/// (the kernel closes the pipe, whatever the exit), it stops the cluster under `dir` and deletes
/// `dir`.
///
/// The watchdog has its own process group so that Ctrl-C on the test run does not kill it before
/// it cleans up, and no standard output, so that nothing waiting for the test's output waits for
/// it.
fn spawn_watchdog(dir: &Path) -> Result<ChildStdin, anyhow::Error> {
    use std::os::unix::process::CommandExt as _;
    let quote = |p: &Path| format!("'{}'", p.to_string_lossy().replace('\'', r"'\''"));
    let script = format!(
        "cat >/dev/null 2>&1; {stop} >/dev/null 2>&1; \
         for l in {pg} {log}; do if [ -L \"$l\" ]; then rm -rf \"$(readlink -f \"$l\")\"; fi; done; \
         rm -rf {dir}",
        stop = LocalCluster::shell_stop_command(dir)?,
        pg = quote(&dir.join("pg")),
        log = quote(&dir.join("pg.log")),
        dir = quote(dir),
    );
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .current_dir("/")
        .process_group(0)
        .spawn()?;
    child
        .stdin
        .take()
        .ok_or_else(|| anyhow::anyhow!("the watchdog has no standard input"))
}

/// Removes the clusters of test processes that no longer exist (killed before their watchdog
/// could act, or with it).
fn remove_dead_clusters(tmp: &Path) {
    let Ok(entries) = std::fs::read_dir(tmp) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(DIR_PREFIX))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != me && !process_exists(pid) {
            LocalCluster::remove_leftover(&entry.path());
        }
    }
}

fn process_exists(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        Err(e) => e == rustix::io::Errno::PERM,
    }
}

/// Creates `sos_template` anew and migrates it.
fn build_template(conn: &mut PgConnection, server: &Server) -> Result<(), anyhow::Error> {
    with_advisory_lock(conn, |conn| {
        let template = quote_ident(TEMPLATE_DATABASE);
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {template} WITH (FORCE)"))
            .execute(conn)
            .context("could not drop the old template database")?;
        diesel::sql_query(format!("CREATE DATABASE {template}"))
            .execute(conn)
            .context("could not create the template database")?;
        let url = server.url_for(TEMPLATE_DATABASE);
        let mut template_conn =
            PgConnection::establish(&url).with_context(|| format!("could not connect to {url}"))?;
        sos_adapters_pg::run_migrations(&mut template_conn)
    })
}

/// Runs `f` holding the advisory lock that serializes template use across processes.
fn with_advisory_lock<T>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> Result<T, anyhow::Error>,
) -> Result<T, anyhow::Error> {
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<diesel::sql_types::BigInt, _>(LOCK_KEY)
        .execute(conn)
        .context("could not take the template lock")?;
    let result = f(conn);
    let unlocked = diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<diesel::sql_types::BigInt, _>(LOCK_KEY)
        .execute(conn)
        .context("could not release the template lock");
    let value = result?;
    unlocked?;
    Ok(value)
}

/// `t_<pid>_<counter>_<clock bits>`: unique within a process by the counter, and across machines
/// sharing a server (same pids in different containers) by the clock.
fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("t_{}_{n}_{:06x}", std::process::id(), nanos & 0x00ff_ffff)
}

/// `url` with its database (the path) replaced by `database`, keeping any query string.
fn with_database(url: &str, database: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    let (scheme, rest) = url.split_at(scheme_end);
    let (main, query) = rest.split_at(rest.find('?').unwrap_or(rest.len()));
    let authority = &main[..main.find('/').unwrap_or(main.len())];
    format!("{scheme}{authority}/{database}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_only_the_path() {
        assert_eq!(
            with_database("postgres://u:p@h:5432/app?sslmode=disable", "t_1"),
            "postgres://u:p@h:5432/t_1?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
        assert_eq!(
            with_database("postgresql://h:1/", "x"),
            "postgresql://h:1/x"
        );
    }

    #[test]
    fn names_are_unique_and_valid_identifiers() {
        let a = unique_name();
        let b = unique_name();
        assert_ne!(a, b);
        assert!(a.len() < 63);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    }

    #[test]
    fn this_process_exists_and_pid_zero_does_not_count() {
        assert!(process_exists(std::process::id()));
        assert!(!process_exists(0));
    }
}
