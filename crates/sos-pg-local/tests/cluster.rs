//! The private local cluster and the test-database harness, against the machine's PostgreSQL.

// Test helpers outside `#[test]` functions fail the test on error too.
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Integer, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};
use sos_pg_local::cluster::{
    process_state, BinSearch, ClusterError, Durability, LocalCluster, StartOptions,
};
use sos_pg_local::testing::{private_cluster_dir, TestDb, TEST_DATABASE_URL_VAR};
use tempfile::TempDir;

fn ephemeral() -> StartOptions {
    StartOptions {
        durability: Durability::Ephemeral,
        ..StartOptions::default()
    }
}

/// A temporary data directory the `postgres` user can reach when the tests run as root.
fn open_tempdir() -> TempDir {
    tempfile::Builder::new()
        .prefix("sos-cluster-test-")
        .permissions(std::fs::Permissions::from_mode(0o755))
        .tempdir()
        .unwrap()
}

fn start(dir: &Path) -> LocalCluster {
    let mut cluster = LocalCluster::start_with_options(dir, ephemeral()).unwrap();
    // Should the test fail, do not leave a server running on a deleted directory.
    cluster.stop_on_drop(true);
    cluster
}

#[derive(QueryableByName)]
struct One {
    #[diesel(sql_type = Integer)]
    one: i32,
}

#[derive(QueryableByName)]
struct Note {
    #[diesel(sql_type = Text)]
    body: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

#[test]
fn starts_answers_and_is_reused_on_the_same_directory() {
    let dir = open_tempdir();
    let first = start(dir.path());
    assert!(first.started_here());
    assert_eq!(
        first.database_url(),
        format!("postgres://sos@127.0.0.1:{}/sos", first.port())
    );

    let mut conn = PgConnection::establish(&first.database_url()).unwrap();
    let row: One = diesel::sql_query("SELECT 1 AS one")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(row.one, 1);
    drop(conn);

    let second = start(dir.path());
    assert!(!second.started_here());
    assert_eq!(second.port(), first.port());
    // Dropping the reusing value must leave the server to its starter.
    drop(second);
    PgConnection::establish(&first.database_url()).unwrap();

    first.destroy().unwrap();
    assert!(!dir.path().join("pg").exists());
}

#[test]
fn data_survives_a_stop_and_a_start() {
    let dir = open_tempdir();
    // The durable default, as the server uses it.
    let mut cluster = LocalCluster::start(dir.path()).unwrap();
    cluster.stop_on_drop(true);
    let mut conn = PgConnection::establish(&cluster.database_url()).unwrap();
    diesel::sql_query("CREATE TABLE note (body text NOT NULL)")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("INSERT INTO note VALUES ('kept')")
        .execute(&mut conn)
        .unwrap();
    drop(conn);
    cluster.stop().unwrap();
    cluster.stop().unwrap(); // stopping a stopped cluster is fine
    assert!(PgConnection::establish(&cluster.database_url()).is_err());
    drop(cluster);

    let again = start(dir.path());
    assert!(again.started_here());
    let mut conn = PgConnection::establish(&again.database_url()).unwrap();
    let note: Note = diesel::sql_query("SELECT body FROM note")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(note.body, "kept");
    drop(conn);
    again.destroy().unwrap();
}

#[test]
fn the_remains_of_a_killed_initdb_are_cleared() {
    let dir = open_tempdir();
    let pg = dir.path().join("pg");
    std::fs::create_dir(&pg).unwrap();
    std::fs::create_dir(pg.join("global")).unwrap();
    std::fs::write(pg.join("global").join("junk"), "half an initdb").unwrap();
    let cluster = start(dir.path());
    assert!(pg.join("PG_VERSION").is_file());
    PgConnection::establish(&cluster.database_url()).unwrap();
    cluster.destroy().unwrap();
}

#[test]
fn concurrent_starts_make_one_cluster() {
    let dir = open_tempdir();
    let path = dir.path().to_path_buf();
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let path = path.clone();
            thread::spawn(move || start(&path))
        })
        .collect();
    let clusters: Vec<LocalCluster> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(clusters.iter().filter(|c| c.started_here()).count(), 1);
    assert!(clusters.iter().all(|c| c.port() == clusters[0].port()));
    PgConnection::establish(&clusters[0].database_url()).unwrap();
    for cluster in clusters {
        cluster.destroy().unwrap();
    }
}

