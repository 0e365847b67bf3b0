//! A private PostgreSQL cluster, run from the machine's PostgreSQL server binaries, for when no
//! `DATABASE_URL` is given.
//!
//! SOS stores everything in PostgreSQL. So that `cargo run` and the tests work on a developer's
//! machine with nothing configured, [`LocalCluster`] creates (once) and starts a cluster of its
//! own under a data directory, on a free loopback port, and hands back a connection URL.
//!
//! # Layout of a data directory
//!
//! | path | what |
//! | --- | --- |
//! | `<data_dir>/pg/` | the cluster (`PGDATA`); its unix socket lives here too |
//! | `<data_dir>/pg.log` | the server's log |
//! | `<data_dir>/pg.lock` | a lock file: one process at a time creates, starts or stops the cluster |
//!
//! # Authentication
//!
//! The cluster is created with `trust` authentication and a superuser `sos` with no password.
//! That is acceptable because the server listens only on `127.0.0.1` and on a unix socket inside
//! the cluster directory (mode 0700): nothing off the machine can reach it, and it holds a
//! developer's or a test's data only. A shared or production database is given with
//! `DATABASE_URL` instead, with its own credentials.
//!
//! # Running as root
//!
//! PostgreSQL refuses to run as root. When this process is root, every server command (`initdb`,
//! `pg_ctl`) runs as the `postgres` system user through `runuser -u postgres --`, and the cluster
//! directory and log are owned by that user. When `postgres` cannot reach `<data_dir>` (a parent
//! directory it may not traverse, such as a 0700 temporary directory or `/root`), the cluster is
//! created instead in a directory `postgres` owns, `sos-pg-<hash of data_dir>` in that user's home
//! (`/var/lib/postgresql` on Debian, so it survives a reboot, unlike `/tmp`), and `<data_dir>/pg`
//! and `<data_dir>/pg.log` are made symbolic links to it and its log. Following the links is all
//! that later starts need, and `ls -l <data_dir>` shows where the data is.
//!
//! # After a crash
//!
//! A server killed with `kill -9` leaves its `postmaster.pid`. `pg_ctl status` calls it running
//! while its PID exists, which a killed postmaster still does as a zombie until something reaps
//! it (an init that never reaps, in some containers), and PostgreSQL refuses to start over it;
//! after a container restart the PID may name another program. So when the server the pid file
//! names does not accept connections, a start looks the PID up in `/proc` for a few seconds: a
//! live postmaster of this cluster is reused; a PID that is gone, a zombie, another program or
//! another cluster's postmaster makes the pid file stale, and it is removed once the old
//! backends have left the shared memory (PostgreSQL still checks that segment itself).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::net::TcpListener;
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread;
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};

/// The one sentence shown when no server binaries are found.
const NO_BINARIES: &str = "PostgreSQL server binaries (initdb, pg_ctl) were not found: install \
                           PostgreSQL (apt-get install postgresql) or set DATABASE_URL";

/// The superuser `initdb` creates, who owns every database of the cluster.
pub const CLUSTER_USER: &str = "sos";

/// The database the application uses; created on first start.
pub const APP_DATABASE: &str = "sos";

/// Where the server binaries are looked for.
///
/// The default follows the usual installs; an explicit list exists so a caller (and the tests)
/// can point at one installation, or at none to see the error a machine without PostgreSQL gets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BinSearch {
    /// `PATH`, then `/usr/lib/postgresql/<version>/bin`, highest version first (Debian's layout,
    /// whose binaries are not on `PATH`).
    #[default]
    Default,
    /// Only these directories, in this order.
    Paths(Vec<PathBuf>),
}

/// How much the server protects data against a machine crash.
///
/// Tests throw their cluster away, so they skip the disk flushes that make up most of the cost of
/// creating databases; a developer's cluster keeps PostgreSQL's defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// PostgreSQL's defaults: committed data survives a crash.
    #[default]
    Durable,
    /// `fsync`, `synchronous_commit` and `full_page_writes` off, and room for many connections:
    /// for throw-away test clusters only.
    Ephemeral,
}

/// Options of [`LocalCluster::start_with_options`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartOptions {
    /// Where to look for `initdb` and `pg_ctl`.
    pub bins: BinSearch,
    /// Durable for real data, ephemeral for tests.
    pub durability: Durability,
}

/// Why a local cluster could not be set up, started or stopped.
///
/// Each message is one sentence that says what to do, because it ends up in front of a developer
/// who only ran `cargo run` or `cargo test`.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No directory searched holds both `initdb` and `pg_ctl`.
    #[error("{}", NO_BINARIES)]
    BinariesNotFound,
    /// This process is root and there is no `postgres` user to run the server as.
    #[error(
        "PostgreSQL refuses to run as root and there is no `postgres` system user to run it as: \
         install PostgreSQL (apt-get install postgresql), run as a non-root user or set DATABASE_URL"
    )]
    NoPostgresUser,
    /// A file-system or process operation failed.
    #[error("could not {action}: {source}")]
    Io {
        /// What was being done, e.g. "create /x/pg".
        action: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A PostgreSQL command ran and failed.
    #[error("`{command}` failed: {detail}")]
    Command {
        /// The command, e.g. "pg_ctl start".
        command: String,
        /// Its output, or the end of the server log.
        detail: String,
    },
    /// The server is up but could not be used (connection or SQL failure).
    #[error("the local PostgreSQL cluster on port {port} could not be used: {detail}")]
    Database {
        /// The port of the cluster.
        port: u16,
        /// What failed.
        detail: String,
    },
}

