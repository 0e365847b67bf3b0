#![doc = include_str!("../README.md")]

mod domain;
mod http;
mod pg;
mod procs;
mod report;

use anyhow::{anyhow, bail, Context, Result};
use clap::{Parser, ValueEnum};
use domain::Lcg;
use pg::{Db, CALC_PERIOD, INGEST_PERIOD};
use procs::Guarded;
use report::{mb, thousands, Row};
use sos_pg_local::cluster::{LocalCluster, StartOptions};
use std::{
    io::Write as _,
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::{Duration, Instant},
};

/// Sellers the ingest phases pick from.
const INGEST_SELLERS: u32 = 100_000;
/// Records per batch call.
const BATCH: usize = 1_000;
/// Distinct batches (seller sets) both sides cycle through.
const BATCH_SETS: usize = 16;
/// One seller in this many is blocked in the enforcement phase.
const BLOCKED_EVERY: u32 = 50;
/// The OMS's load on the enforcement read, requests per second (issue 19).
const ENFORCEMENT_RATE: f64 = 5_000.0;
/// Connections that offer it.
const ENFORCEMENT_PACED_CONNS: usize = 16;

/// Holds SOS (the release server) against PostgreSQL's own limits, in one run.
#[derive(Debug, Parser)]
#[command(name = "sos-bench", about)]
struct Args {
    /// Seconds per measurement.
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Unmeasured seconds before each HTTP measurement.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Only these phases (repeat the flag); all by default.
    #[arg(long = "only", value_enum)]
    only: Vec<Phase>,
    /// Seller counts of the monthly-calculation phase.
    #[arg(long = "calc-sellers", value_delimiter = ',', default_values_t = [10_000u32, 100_000])]
    calc_sellers: Vec<u32>,
    /// Runs of each calculation and of its floor; the best of each is reported.
    #[arg(long, default_value_t = 2)]
    calc_runs: usize,
    /// Connection counts of the single-record ingest phase.
    #[arg(long = "single-conns", value_delimiter = ',', default_values_t = [1usize, 4, 16])]
    single_conns: Vec<usize>,
    /// Connection counts of the batch ingest phase.
    #[arg(long = "batch-conns", value_delimiter = ',', default_values_t = [1usize, 4])]
    batch_conns: Vec<usize>,
    /// Connection counts of the enforcement read phase.
    #[arg(long = "enforcement-conns", value_delimiter = ',', default_values_t = [16usize, 64])]
    enforcement_conns: Vec<usize>,
    /// The release `sos-server` binary (default: next to this one).
    #[arg(long)]
    server: Option<PathBuf>,
    /// Write the table into this Markdown file, between its `sos-bench` markers.
    #[arg(long)]
    write: Option<PathBuf>,
    /// Leave the seeded cluster running at the end and print its URL (for profiling).
    #[arg(long)]
    keep: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Phase {
    /// `score_seller` on one core.
    Domain,
    /// `POST /api/sync/orders` one record at a time, and server memory.
    Ingest,
    /// `POST /api/sync/orders` with arrays of 1,000.
    Batch,
    /// `sos-server calculate` against the I/O floor.
    Calc,
    /// `GET /api/sellers/{code}/enforcement`, the OMS's check before each order.
    Enforcement,
}

fn main() {
    if let Err(e) = run(Args::parse()) {
        eprintln!("sos-bench: error: {e:#}");
        std::process::exit(1);
    }
}

fn say(line: impl AsRef<str>) {
    eprintln!(
        "[{}] {}",
        chrono::Local::now().format("%H:%M:%S"),
        line.as_ref()
    );
}

fn run(args: Args) -> Result<()> {
    let wants = |p: Phase| args.only.is_empty() || args.only.contains(&p);
    let load_start = load_average();
    let mut rows: Vec<Row> = Vec::new();
    let mut notes: Vec<String> = Vec::new();

    if wants(Phase::Domain) {
        say("domain: scoring generated sellers on one thread");
        let d = domain::run(100_000, args.seconds.min(5.0))?;
        say(format!(
            "domain: {} scores/s (best of {} passes)",
            thousands(d.best_per_sec),
            d.passes
        ));
        rows.push(
            Row::new(
                "Domain",
                "seller scores/s, one core",
                format!(
                    "{}/s (mean {}/s, {} passes of {})",
                    thousands(d.best_per_sec),
                    thousands(d.mean_per_sec),
                    d.passes,
                    thousands(d.sellers as f64)
                ),
            )
            .goal(">= 500,000/s", d.best_per_sec >= 500_000.0),
        );
    }

    let needs_db = wants(Phase::Ingest)
        || wants(Phase::Batch)
        || wants(Phase::Calc)
        || wants(Phase::Enforcement);
    let mut pg_version = String::new();
    if needs_db {
        let server = match &args.server {
            Some(p) => p.clone(),
            None => std::env::current_exe()?
                .parent()
                .ok_or_else(|| anyhow!("no directory for this binary"))?
                .join("sos-server"),
        };
        if !server.is_file() {
            bail!(
                "{} not found: build it first (cargo build --release -p sos-server)",
                server.display()
            );
        }
        let work = tempfile::Builder::new().prefix("sos-bench-").tempdir()?;
        set_mode(work.path(), 0o755)?;
        say(format!(
            "starting a private PostgreSQL (durable defaults) in {}",
            work.path().display()
        ));
        let mut cluster = ClusterGuard(Some(LocalCluster::start_with_options(
            &work.path().join("db"),
            StartOptions::default(),
        )?));
        let db = Db::new(cluster.get()?)?;
        pg_version = db.scalar("current_setting('server_version')")?;
        let bench = Bench {
            args: &args,
            db: &db,
            server: &server,
            work: work.path(),
        };
        bench.sos_command(&["migrate"]).and_then(|mut c| {
            let out = c.output()?;
            if out.status.success() {
                Ok(())
            } else {
                bail!(
                    "sos-server migrate failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            }
        })?;
        let mut seeded = 0u32;
        if wants(Phase::Calc) {
            let mut targets = args.calc_sellers.clone();
            targets.sort_unstable();
            targets.dedup();
            for target in targets {
                bench.seed_to(&mut seeded, target)?;
                rows.extend(bench.calc_phase(target)?);
            }
        }
        if wants(Phase::Ingest) || wants(Phase::Batch) || wants(Phase::Enforcement) {
            let target = seeded.max(INGEST_SELLERS);
            bench.seed_to(&mut seeded, target)?;
            let (r, n) = bench.server_phases(
                wants(Phase::Ingest),
                wants(Phase::Batch),
                wants(Phase::Enforcement),
            )?;
            rows.extend(r);
            notes.extend(n);
        }
        if args.keep {
            if let Some(mut c) = cluster.0.take() {
                c.stop_on_drop(false);
                say(format!(
                    "kept: DATABASE_URL={} (data in {})",
                    db.url,
                    work.keep().display()
                ));
            }
        } else if let Some(c) = cluster.0.take() {
            c.destroy()?;
        }
    }

    // The order of the issue's table, whatever order the phases ran in.
    let rank = |r: &Row| {
        [
            "Domain",
            "Single",
            "Batch",
            "Enforcement",
            "Monthly",
            "Server",
        ]
        .iter()
        .position(|p| r.phase.starts_with(p))
        .unwrap_or(usize::MAX)
    };
    rows.sort_by_key(rank);
    let generated = render(&rows, &notes, &pg_version, load_start, &args);
    println!("\n{generated}");
    if let Some(path) = &args.write {
        report::write_doc(path, &generated)?;
        say(format!("wrote {}", path.display()));
    }
    Ok(())
}

fn render(
    rows: &[Row],
    notes: &[String],
    pg_version: &str,
    load_start: String,
    args: &Args,
) -> String {
    let mut out = format!(
        "Measured {} by `sos-bench` on {} ({} cores); load average {} at the start and {} at the end; \
         {}{} s per measurement after {} s of warm-up; release build.\n\n",
        chrono::Local::now().format("%Y-%m-%d %H:%M %Z"),
        cpu_model(),
        std::thread::available_parallelism().map_or(0, usize::from),
        load_start,
        load_average(),
        if pg_version.is_empty() {
            String::new()
        } else {
            format!("PostgreSQL {pg_version} (a private cluster with durable defaults), ")
        },
        args.seconds,
        args.warmup
    );
    out.push_str(&report::table(rows));
    if !notes.is_empty() {
        out.push('\n');
        for n in notes {
            out.push_str(&format!("- {n}\n"));
        }
    }
    out
}

/// Stops and deletes the cluster when the run ends, however it ends.
struct ClusterGuard(Option<LocalCluster>);

impl ClusterGuard {
    fn get(&self) -> Result<&LocalCluster> {
        self.0.as_ref().ok_or_else(|| anyhow!("cluster gone"))
    }
}

impl Drop for ClusterGuard {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            if let Err(e) = c.destroy() {
                eprintln!("sos-bench: could not remove the benchmark cluster: {e}");
            }
        }
    }
}

struct Bench<'a> {
    args: &'a Args,
    db: &'a Db,
    server: &'a Path,
    work: &'a Path,
}