#[test]
#[ignore = "needs root; .ci/run (as root) runs it with --ignored"]
fn a_directory_postgres_cannot_enter_still_works_as_root() {
    assert!(
        is_root(),
        "this test is about running as root: run it as root (`cargo test -p sos-pg-local --test cluster -- --ignored`)"
    );
    // The postgres user cannot traverse a 0700 directory of root's.
    let dir = tempfile::Builder::new()
        .prefix("sos-cluster-test-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
        .unwrap();
    let cluster = start(dir.path());
    let link = dir.path().join("pg");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let target = std::fs::canonicalize(&link).unwrap();
    assert_eq!(cluster.pgdata(), target);
    PgConnection::establish(&cluster.database_url()).unwrap();

    // A second start follows the link to the same running cluster.
    let again = start(dir.path());
    assert_eq!(again.port(), cluster.port());
    drop(again);

    cluster.destroy().unwrap();
    assert!(!target.exists());
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

#[test]
fn missing_binaries_are_one_clear_sentence() {
    let dir = open_tempdir();
    let err = LocalCluster::start_with(dir.path(), BinSearch::Paths(vec![])).unwrap_err();
    assert!(matches!(err, ClusterError::BinariesNotFound));
    assert_eq!(
        err.to_string(),
        "PostgreSQL server binaries (initdb, pg_ctl) were not found: install PostgreSQL \
         (apt-get install postgresql) or set DATABASE_URL"
    );
    let err = LocalCluster::start_with(dir.path(), BinSearch::Paths(vec![dir.path().into()]))
        .unwrap_err();
    assert!(matches!(err, ClusterError::BinariesNotFound));
}

#[test]
fn test_databases_are_migrated_isolated_and_dropped() {
    let a = TestDb::new();
    let b = TestDb::new();
    assert_ne!(a.name(), b.name());

    let mut conn_a = a.connect();
    let mut conn_b = b.connect();
    for conn in [&mut conn_a, &mut conn_b] {
        let applied = count(conn, "SELECT count(*) AS n FROM __diesel_schema_migrations");
        assert!(applied >= 1, "the migrations ran into the template");
    }
    diesel::sql_query("CREATE TABLE only_in_a (x int)")
        .execute(&mut conn_a)
        .unwrap();
    let in_b = count(
        &mut conn_b,
        "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'only_in_a'",
    );
    assert_eq!(in_b, 0);

    let name_a = a.name().to_owned();
    drop(a); // drops the database, ending conn_a's session
    let left = count(
        &mut conn_b,
        &format!("SELECT count(*) AS n FROM pg_database WHERE datname = '{name_a}'"),
    );
    assert_eq!(left, 0);
    drop(conn_a);
}

#[test]
fn many_test_databases_in_parallel() {
    let handles: Vec<_> = (0..6)
        .map(|_| {
            thread::spawn(|| {
                let db = TestDb::new();
                let mut conn = db.connect();
                diesel::sql_query("CREATE TABLE mine (x int)")
                    .execute(&mut conn)
                    .unwrap();
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

/// Makes a test database on the private cluster and checks it answers. Run by
/// `the_test_cluster_goes_away_with_its_process` in a child process (`SOS_CLUSTER_TEST_CHILD`
/// set), it then prints where the database is and exits without dropping anything.
#[test]
fn child_makes_a_test_database() {
    let db = TestDb::new();
    let mut conn = PgConnection::establish(db.url()).unwrap();
    let one: One = diesel::sql_query("SELECT 1 AS one")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(one.one, 1);
    if std::env::var_os("SOS_CLUSTER_TEST_CHILD").is_some() {
        println!("URL={}", db.url());
        println!("DIR={}", private_cluster_dir().unwrap().display());
        // Leave without dropping anything, as a killed or exiting test process would.
        std::process::exit(0);
    }
}

#[test]
fn the_test_cluster_goes_away_with_its_process() {
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_makes_a_test_database", "--nocapture"])
        .env("SOS_CLUSTER_TEST_CHILD", "1")
        // The child's database must be on the private cluster, whatever this process uses.
        .env_remove(TEST_DATABASE_URL_VAR)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out_pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let url = stdout
        .lines()
        .find_map(|l| l.strip_prefix("URL="))
        .unwrap_or_else(|| panic!("no URL in {stdout}"))
        .to_owned();
    let port: u16 = url
        .split(':')
        .nth(2)
        .and_then(|p| p.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap();
    let dir = std::path::PathBuf::from(
        stdout
            .lines()
            .find_map(|l| l.strip_prefix("DIR="))
            .unwrap_or_else(|| panic!("no DIR in {stdout}")),
    );
    assert!(dir.ends_with(format!("sos-test-pg-{}", out_pid)));

    // The watchdog stops the server and deletes the directory once the child has exited.
    let deadline = Instant::now() + Duration::from_secs(30);
    while dir.exists() || std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(
            Instant::now() < deadline,
            "the child's cluster in {} is still there",
            dir.display()
        );
        thread::sleep(Duration::from_millis(100));
    }
}

/// The PID on line 1 of the cluster's `postmaster.pid`.
fn postmaster_pid(cluster: &LocalCluster) -> u32 {
    let text = std::fs::read_to_string(cluster.pgdata().join("postmaster.pid")).unwrap();
    text.lines().next().unwrap().trim().parse().unwrap()
}

fn sigkill(pid: u32) {
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -KILL {pid}");
}

/// A table with one row, to find again after the restart.
fn write_note(cluster: &LocalCluster, body: &str) {
    let mut conn = PgConnection::establish(&cluster.database_url()).unwrap();
    diesel::sql_query("CREATE TABLE note (body text NOT NULL)")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("INSERT INTO note VALUES ($1)")
        .bind::<Text, _>(body)
        .execute(&mut conn)
        .unwrap();
}

fn read_note(cluster: &LocalCluster) -> String {
    let mut conn = PgConnection::establish(&cluster.database_url()).unwrap();
    diesel::sql_query("SELECT body FROM note")
        .get_result::<Note>(&mut conn)
        .unwrap()
        .body
}

#[test]
fn a_postmaster_killed_with_sigkill_does_not_stop_the_next_start() {
    let dir = open_tempdir();
    let mut first = LocalCluster::start(dir.path()).unwrap();
    write_note(&first, "before the kill");
    let pid = postmaster_pid(&first);
    // The server is gone: nothing must try to stop it.
    first.stop_on_drop(false);
    drop(first);
    sigkill(pid);
    // Dead or a zombie (an init that does not reap), but not running any more.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !matches!(process_state(pid).as_deref(), None | Some("Z" | "X")) {
        assert!(
            Instant::now() < deadline,
            "postmaster {pid} survived SIGKILL"
        );
        thread::sleep(Duration::from_millis(20));
    }
    let state = process_state(pid);

    let started = Instant::now();
    let again = start(dir.path());
    assert!(
        again.started_here(),
        "the killed server was taken as running"
    );
    assert_ne!(postmaster_pid(&again), pid);
    assert_eq!(read_note(&again), "before the kill");
    println!(
        "pg-local: postmaster {pid} killed with SIGKILL (then {}); the next start took {} ms and found the data",
        state.map_or("gone".to_owned(), |s| format!("state {s}")),
        started.elapsed().as_millis()
    );
    again.destroy().unwrap();
}

/// A command run as the server's user: `postgres` when the tests run as root.
fn as_server_user(program: &str) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--", program]);
        cmd
    } else {
        Command::new(program)
    }
}

#[test]
fn a_pid_file_naming_another_program_or_an_exited_process_does_not_stop_a_start() {
    let dir = open_tempdir();
    let first = start(dir.path());
    write_note(&first, "kept");
    let pid_file = first.pgdata().join("postmaster.pid");
    let original = std::fs::read_to_string(&pid_file).unwrap();
    first.stop().unwrap();
    let rest = original.split_once('\n').unwrap().1.to_owned();

    // A live program of the server's user, which `pg_ctl status` calls a running server (as a
    // PID reused after a container restart would be), then a PID that has exited.
    let mut other = as_server_user("sh")
        .args(["-c", "echo $$; exec sleep 60"])
        .stdout(std::process::Stdio::piped())
        // runuser reports the SIGKILL that ends it.
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(other.stdout.as_mut().unwrap()),
        &mut line,
    )
    .unwrap();
    let other_pid: u32 = line.trim().parse().unwrap();
    let mut exited = Command::new("true").spawn().unwrap();
    let exited_pid = exited.id();
    exited.wait().unwrap();

    for (what, pid) in [
        ("another program", other_pid),
        ("an exited process", exited_pid),
    ] {
        std::fs::write(&pid_file, format!("{pid}\n{rest}")).unwrap();
        let started = Instant::now();
        let cluster = LocalCluster::start_with_options(dir.path(), ephemeral())
            .unwrap_or_else(|e| panic!("a pid file naming {what}: {e}"));
        assert!(cluster.started_here(), "{what} was taken as the server");
        assert_eq!(read_note(&cluster), "kept");
        println!(
            "pg-local: postmaster.pid naming {what} (PID {pid}): started in {} ms",
            started.elapsed().as_millis()
        );
        cluster.stop().unwrap();
    }
    sigkill(other_pid);
    other.wait().unwrap();
    start(dir.path()).destroy().unwrap();
}