fn io_err(action: impl Into<String>) -> impl FnOnce(io::Error) -> ClusterError {
    let action = action.into();
    move |source| ClusterError::Io { action, source }
}

/// A private PostgreSQL cluster under a data directory, running on a loopback port.
///
/// Obtained from [`LocalCluster::start`], which reuses a cluster already running on that
/// directory (another process, or an earlier run) rather than starting a second one. Dropping it
/// leaves the server running unless [`LocalCluster::stop_on_drop`] asked otherwise, and then only
/// if this value started the server: a cluster merely reused belongs to whoever started it.
#[derive(Debug)]
pub struct LocalCluster {
    runner: Runner,
    layout: Layout,
    port: u16,
    started_here: bool,
    stop_on_drop: bool,
}

impl LocalCluster {
    /// Creates the cluster under `data_dir` if needed, starts it if it is not running, and makes
    /// sure the database `sos` exists; with the default binary search and durable settings.
    ///
    /// # Errors
    /// When PostgreSQL is not installed, when run as root without a `postgres` user, or when a
    /// server command fails; see [`ClusterError`].
    pub fn start(data_dir: &Path) -> Result<Self, ClusterError> {
        Self::start_with_options(data_dir, StartOptions::default())
    }

    /// Like [`LocalCluster::start`], with the binaries searched for only as `bins` says.
    ///
    /// # Errors
    /// As [`LocalCluster::start`].
    pub fn start_with(data_dir: &Path, bins: BinSearch) -> Result<Self, ClusterError> {
        Self::start_with_options(
            data_dir,
            StartOptions {
                bins,
                ..StartOptions::default()
            },
        )
    }

    /// Like [`LocalCluster::start`], with every option explicit.
    ///
    /// Two processes (or threads) starting on the same `data_dir` at once are serialized by a
    /// lock file, so the cluster is created and started once and the second one reuses it.
    ///
    /// # Errors
    /// As [`LocalCluster::start`].
    pub fn start_with_options(
        data_dir: &Path,
        options: StartOptions,
    ) -> Result<Self, ClusterError> {
        let bins = Bins::find(&options.bins)?;
        let runner = Runner::new(bins)?;
        let data_dir = absolute_dir(data_dir)?;
        let _lock = DirLock::acquire(&data_dir)?;
        let layout = Layout::prepare(&runner, &data_dir)?;

        if !layout.pgdata.join("PG_VERSION").is_file() {
            // Anything there is the remains of an `initdb` killed early (PG_VERSION is among
            // the first files it writes); initdb wants an empty directory.
            layout.empty_pgdata()?;
            runner.initdb(&layout, options.durability)?;
        }

        let (port, started_here) = match runner.reusable_port(&layout)? {
            Some(port) => {
                tracing::info!(port, pgdata = %layout.pgdata.display(), "reusing the running local PostgreSQL cluster");
                (port, false)
            }
            None => {
                let port = runner.start_server(&layout, options.durability)?;
                tracing::info!(port, pgdata = %layout.pgdata.display(), "started the local PostgreSQL cluster");
                (port, true)
            }
        };

        let cluster = Self {
            runner,
            layout,
            port,
            started_here,
            stop_on_drop: false,
        };
        cluster.create_database(APP_DATABASE)?;
        Ok(cluster)
    }

    /// The URL of the application database: `postgres://sos@127.0.0.1:PORT/sos`.
    #[must_use]
    pub fn database_url(&self) -> String {
        self.url_for(APP_DATABASE)
    }

    /// The URL of any database of this cluster, e.g. `postgres` for maintenance commands.
    #[must_use]
    pub fn url_for(&self, database: &str) -> String {
        format!(
            "postgres://{CLUSTER_USER}@127.0.0.1:{port}/{database}",
            port = self.port
        )
    }

    /// The loopback TCP port the server listens on.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether this value started the server (rather than finding it running).
    #[must_use]
    pub fn started_here(&self) -> bool {
        self.started_here
    }

    /// The cluster directory (`PGDATA`), with symbolic links resolved.
    #[must_use]
    pub fn pgdata(&self) -> &Path {
        &self.layout.pgdata
    }

    /// The server's log file, with symbolic links resolved.
    #[must_use]
    pub fn log_file(&self) -> &Path {
        &self.layout.log
    }

    /// Whether dropping this value stops the server; off by default. Even when on, a server this
    /// value did not start (see [`LocalCluster::started_here`]) is left running.
    pub fn stop_on_drop(&mut self, stop: bool) -> &mut Self {
        self.stop_on_drop = stop;
        self
    }