impl Bench<'_> {
    fn sos_command(&self, args: &[&str]) -> Result<Command> {
        let mut cmd = Command::new(self.server);
        cmd.args(args)
            .env("DATABASE_URL", &self.db.url)
            .env("SOS_DATA_DIR", self.work.join("sos"))
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null());
        Ok(cmd)
    }

    fn seed_to(&self, seeded: &mut u32, target: u32) -> Result<()> {
        if target <= *seeded {
            return Ok(());
        }
        say(format!(
            "seeding sellers {}..={target} with every input of {CALC_PERIOD}",
            *seeded + 1
        ));
        let started = Instant::now();
        self.db.execute(&pg::seed_sql(*seeded + 1, target))?;
        self.db.execute("VACUUM ANALYZE")?;
        self.db.execute("CHECKPOINT")?;
        say(format!(
            "seeded in {:.1} s",
            started.elapsed().as_secs_f64()
        ));
        *seeded = target;
        Ok(())
    }

    fn calc_phase(&self, sellers: u32) -> Result<Vec<Row>> {
        let same_file = self.work.join("floor-same-bytes.sql");
        let minimal_file = self.work.join("floor-minimal.sql");
        std::fs::write(&same_file, pg::floor_sql(true))?;
        std::fs::write(&minimal_file, pg::floor_sql(false))?;
        let mut best_ours: Option<procs::Timed> = None;
        let mut peak = 0u64;
        let (mut best_same, mut best_minimal) = (Duration::MAX, Duration::MAX);
        for i in 0..self.args.calc_runs.max(1) {
            self.db.execute("CHECKPOINT")?;
            let cmd = self.sos_command(&["calculate", "--period", CALC_PERIOD])?;
            let ours = procs::run_measured(cmd)?;
            let scored = summary_value(&ours.stdout, "sellers scored").unwrap_or(0)
                + summary_value(&ours.stdout, "insufficient data").unwrap_or(0);
            if scored != u64::from(sellers) {
                bail!(
                    "the calculation scored {scored} sellers, not {sellers}:\n{}",
                    ours.stdout
                );
            }
            peak = peak.max(ours.peak_rss);
            // The floor writes the very documents SOS just wrote (copied aside untimed).
            self.db.execute(&pg::stage_results_sql())?;
            self.db.execute("CHECKPOINT")?;
            let same = self.db.psql_file(&same_file)?;
            self.db.execute("CHECKPOINT")?;
            let minimal = self.db.psql_file(&minimal_file)?;
            say(format!(
                "calc {sellers} run {}: ours {:.2} s (in-process {} ms, peak RSS {}), floor {:.2} s (same result bytes), {:.2} s (minimal result row)",
                i + 1,
                ours.wall.as_secs_f64(),
                summary_value(&ours.stdout, "duration").unwrap_or(0),
                mb(ours.peak_rss),
                same.as_secs_f64(),
                minimal.as_secs_f64()
            ));
            best_same = best_same.min(same);
            best_minimal = best_minimal.min(minimal);
            if best_ours.as_ref().is_none_or(|b| ours.wall < b.wall) {
                best_ours = Some(ours);
            }
        }
        self.db
            .execute(&format!("DROP TABLE IF EXISTS {}", pg::STAGED_RESULTS))?;
        let ours = best_ours.ok_or_else(|| anyhow!("no calculation ran"))?;
        let wall = ours.wall.as_secs_f64();
        let (same, minimal) = (best_same.as_secs_f64(), best_minimal.as_secs_f64());
        let label = format!(
            "Monthly calculation, {} sellers",
            thousands(f64::from(sellers))
        );
        let ours_text = format!(
            "{wall:.2} s (in-process {} ms)",
            summary_value(&ours.stdout, "duration").unwrap_or(0)
        );
        let mut rows = vec![
            Row::new(
                label.clone(),
                "wall time of `sos-server calculate` vs floor writing the same result JSON",
                ours_text.clone(),
            )
            .baseline(format!("floor {same:.2} s"), wall / same)
            .goal("<= 1.5x floor", wall / same <= 1.5),
            Row::new(
                label.clone(),
                "the same vs floor writing a minimal result row",
                ours_text,
            )
            .baseline(format!("floor {minimal:.2} s"), wall / minimal)
            .goal("<= 1.5x floor", wall / minimal <= 1.5),
        ];
        if sellers == 100_000 {
            rows.push(
                Row::new(label.clone(), "wall time", format!("{wall:.2} s"))
                    .goal("< 2 s (issue 6)", wall < 2.0)
                    .goal("< 5 s (issue 3)", wall < 5.0),
            );
        }
        rows.push(Row::new(label, "peak RSS", mb(peak)).goal("< 300 MB", peak < 300 * 1024 * 1024));
        Ok(rows)
    }

    fn server_phases(
        &self,
        ingest: bool,
        batch: bool,
        enforcement: bool,
    ) -> Result<(Vec<Row>, Vec<String>)> {
        let port = free_port()?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let key = format!("sos_{:08x}_{:064x}", std::process::id(), random_u128()?);
        let log = std::fs::File::create(self.work.join("server.log"))?;
        let mut cmd = self.sos_command(&["serve"])?;
        cmd.env("SOS_BIND", addr.to_string())
            .env("SOS_ADMIN_KEY", &key)
            .stdout(log.try_clone()?)
            .stderr(log);
        say(format!("starting the release server on {addr}"));
        let mut server = Guarded(cmd.spawn().context("start sos-server serve")?);
        let pid = server.0.id();
        http::wait_ready(addr, "/readyz", Duration::from_secs(60))
            .with_context(|| format!("server log: {}", self.work.join("server.log").display()))?;
        std::thread::sleep(Duration::from_secs(1));
        let idle = procs::status_bytes(pid, "VmRSS").unwrap_or(0);
        say(format!("server idle RSS {}", mb(idle)));
        let mut rows = Vec::new();
        let mut notes = Vec::new();

        // Batches: the same seller sets and figures for SOS and pgbench.
        let sets = batch_sets();
        let figures: Vec<(u32, u32, u32, u32)> = {
            let mut rng = Lcg(7);
            (0..BATCH)
                .map(|_| {
                    let total = 10 + rng.below(2000);
                    let late = rng.below(11);
                    (total, total - late, late, rng.below(600))
                })
                .collect()
        };
        let bodies: Vec<Vec<u8>> = sets.iter().map(|ids| batch_body(ids, &figures)).collect();

        // Every seller once: fills the server's seller-id cache (as on a server that has run
        // for a while) and creates the rows both sides then update.
        let mut client = http::Client::new(addr, &key);
        let all: Vec<u32> = if ingest || batch {
            say(format!(
                "warm-up: {INGEST_SELLERS} sellers in batches of {BATCH}"
            ));
            (1..=INGEST_SELLERS).collect()
        } else {
            Vec::new()
        };
        for chunk in all.chunks(BATCH) {
            let r = client.send(
                "POST",
                "/api/sync/orders",
                Some(&batch_body(chunk, &figures)),
            )?;
            if r.status != 200 {
                bail!(
                    "warm-up batch: HTTP {} {}",
                    r.status,
                    String::from_utf8_lossy(&r.body)
                );
            }
        }
        self.db.execute("VACUUM ANALYZE sos_order_operation_raw")?;

        let warm = Duration::from_secs_f64(self.args.warmup);
        let measure = Duration::from_secs_f64(self.args.seconds);
        let secs = self.args.seconds.round().max(1.0) as u64;
        let pgb_dir = self.work.join("pgbench-log");
        std::fs::create_dir_all(&pgb_dir)?;
        let mut loaded_rss = 0u64;

        if ingest {
            let script = self.work.join("single.sql");
            std::fs::write(&script, pg::pgbench_single_script(INGEST_SELLERS))?;
            for &conns in &self.args.single_conns {
                self.db.execute("CHECKPOINT")?;
                let sampler = RssSampler::new(pid);
                let ours = std::thread::scope(|s| {
                    s.spawn(|| sampler.run());
                    let r = http::run_load(
                        addr,
                        &key,
                        "/api/sync/orders",
                        conns,
                        warm,
                        measure,
                        single_body,
                    );
                    sampler.stop();
                    r
                })?;
                let rss = sampler.max();
                if conns == *self.args.single_conns.iter().max().unwrap_or(&16) {
                    loaded_rss = rss;
                }
                self.db.execute("CHECKPOINT")?;
                self.db
                    .pgbench(std::slice::from_ref(&script), &[], conns, 1, None)?;
                let base = self.db.pgbench(
                    std::slice::from_ref(&script),
                    &[],
                    conns,
                    secs,
                    Some(&pgb_dir),
                )?;
                let ratio = ours.per_sec() / base.tps;
                say(format!(
                    "single {conns} conn: ours {} req/s p99 {:.2} ms ({} errors), pgbench {} tx/s p99 {:.2} ms, {ratio:.2}x, RSS {}",
                    thousands(ours.per_sec()),
                    ours.quantile_ms(0.99),
                    ours.errors,
                    thousands(base.tps),
                    http::quantile_ms(&base.latencies_us, 0.99),
                    mb(rss)
                ));
                note_errors(
                    &mut notes,
                    &format!("single-record ingest, {conns} conn"),
                    &ours,
                    base.failed,
                );
                let mut row = Row::new(
                    format!("Single-record ingest, {conns} conn"),
                    "req/s (p50, p99)",
                    format!(
                        "{}/s ({:.2} ms, {:.2} ms)",
                        thousands(ours.per_sec()),
                        ours.quantile_ms(0.5),
                        ours.quantile_ms(0.99)
                    ),
                )
                .baseline(
                    format!(
                        "pgbench -M prepared {} tx/s ({:.2} ms, {:.2} ms)",
                        thousands(base.tps),
                        http::quantile_ms(&base.latencies_us, 0.5),
                        http::quantile_ms(&base.latencies_us, 0.99)
                    ),
                    ratio,
                );
                if conns == 16 {
                    row = row.goal(">= 0.7x", ratio >= 0.7);
                }
                rows.push(row);
            }
        }

        if batch {
            let mut scripts = Vec::new();
            let mut defines = vec![
                (
                    "periods".to_owned(),
                    pg_array(figures.iter().map(|_| INGEST_PERIOD.to_owned())),
                ),
                (
                    "totals".to_owned(),
                    pg_array(figures.iter().map(|f| f.0.to_string())),
                ),
                (
                    "withins".to_owned(),
                    pg_array(figures.iter().map(|f| f.1.to_string())),
                ),
                (
                    "lates".to_owned(),
                    pg_array(figures.iter().map(|f| f.2.to_string())),
                ),
                (
                    "avgs".to_owned(),
                    pg_array(figures.iter().map(|f| decimal_tenths(f.3))),
                ),
            ];
            for (i, ids) in sets.iter().enumerate() {
                let file = self.work.join(format!("batch{i}.sql"));
                std::fs::write(&file, pg::pgbench_batch_script(i))?;
                scripts.push(file);
                defines.push((format!("ids{i}"), pg_array(ids.iter().map(u32::to_string))));
            }
            let body = |rng: &mut Lcg, buf: &mut Vec<u8>| {
                let i = rng.below(BATCH_SETS as u32) as usize;
                buf.extend_from_slice(&bodies[i % bodies.len()]);
            };
            for &conns in &self.args.batch_conns {
                self.db.execute("CHECKPOINT")?;
                let ours =
                    http::run_load(addr, &key, "/api/sync/orders", conns, warm, measure, body)?;
                self.db.execute("CHECKPOINT")?;
                self.db.pgbench(&scripts, &defines, conns, 1, None)?;
                let base = self
                    .db
                    .pgbench(&scripts, &defines, conns, secs, Some(&pgb_dir))?;
                let ours_rows = ours.per_sec() * BATCH as f64;
                let base_rows = base.tps * BATCH as f64;
                let ratio = ours_rows / base_rows;
                say(format!(
                    "batch {conns} conn: ours {} records/s ({} errors), pgbench {} rows/s, {ratio:.2}x",
                    thousands(ours_rows),
                    ours.errors,
                    thousands(base_rows)
                ));
                note_errors(
                    &mut notes,
                    &format!("batch ingest, {conns} conn"),
                    &ours,
                    base.failed,
                );
                rows.push(
                    Row::new(
                        format!("Batch ingest of {}, {conns} conn", thousands(BATCH as f64)),
                        "records/s (p99 per call)",
                        format!(
                            "{}/s ({:.1} ms)",
                            thousands(ours_rows),
                            ours.quantile_ms(0.99)
                        ),
                    )
                    .baseline(
                        format!(
                            "pgbench unnest upsert {} rows/s ({:.1} ms)",
                            thousands(base_rows),
                            http::quantile_ms(&base.latencies_us, 0.99)
                        ),
                        ratio,
                    )
                    .goal(">= 0.5x", ratio >= 0.5),
                );
            }
        }

        if enforcement {
            rows.extend(self.enforcement_phase(addr, &key, &pgb_dir, &mut notes)?);
        }

        std::thread::sleep(Duration::from_secs(1));
        let after = procs::status_bytes(pid, "VmRSS").unwrap_or(0);
        server.stop(Duration::from_secs(30));
        rows.push(
            Row::new("Server memory", "RSS idle (after start)", mb(idle))
                .goal("< 30 MB", idle < 30 * 1024 * 1024),
        );
        if loaded_rss > 0 {
            rows.push(Row::new(
                "Server memory",
                "RSS under 16-connection load (peak sampled)",
                mb(loaded_rss),
            ));
        }
        rows.push(Row::new(
            "Server memory",
            "RSS idle after all load",
            mb(after),
        ));
        Ok((rows, notes))
    }
}