    /// Creates a database owned by `sos` unless it exists.
    ///
    /// # Errors
    /// When the server cannot be reached or refuses.
    pub fn create_database(&self, name: &str) -> Result<(), ClusterError> {
        let mut conn = self.connect_maintenance()?;
        let exists: bool = diesel::select(
            diesel::dsl::sql::<diesel::sql_types::Bool>(
                "EXISTS (SELECT 1 FROM pg_database WHERE datname = ",
            )
            .bind::<diesel::sql_types::Text, _>(name)
            .sql(")"),
        )
        .get_result(&mut conn)
        .map_err(|e| self.db_err(format!("could not list databases: {e}")))?;
        if exists {
            return Ok(());
        }
        match diesel::sql_query(format!("CREATE DATABASE {}", quote_ident(name))).execute(&mut conn)
        {
            Ok(_) => Ok(()),
            // Created meanwhile by someone not holding our lock: what we wanted.
            Err(e) if e.to_string().contains("already exists") => Ok(()),
            Err(e) => Err(self.db_err(format!("could not create database {name}: {e}"))),
        }
    }

    /// Stops the server (`pg_ctl stop -m fast`), whoever started it; stopping a stopped cluster
    /// does nothing. The server binary calls this on shutdown.
    ///
    /// # Errors
    /// When `pg_ctl` fails to stop it.
    pub fn stop(&self) -> Result<(), ClusterError> {
        let _lock = DirLock::acquire(&self.layout.data_dir)?;
        self.runner.stop_server(&self.layout, "fast")
    }

    /// Stops the server and deletes the cluster, its log and lock file, including a cluster kept
    /// outside `data_dir` for the `postgres` user (see the module docs). For throw-away clusters.
    ///
    /// # Errors
    /// When the server cannot be stopped or a file cannot be removed.
    pub fn destroy(mut self) -> Result<(), ClusterError> {
        self.stop_on_drop = false;
        {
            let _lock = DirLock::acquire(&self.layout.data_dir)?;
            self.runner.stop_server(&self.layout, "immediate")?;
            self.layout.remove_files()?;
        }
        remove_path(&self.layout.data_dir.join(LOCK_FILE))
    }

    /// A `/bin/sh` command line that stops at once (`pg_ctl stop -m immediate`) whatever cluster
    /// runs under `data_dir`, for a watchdog process that outlives this one. Made before the
    /// cluster starts, so the watchdog can be in place first.
    ///
    /// # Errors
    /// When the server binaries are not found, or when run as root without a `postgres` user.
    #[cfg(feature = "testing")]
    pub(crate) fn shell_stop_command(data_dir: &Path) -> Result<String, ClusterError> {
        let runner = Runner::new(Bins::find(&BinSearch::Default)?)?;
        let mut words = runner.prefix();
        words.extend([
            runner.bins.pg_ctl.into_os_string(),
            "stop".into(),
            "-D".into(),
            data_dir.join(PG_DIR).into_os_string(),
            "-m".into(),
            "immediate".into(),
            "-w".into(),
            "-t".into(),
            "30".into(),
        ]);
        Ok(words
            .iter()
            .map(|w| sh_quote(&w.to_string_lossy()))
            .collect::<Vec<_>>()
            .join(" "))
    }

    /// Best-effort removal of a throw-away cluster left behind by a process that was killed:
    /// stops whatever server runs under `data_dir` (immediate mode) and deletes `data_dir`,
    /// including a cluster kept outside it for the `postgres` user. Errors are only logged.
    #[cfg(feature = "testing")]
    pub(crate) fn remove_leftover(data_dir: &Path) {
        let link = data_dir.join(PG_DIR);
        if let Ok(pgdata) = fs::canonicalize(&link) {
            let layout = Layout {
                data_dir: data_dir.to_path_buf(),
                log: if is_symlink(&link) {
                    sibling_log(&pgdata)
                } else {
                    data_dir.join(LOG_FILE)
                },
                pgdata,
            };
            if layout.pgdata.join(PID_FILE).exists() {
                let stopped = Bins::find(&BinSearch::Default)
                    .and_then(Runner::new)
                    .and_then(|runner| runner.stop_server(&layout, "immediate"));
                if let Err(e) = stopped {
                    tracing::warn!(error = %e, data_dir = %data_dir.display(), "could not stop a leftover cluster");
                }
            }
            if let Err(e) = layout.remove_files() {
                tracing::warn!(error = %e, "could not remove a leftover cluster");
            }
        }
        if let Err(e) = remove_path(data_dir) {
            tracing::warn!(error = %e, "could not remove a leftover cluster");
        }
    }