impl Bench<'_> {
    /// `GET /api/sellers/{code}/enforcement` on random sellers among `INGEST_SELLERS`, one in
    /// `BLOCKED_EVERY` of them blocked, against pgbench running the two lookups the request
    /// makes (the API key by its prefix, the seller's state by its code).
    fn enforcement_phase(
        &self,
        addr: SocketAddr,
        key: &str,
        pgb_dir: &Path,
        notes: &mut Vec<String>,
    ) -> Result<Vec<Row>> {
        self.db
            .execute(&pg::enforcement_seed_sql(INGEST_SELLERS, BLOCKED_EVERY))?;
        self.db.execute("VACUUM ANALYZE seller_enforcement")?;
        // The answers are right: a blocked seller and one never blocked.
        let mut client = http::Client::new(addr, key);
        for (n, blocked) in [(BLOCKED_EVERY, true), (BLOCKED_EVERY + 1, false)] {
            let r = client.send("GET", &format!("/api/sellers/SEL{n:06}/enforcement"), None)?;
            let body = String::from_utf8_lossy(&r.body);
            if r.status != 200 || !body.contains(&format!("\"blocked\":{blocked}")) {
                bail!("enforcement of SEL{n:06}: HTTP {} {}", r.status, body);
            }
        }
        let script = self.work.join("enforcement.sql");
        std::fs::write(&script, pg::pgbench_enforcement_script(INGEST_SELLERS))?;
        let prefix = key.split('_').nth(1).unwrap_or_default().to_owned();
        let defines = vec![("prefix".to_owned(), prefix)];
        let warm = Duration::from_secs_f64(self.args.warmup);
        let measure = Duration::from_secs_f64(self.args.seconds);
        let secs = self.args.seconds.round().max(1.0) as u64;
        let path = |rng: &mut Lcg, path: &mut String| {
            let n = 1 + rng.below(INGEST_SELLERS);
            path.push_str(&format!("/api/sellers/SEL{n:06}/enforcement"));
        };
        let mut rows = Vec::new();
        // The goal's load: 5,000 requests per second offered, latency from when each was due.
        let conns = ENFORCEMENT_PACED_CONNS;
        let paced = http::run_get_load(
            addr,
            key,
            conns,
            Some(ENFORCEMENT_RATE),
            warm,
            measure,
            path,
        )?;
        let (p50, p99) = (paced.quantile_ms(0.5), paced.quantile_ms(0.99));
        say(format!(
            "enforcement at {} req/s offered, {conns} conn: {} req/s answered, p50 {p50:.2} ms, p99 {p99:.2} ms, p99.9 {:.2} ms ({} errors)",
            thousands(ENFORCEMENT_RATE),
            thousands(paced.per_sec()),
            paced.quantile_ms(0.999),
            paced.errors
        ));
        note_errors(
            notes,
            &format!("enforcement read at {} req/s", thousands(ENFORCEMENT_RATE)),
            &paced,
            0,
        );
        rows.push(
            Row::new(
                format!(
                    "Enforcement read, {} req/s offered, {conns} conn",
                    thousands(ENFORCEMENT_RATE)
                ),
                "`GET /api/sellers/{code}/enforcement` answered req/s (p50, p99, p99.9 from when due)",
                format!(
                    "{}/s ({p50:.2} ms, {p99:.2} ms, {:.2} ms)",
                    thousands(paced.per_sec()),
                    paced.quantile_ms(0.999)
                ),
            )
            .goal(">= 5,000 req/s", paced.per_sec() >= 0.99 * ENFORCEMENT_RATE)
            .goal("p99 < 10 ms", p99 < 10.0),
        );
        // Capacity: back to back, against pgbench running the same two lookups.
        for &conns in &self.args.enforcement_conns {
            let ours = http::run_get_load(addr, key, conns, None, warm, measure, path)?;
            self.db
                .pgbench(std::slice::from_ref(&script), &defines, conns, 1, None)?;
            let base = self.db.pgbench(
                std::slice::from_ref(&script),
                &defines,
                conns,
                secs,
                Some(pgb_dir),
            )?;
            let ratio = ours.per_sec() / base.tps;
            let (p50, p99) = (ours.quantile_ms(0.5), ours.quantile_ms(0.99));
            say(format!(
                "enforcement {conns} conn: ours {} req/s p50 {p50:.2} ms p99 {p99:.2} ms ({} errors), pgbench {} tx/s, {ratio:.2}x",
                thousands(ours.per_sec()),
                ours.errors,
                thousands(base.tps)
            ));
            note_errors(
                notes,
                &format!("enforcement read, {conns} conn"),
                &ours,
                base.failed,
            );
            rows.push(
                Row::new(
                    format!("Enforcement read, back to back, {conns} conn"),
                    "`GET /api/sellers/{code}/enforcement` req/s (p50, p99)",
                    format!(
                        "{}/s ({p50:.2} ms, {p99:.2} ms)",
                        thousands(ours.per_sec())
                    ),
                )
                .baseline(
                    format!(
                        "pgbench -M prepared, the key and state lookups, {} tx/s ({:.2} ms, {:.2} ms)",
                        thousands(base.tps),
                        http::quantile_ms(&base.latencies_us, 0.5),
                        http::quantile_ms(&base.latencies_us, 0.99)
                    ),
                    ratio,
                )
                .goal(">= 5,000 req/s", ours.per_sec() >= ENFORCEMENT_RATE),
            );
        }
        Ok(rows)
    }
}