    fn connect_maintenance(&self) -> Result<PgConnection, ClusterError> {
        let url = self.url_for("postgres");
        // A reused server may still be starting up: give it a few seconds.
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            match PgConnection::establish(&url) {
                Ok(conn) => return Ok(conn),
                Err(e) if Instant::now() >= deadline => {
                    return Err(self.db_err(format!("could not connect to {url}: {e}")));
                }
                Err(_) => thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    fn db_err(&self, detail: String) -> ClusterError {
        ClusterError::Database {
            port: self.port,
            detail,
        }
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        if self.stop_on_drop && self.started_here {
            if let Err(e) = self.stop() {
                tracing::warn!(error = %e, "could not stop the local PostgreSQL cluster");
            }
        }
    }
}

const PG_DIR: &str = "pg";
const LOG_FILE: &str = "pg.log";
const LOCK_FILE: &str = "pg.lock";

/// Makes `dir` exist and returns its canonical path (so the cluster is found the same way from
/// any working directory, and hashes of it are stable).
fn absolute_dir(dir: &Path) -> Result<PathBuf, ClusterError> {
    fs::create_dir_all(dir).map_err(io_err(format!("create {}", dir.display())))?;
    fs::canonicalize(dir).map_err(io_err(format!("resolve {}", dir.display())))
}

/// The server binaries, with symbolic links resolved: `pg_ctl` finds `postgres` next to its
/// real path, and `runuser` needs absolute paths.
#[derive(Debug, Clone)]
struct Bins {
    initdb: PathBuf,
    pg_ctl: PathBuf,
}

impl Bins {
    fn find(search: &BinSearch) -> Result<Self, ClusterError> {
        let dirs = match search {
            BinSearch::Default => default_search_dirs(),
            BinSearch::Paths(dirs) => dirs.clone(),
        };
        dirs.iter()
            .find_map(|dir| Self::in_dir(dir))
            .ok_or(ClusterError::BinariesNotFound)
    }

    fn in_dir(dir: &Path) -> Option<Self> {
        let pg_ctl = fs::canonicalize(dir.join("pg_ctl")).ok()?;
        let initdb = fs::canonicalize(dir.join("initdb")).ok()?;
        (is_executable(&pg_ctl) && is_executable(&initdb)).then_some(Self { initdb, pg_ctl })
    }
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn default_search_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    let mut versions: Vec<(Vec<u32>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name
                .split('.')
                .map(str::parse::<u32>)
                .collect::<Result<Vec<_>, _>>()
                .ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versions.sort_by(|a, b| b.0.cmp(&a.0));
    dirs.extend(versions.into_iter().map(|(_, dir)| dir));
    dirs
}

/// The `postgres` system user, as which the server runs when this process is root.
#[derive(Debug, Clone)]
struct PgUser {
    uid: u32,
    gid: u32,
    home: Option<PathBuf>,
}

impl PgUser {
    fn lookup() -> Result<Self, ClusterError> {
        let line = Command::new("getent")
            .args(["passwd", "postgres"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .or_else(|| {
                fs::read_to_string("/etc/passwd").ok().and_then(|all| {
                    all.lines()
                        .find(|l| l.starts_with("postgres:"))
                        .map(str::to_owned)
                })
            })
            .ok_or(ClusterError::NoPostgresUser)?;
        let fields: Vec<&str> = line.trim().split(':').collect();
        let number = |i: usize| fields.get(i).and_then(|f| f.parse::<u32>().ok());
        let (Some(uid), Some(gid)) = (number(2), number(3)) else {
            return Err(ClusterError::NoPostgresUser);
        };
        let home = fields.get(5).filter(|h| !h.is_empty()).map(PathBuf::from);
        Ok(Self { uid, gid, home })
    }

    fn chown(&self, path: &Path) -> Result<(), ClusterError> {
        std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid)).map_err(io_err(format!(
            "give {} to the postgres user",
            path.display()
        )))
    }
}

/// Runs the server commands, as the `postgres` user when this process is root.
#[derive(Debug, Clone)]
struct Runner {
    bins: Bins,
    as_postgres: Option<PgUser>,
}

impl Runner {
    fn new(bins: Bins) -> Result<Self, ClusterError> {
        let as_postgres = if rustix::process::geteuid().is_root() {
            Some(PgUser::lookup()?)
        } else {
            None
        };
        Ok(Self { bins, as_postgres })
    }

    /// The words put before a command so it runs as the server's user.
    fn prefix(&self) -> Vec<OsString> {
        if self.as_postgres.is_some() {
            ["runuser", "-u", "postgres", "--"]
                .into_iter()
                .map(OsString::from)
                .collect()
        } else {
            Vec::new()
        }
    }

    fn command(&self, program: &Path) -> Command {
        let mut words = self.prefix();
        words.push(program.as_os_str().to_owned());
        let mut cmd = Command::new(&words[0]);
        cmd.args(&words[1..]);
        // A directory the server's user can enter: `postgres` may not reach root's cwd.
        cmd.current_dir("/");
        // The server's own settings come from our arguments, not from the caller's environment.
        for var in [
            "PGDATA",
            "PGPORT",
            "PGHOST",
            "PGUSER",
            "PGDATABASE",
            "PGOPTIONS",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    fn run(&self, name: &str, mut cmd: Command) -> Result<Output, ClusterError> {
        cmd.output().map_err(io_err(format!("run {name}")))
    }

    /// Whether the server's user can enter `dir`, checked by that user itself (ACLs, groups).
    fn can_enter(&self, dir: &Path) -> bool {
        if self.as_postgres.is_none() {
            return true;
        }
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--", "test", "-x"]).arg(dir);
        cmd.current_dir("/");
        cmd.output().is_ok_and(|o| o.status.success())
    }

    fn initdb(&self, layout: &Layout, durability: Durability) -> Result<(), ClusterError> {
        let mut cmd = self.command(&self.bins.initdb);
        cmd.arg("-D")
            .arg(&layout.pgdata)
            .args(["-A", "trust", "-U", CLUSTER_USER])
            .args(["--encoding=UTF8", "--locale=C"]);
        if durability == Durability::Ephemeral {
            cmd.arg("--no-sync");
        }
        let out = self.run("initdb", cmd)?;
        if out.status.success() {
            tracing::info!(pgdata = %layout.pgdata.display(), "created a local PostgreSQL cluster");
            Ok(())
        } else {
            Err(ClusterError::Command {
                command: "initdb".into(),
                detail: output_text(&out),
            })
        }
    }

    /// The port of the server running on this cluster, if one is.
    fn running_port(&self, layout: &Layout) -> Result<Option<u16>, ClusterError> {
        let mut cmd = self.command(&self.bins.pg_ctl);
        cmd.arg("status").arg("-D").arg(&layout.pgdata);
        let out = self.run("pg_ctl status", cmd)?;
        if !out.status.success() {
            return Ok(None);
        }
        let pid_file = layout.pgdata.join(PID_FILE);
        let text = fs::read_to_string(&pid_file)
            .map_err(io_err(format!("read {}", pid_file.display())))?;
        // Line 4 of postmaster.pid is the port.
        text.lines()
            .nth(3)
            .and_then(|l| l.trim().parse::<u16>().ok())
            .map(Some)
            .ok_or_else(|| ClusterError::Command {
                command: "pg_ctl status".into(),
                detail: format!("no port on line 4 of {}", pid_file.display()),
            })
    }

    /// The port of a server running on this cluster that can be reused, or `None` when one
    /// must be started.
    ///
    /// `pg_ctl status` only asks whether the PID in `postmaster.pid` exists. After a `kill -9`
    /// that PID may be a zombie nobody has reaped or, after a container restart, another
    /// program, and PostgreSQL then refuses to start ("lock file already exists"). So a server
    /// that does not accept connections is watched until [`STALE_WAIT`]: a live postmaster of
    /// this cluster is reused, a pid file that names anything else is removed.
    fn reusable_port(&self, layout: &Layout) -> Result<Option<u16>, ClusterError> {
        let deadline = Instant::now() + STALE_WAIT;
        let pid_file = layout.pgdata.join(PID_FILE);
        loop {
            let Some(port) = self.running_port(layout)? else {
                // PostgreSQL clears a pid file whose PID is gone itself, once the old shared
                // memory is free.
                wait_for_old_backends(&layout.pgdata, deadline);
                return Ok(None);
            };
            let owner = pid_file_owner(&layout.pgdata);
            if let Owner::Stale(why) = owner {
                wait_for_old_backends(&layout.pgdata, deadline);
                tracing::warn!(pgdata = %layout.pgdata.display(), reason = %why, "removing the stale postmaster.pid of a PostgreSQL that no longer runs");
                remove_path(&pid_file)?;
                return Ok(None);
            }
            if accepts_connections(port) {
                return Ok(Some(port));
            }
            if Instant::now() >= deadline {
                // A postmaster of ours may be recovering: reusing it waits some more for it.
                // Anything we cannot tell is left to PostgreSQL's own lock-file check.
                return Ok(matches!(owner, Owner::Ours).then_some(port));
            }
            thread::sleep(POLL);
        }
    }

    fn start_server(&self, layout: &Layout, durability: Durability) -> Result<u16, ClusterError> {
        // The port is free when picked but may be taken before the server binds it: retry.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let port = free_port()?;
            let mut opts = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1",
                sh_quote(&layout.socket_dir(port))
            );
            if durability == Durability::Ephemeral {
                opts.push_str(
                    " -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
                     -c max_connections=300",
                );
            }
            let mut cmd = self.command(&self.bins.pg_ctl);
            cmd.arg("start")
                .arg("-D")
                .arg(&layout.pgdata)
                .arg("-l")
                .arg(&layout.log)
                .args(["-w", "-t", "60", "-o"])
                .arg(opts);
            let out = self.run("pg_ctl start", cmd)?;
            if out.status.success() {
                return Ok(port);
            }
            if attempt >= 3 {
                return Err(ClusterError::Command {
                    command: "pg_ctl start".into(),
                    detail: format!(
                        "{}; end of {}: {}",
                        output_text(&out),
                        layout.log.display(),
                        log_tail(&layout.log)
                    ),
                });
            }
        }
    }

    fn stop_server(&self, layout: &Layout, mode: &str) -> Result<(), ClusterError> {
        // No postmaster.pid (or no cluster at all): nothing runs there.
        let pid_file = layout.pgdata.join(PID_FILE);
        if !pid_file.exists() || self.running_port(layout)?.is_none() {
            return Ok(());
        }
        // A killed server's PID, now a zombie or another program: `pg_ctl stop` would signal
        // it and wait in vain.
        if let Owner::Stale(why) = pid_file_owner(&layout.pgdata) {
            tracing::warn!(pgdata = %layout.pgdata.display(), reason = %why, "removing the stale postmaster.pid of a PostgreSQL that no longer runs");
            return remove_path(&pid_file);
        }
        let mut cmd = self.command(&self.bins.pg_ctl);
        cmd.arg("stop")
            .arg("-D")
            .arg(&layout.pgdata)
            .args(["-m", mode, "-w", "-t", "60"]);
        let out = self.run("pg_ctl stop", cmd)?;
        if out.status.success() || self.running_port(layout)?.is_none() {
            tracing::info!(pgdata = %layout.pgdata.display(), "stopped the local PostgreSQL cluster");
            Ok(())
        } else {
            Err(ClusterError::Command {
                command: "pg_ctl stop".into(),
                detail: output_text(&out),
            })
        }
    }
}

/// PostgreSQL's lock file in the cluster directory: PID, data directory, start time, port,
/// socket directory, listen address, shared memory key and id, status; one a line.
const PID_FILE: &str = "postmaster.pid";

/// How long a start waits for a server named by `postmaster.pid` to answer or to be found dead,
/// and for the backends of a dead one to let go of its shared memory.
const STALE_WAIT: Duration = Duration::from_secs(10);

/// How often those waits look again.
const POLL: Duration = Duration::from_millis(50);

/// Who the PID in `postmaster.pid` is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    /// A live `postgres` process on this cluster (or one whose data directory cannot be told).
    Ours,
    /// No server of this cluster: the process is gone, a zombie, or another program; why.
    Stale(String),
    /// Nothing can be told (no pid file, no `/proc`, a process we may not inspect).
    Unknown,
}

/// The state letter of process `pid` from `/proc/<pid>/stat` (`Z` for a zombie, `X` dead);
/// `None` once it is gone.
pub fn process_state(pid: u32) -> Option<String> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The state follows the command name, in parentheses that may themselves hold ')'.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().next().map(str::to_owned)
}

/// Looks up the PID of `<pgdata>/postmaster.pid` in the process table.
fn pid_file_owner(pgdata: &Path) -> Owner {
    let Some(pid) = pid_file_line(pgdata, 0).and_then(|l| l.trim().parse::<i32>().ok()) else {
        return Owner::Unknown;
    };
    let Some(raw) = rustix::process::Pid::from_raw(pid) else {
        return Owner::Unknown;
    };
    if rustix::process::test_kill_process(raw) == Err(rustix::io::Errno::SRCH) {
        return Owner::Stale(format!("PID {pid} has exited"));
    }
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    let Some(state) = process_state(pid.unsigned_abs()) else {
        return Owner::Unknown;
    };
    if matches!(state.as_str(), "Z" | "X") {
        return Owner::Stale(format!("PID {pid} is a zombie (killed, not yet reaped)"));
    }
    let Ok(cmdline) = fs::read(proc_dir.join("cmdline")) else {
        return Owner::Unknown;
    };
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    let program = args
        .first()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .unwrap_or_default();
    let name = program.rsplit('/').next().unwrap_or_default();
    // A postmaster keeps its command line; backends rename themselves "postgres: ...".
    if name != "postgres" && name != "postmaster" {
        return Owner::Stale(format!("PID {pid} is now another program ({program:?})"));
    }
    let data_dir = args
        .windows(2)
        .find(|w| w[0] == b"-D")
        .map(|w| PathBuf::from(String::from_utf8_lossy(w[1]).into_owned()));
    match data_dir.filter(|d| d.is_absolute()).map(fs::canonicalize) {
        Some(Ok(dir)) if dir != pgdata => Owner::Stale(format!(
            "PID {pid} is the postmaster of another cluster ({})",
            dir.display()
        )),
        _ => Owner::Ours,
    }
}

/// Line `index` (from 0) of `<pgdata>/postmaster.pid`.
fn pid_file_line(pgdata: &Path, index: usize) -> Option<String> {
    let text = fs::read_to_string(pgdata.join(PID_FILE)).ok()?;
    text.lines().nth(index).map(str::to_owned)
}

/// Waits, until `deadline`, for the backends of a killed postmaster to detach from the shared
/// memory segment its pid file names, so that PostgreSQL's own check ("pre-existing shared
/// memory block is still in use") passes; they exit within moments of their postmaster.
fn wait_for_old_backends(pgdata: &Path, deadline: Instant) {
    // Line 7: the key and the id of the System V segment.
    let Some(shmid) = pid_file_line(pgdata, 6)
        .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned))
        .and_then(|id| id.parse::<u64>().ok())
    else {
        return;
    };
    while shm_attachments(shmid).is_some_and(|n| n > 0) && Instant::now() < deadline {
        thread::sleep(POLL);
    }
}