fn note_errors(notes: &mut Vec<String>, what: &str, ours: &http::LoadResult, base_failed: u64) {
    if ours.errors > 0 {
        notes.push(format!(
            "{what}: {} failed requests (first: {})",
            ours.errors,
            ours.first_error.as_deref().unwrap_or("?")
        ));
    }
    if base_failed > 0 {
        notes.push(format!(
            "{what}: pgbench reported {base_failed} failed transactions"
        ));
    }
}

fn single_body(rng: &mut Lcg, buf: &mut Vec<u8>) {
    let seller = 1 + rng.below(INGEST_SELLERS);
    let total = 10 + rng.below(2000);
    let late = rng.below(11);
    let avg = rng.below(600);
    let _ = write!(
        buf,
        r#"{{"seller_code":"SEL{seller:06}","period":"{INGEST_PERIOD}","total_orders":{total},"orders_within_30min":{},"orders_late":{late},"avg_push_time_minutes":{}}}"#,
        total - late,
        decimal_tenths(avg)
    );
}

fn decimal_tenths(v: u32) -> String {
    format!("{}.{}", v / 10, v % 10)
}

/// `BATCH_SETS` sets of `BATCH` distinct sellers each, sorted.
fn batch_sets() -> Vec<Vec<u32>> {
    let mut rng = Lcg(2026);
    (0..BATCH_SETS)
        .map(|_| {
            let mut set = std::collections::BTreeSet::new();
            while set.len() < BATCH {
                set.insert(1 + rng.below(INGEST_SELLERS));
            }
            set.into_iter().collect()
        })
        .collect()
}