/// The number of processes attached to System V segment `shmid`; `None` when it is gone or
/// cannot be read.
fn shm_attachments(shmid: u64) -> Option<u64> {
    let table = fs::read_to_string("/proc/sysvipc/shm").ok()?;
    // Columns: key shmid perms size cpid lpid nattch ...
    table.lines().skip(1).find_map(|line| {
        let cols: Vec<&str> = line.split_whitespace().collect();
        (cols.get(1)?.parse::<u64>().ok()? == shmid).then(|| cols.get(6)?.parse().ok())?
    })
}

/// Whether something accepts TCP connections on the loopback port.
fn accepts_connections(port: u16) -> bool {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

/// Where the cluster's files are, with symbolic links resolved.
#[derive(Debug, Clone)]
struct Layout {
    data_dir: PathBuf,
    pgdata: PathBuf,
    log: PathBuf,
}

impl Layout {
    /// Finds or creates the cluster directory and log file, owned by the server's user.
    fn prepare(runner: &Runner, data_dir: &Path) -> Result<Self, ClusterError> {
        let link = data_dir.join(PG_DIR);
        let log_link = data_dir.join(LOG_FILE);
        if is_symlink(&link) && fs::metadata(&link).is_err() {
            // The cluster it pointed to is gone (say, /tmp after a reboot): start afresh.
            remove_path(&link)?;
            remove_path(&log_link)?;
        }
        let (pgdata, log) = if fs::symlink_metadata(&link).is_ok() {
            let pgdata =
                fs::canonicalize(&link).map_err(io_err(format!("resolve {}", link.display())))?;
            let log = if is_symlink(&link) {
                sibling_log(&pgdata)
            } else {
                log_link.clone()
            };
            (pgdata, log)
        } else if runner.can_enter(data_dir) {
            fs::DirBuilder::new()
                .mode(0o700)
                .create(&link)
                .map_err(io_err(format!("create {}", link.display())))?;
            (link.clone(), log_link.clone())
        } else {
            // Root, and `postgres` cannot reach data_dir: keep the cluster where it can.
            let pgdata = fallback_dir(runner, data_dir)?;
            let log = sibling_log(&pgdata);
            std::os::unix::fs::symlink(&pgdata, &link).map_err(io_err(format!(
                "link {} to {}",
                link.display(),
                pgdata.display()
            )))?;
            tracing::info!(
                data_dir = %data_dir.display(),
                pgdata = %pgdata.display(),
                "the postgres user cannot reach the data directory; keeping the cluster in its own directory"
            );
            (pgdata, log)
        };
        if log != log_link && fs::symlink_metadata(&log_link).is_err() {
            std::os::unix::fs::symlink(&log, &log_link).map_err(io_err(format!(
                "link {} to {}",
                log_link.display(),
                log.display()
            )))?;
        }
        if let Some(user) = &runner.as_postgres {
            if fs::metadata(&pgdata).is_ok_and(|m| m.uid() != user.uid) {
                user.chown(&pgdata)?;
            }
            if fs::metadata(&log).is_err() {
                File::create(&log).map_err(io_err(format!("create {}", log.display())))?;
            }
            if fs::metadata(&log).is_ok_and(|m| m.uid() != user.uid) {
                user.chown(&log)?;
            }
        }
        Ok(Self {
            data_dir: data_dir.to_path_buf(),
            pgdata,
            log,
        })
    }

    /// The directory of the unix socket: the cluster directory, unless its path is too long for
    /// a socket address (108 bytes), in which case no unix socket is made (TCP is what we use).
    fn socket_dir(&self, port: u16) -> String {
        let dir = self.pgdata.to_string_lossy().into_owned();
        if dir.len() + format!("/.s.PGSQL.{port}").len() < 108 {
            dir
        } else {
            String::new()
        }
    }

    fn empty_pgdata(&self) -> Result<(), ClusterError> {
        let entries = fs::read_dir(&self.pgdata)
            .map_err(io_err(format!("list {}", self.pgdata.display())))?;
        for entry in entries.flatten() {
            remove_path(&entry.path())?;
        }
        Ok(())
    }

    fn remove_files(&self) -> Result<(), ClusterError> {
        remove_path(&self.pgdata)?;
        remove_path(&self.log)?;
        remove_path(&self.data_dir.join(PG_DIR))?;
        remove_path(&self.data_dir.join(LOG_FILE))
    }
}

/// Removes a file, a symbolic link or a whole directory; a missing path is fine.
fn remove_path(path: &Path) -> Result<(), ClusterError> {
    let result = match fs::symlink_metadata(path) {
        Err(_) => return Ok(()),
        Ok(m) if m.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
    };
    match result {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(io_err(format!("remove {}", path.display()))(e))
        }
        _ => Ok(()),
    }
}

fn is_symlink(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn sibling_log(pgdata: &Path) -> PathBuf {
    let mut name = pgdata.as_os_str().to_owned();
    name.push(".log");
    PathBuf::from(name)
}

/// Creates `sos-pg-<hash of data_dir>` in the `postgres` user's home (or `/tmp`), owned by it.
fn fallback_dir(runner: &Runner, data_dir: &Path) -> Result<PathBuf, ClusterError> {
    let user = runner
        .as_postgres
        .as_ref()
        .ok_or(ClusterError::NoPostgresUser)?;
    let base = user
        .home
        .clone()
        .filter(|h| fs::metadata(h).is_ok_and(|m| m.is_dir() && m.uid() == user.uid))
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    let dir = base.join(format!(
        "sos-pg-{:016x}",
        fnv1a(data_dir.as_os_str().as_encoded_bytes())
    ));
    match fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(io_err(format!("create {}", dir.display()))(e)),
    }
    user.chown(&dir)?;
    Ok(dir)
}

/// FNV-1a: a hash whose value never changes across Rust versions, for directory names.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Picks a loopback port nothing listens on now.
fn free_port() -> Result<u16, ClusterError> {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(io_err("pick a free loopback port"))
}

/// Quotes a word for `/bin/sh` (pg_ctl hands `-o` to a shell).
fn sh_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// Quotes an SQL identifier.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn output_text(out: &Output) -> String {
    let mut text = String::new();
    for part in [&out.stderr, &out.stdout] {
        let part = String::from_utf8_lossy(part);
        let part = part.trim();
        if !part.is_empty() {
            if !text.is_empty() {
                text.push_str(" / ");
            }
            text.push_str(part);
        }
    }
    if text.is_empty() {
        let _ = write!(text, "exit status {}", out.status);
    }
    text.replace('\n', " ")
}