fn batch_body(ids: &[u32], figures: &[(u32, u32, u32, u32)]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(ids.len() * 160);
    buf.push(b'[');
    for (i, (id, f)) in ids.iter().zip(figures.iter().cycle()).enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        let _ = write!(
            buf,
            r#"{{"seller_code":"SEL{id:06}","period":"{INGEST_PERIOD}","total_orders":{},"orders_within_30min":{},"orders_late":{},"avg_push_time_minutes":{}}}"#,
            f.0,
            f.1,
            f.2,
            decimal_tenths(f.3)
        );
    }
    buf.push(b']');
    buf
}

fn pg_array(items: impl Iterator<Item = String>) -> String {
    format!("{{{}}}", items.collect::<Vec<_>>().join(","))
}

/// Samples a process's `VmRSS` every 50 ms until stopped.
struct RssSampler {
    pid: u32,
    stop: AtomicBool,
    max: AtomicU64,
}

impl RssSampler {
    fn new(pid: u32) -> Self {
        Self {
            pid,
            stop: AtomicBool::new(false),
            max: AtomicU64::new(0),
        }
    }

    fn run(&self) {
        while !self.stop.load(Ordering::Relaxed) {
            if let Some(rss) = procs::status_bytes(self.pid, "VmRSS") {
                self.max.fetch_max(rss, Ordering::Relaxed);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn max(&self) -> u64 {
        self.max.load(Ordering::Relaxed)
    }
}

/// A value of the summary `sos-server calculate` prints (`sellers scored  10000`).
fn summary_value(stdout: &str, label: &str) -> Option<u64> {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(label))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn random_u128() -> Result<u128> {
    let mut bytes = [0u8; 16];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut bytes)?;
    Ok(u128::from_le_bytes(bytes))
}

fn set_mode(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("model name")?
                    .split_once(':')
                    .map(|(_, v)| v.trim().to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".to_owned())
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}