fn log_tail(log: &Path) -> String {
    fs::read_to_string(log)
        .map(|t| {
            let lines: Vec<&str> = t.lines().collect();
            lines[lines.len().saturating_sub(5)..].join(" | ")
        })
        .unwrap_or_else(|e| format!("(unreadable: {e})"))
}

/// An exclusive `flock` on `<data_dir>/pg.lock`, released when dropped (the file closes).
#[derive(Debug)]
struct DirLock {
    _file: File,
}

impl DirLock {
    fn acquire(data_dir: &Path) -> Result<Self, ClusterError> {
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(format!("open {}", path.display())))?;
        loop {
            match rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive) {
                Ok(()) => return Ok(Self { _file: file }),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(io_err(format!("lock {}", path.display()))(e.into())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_binaries_in_an_empty_search_is_one_clear_sentence() {
        let err = Bins::find(&BinSearch::Paths(vec![])).unwrap_err();
        assert_eq!(err.to_string(), NO_BINARIES);
    }

    #[test]
    fn shell_quoting_survives_quotes() {
        assert_eq!(sh_quote("a'b"), r"'a'\''b'");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }

    /// A fake cluster directory whose `postmaster.pid` names `pid`.
    fn pgdata_naming(pid: u32) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let text = format!(
            "{pid}\n{}\n1700000000\n5432\n\n127.0.0.1\n  5432001         1\nready   \n",
            dir.path().display()
        );
        fs::write(dir.path().join(PID_FILE), text).unwrap();
        dir
    }

    fn owner_of(pid: u32) -> Owner {
        let dir = pgdata_naming(pid);
        pid_file_owner(&fs::canonicalize(dir.path()).unwrap())
    }

    #[test]
    fn a_pid_file_naming_a_zombie_or_an_exited_process_is_stale() {
        // A child that has exited and is not waited for stays a zombie of this process.
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        let deadline = Instant::now() + Duration::from_secs(10);
        while process_state(pid).as_deref() != Some("Z") {
            assert!(Instant::now() < deadline, "the child never became a zombie");
            thread::sleep(POLL);
        }
        let zombie = owner_of(pid);
        assert!(
            matches!(&zombie, Owner::Stale(why) if why.contains("zombie")),
            "{zombie:?}"
        );
        child.wait().unwrap();
        let gone = owner_of(pid);
        assert!(
            matches!(&gone, Owner::Stale(why) if why.contains("exited")),
            "{gone:?}"
        );
    }

    #[test]
    fn a_pid_file_naming_another_program_is_stale() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let owner = owner_of(child.id());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(
            matches!(&owner, Owner::Stale(why) if why.contains("another program")),
            "{owner:?}"
        );
    }

    /// A process whose command line is `postgres <args>`, as a postmaster's is.
    fn fake_postmaster(args: &str) -> std::process::Child {
        Command::new("bash")
            .arg("-c")
            .arg(format!("exec -a postgres bash -c 'sleep 30; true' {args}"))
            .spawn()
            .unwrap()
    }

    fn wait_for_cmdline(pid: u32) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c.starts_with(b"postgres\0"))
        {
            assert!(
                Instant::now() < deadline,
                "the fake postmaster never started"
            );
            thread::sleep(POLL);
        }
    }

    #[test]
    fn a_postgres_process_counts_as_ours_unless_it_names_another_cluster() {
        let dir = pgdata_naming(0);
        let pgdata = fs::canonicalize(dir.path()).unwrap();
        for (args, ours) in [
            (format!("-D {}", pgdata.display()), true),
            // No -D: the data directory cannot be told, so it is not called stale.
            (String::new(), true),
            ("-D /".to_owned(), false),
        ] {
            let mut child = fake_postmaster(&args);
            wait_for_cmdline(child.id());
            let text = fs::read_to_string(pgdata.join(PID_FILE)).unwrap();
            let rest = text.split_once('\n').unwrap().1;
            fs::write(pgdata.join(PID_FILE), format!("{}\n{rest}", child.id())).unwrap();
            let owner = pid_file_owner(&pgdata);
            child.kill().unwrap();
            child.wait().unwrap();
            if ours {
                assert_eq!(owner, Owner::Ours, "postgres {args}");
            } else {
                assert!(
                    matches!(&owner, Owner::Stale(why) if why.contains("another cluster")),
                    "postgres {args}: {owner:?}"
                );
            }
        }
    }

    #[test]
    fn shared_memory_that_does_not_exist_has_no_attachments() {
        assert_eq!(shm_attachments(u64::MAX), None);
        // No pid file, or one without a segment: nothing to wait for.
        let dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        wait_for_old_backends(dir.path(), started + Duration::from_secs(5));
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
