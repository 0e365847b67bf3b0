//! The PostgreSQL side: the private cluster, seeding with set-based SQL, `psql` and `pgbench`.

use anyhow::{anyhow, bail, Context, Result};
use diesel::{connection::SimpleConnection, Connection, PgConnection, RunQueryDsl};
use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    process::Command,
    time::{Duration, Instant},
};

/// The period the calculation phase scores.
pub const CALC_PERIOD: &str = "2026-02";
/// The period the ingest phases write, so they never touch the calculation's inputs.
pub const INGEST_PERIOD: &str = "2026-01";
/// Account managers in the seeded data.
pub const AMS: u32 = 100;

/// Finds a PostgreSQL client program: the newest `/usr/lib/postgresql/<v>/bin` first (the same
/// installation as the server binaries), then `PATH`.
///
/// # Errors
/// When it is nowhere.
pub fn find_tool(name: &str) -> Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            Some((
                e.file_name().to_str()?.parse::<u32>().ok()?,
                e.path().join("bin"),
            ))
        })
        .collect();
    versions.sort_by_key(|v| std::cmp::Reverse(v.0));
    let path_dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    versions
        .into_iter()
        .map(|(_, dir)| dir)
        .chain(path_dirs)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow!("{name} was not found (install PostgreSQL: apt-get install postgresql)")
        })
}

/// Connection details of the cluster.
#[derive(Debug, Clone)]
pub struct Db {
    /// `postgres://...` URL.
    pub url: String,
    /// Loopback port.
    pub port: u16,
    /// Superuser name.
    pub user: String,
    /// Database name.
    pub database: String,
    psql: PathBuf,
    pgbench: PathBuf,
}

impl Db {
    /// Details of the application database of `cluster`.
    ///
    /// # Errors
    /// When `psql` or `pgbench` is missing.
    pub fn new(cluster: &sos_pg_local::cluster::LocalCluster) -> Result<Self> {
        Ok(Self {
            url: cluster.database_url(),
            port: cluster.port(),
            user: sos_pg_local::cluster::CLUSTER_USER.to_owned(),
            database: sos_pg_local::cluster::APP_DATABASE.to_owned(),
            psql: find_tool("psql")?,
            pgbench: find_tool("pgbench")?,
        })
    }

    /// A new connection.
    ///
    /// # Errors
    /// When the database cannot be reached.
    pub fn connect(&self) -> Result<PgConnection> {
        PgConnection::establish(&self.url).with_context(|| format!("connect to {}", self.url))
    }

    /// Runs `sql` (several statements) on a new connection.
    ///
    /// # Errors
    /// SQL errors.
    pub fn execute(&self, sql: &str) -> Result<()> {
        let mut conn = self.connect()?;
        conn.batch_execute(sql)
            .with_context(|| format!("SQL failed: {}", first_line(sql)))?;
        Ok(())
    }

    /// One scalar as text.
    ///
    /// # Errors
    /// SQL errors.
    pub fn scalar(&self, sql: &str) -> Result<String> {
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Text)]
            v: String,
        }
        let mut conn = self.connect()?;
        let row: Row =
            diesel::sql_query(format!("SELECT ({sql})::text AS v")).get_result(&mut conn)?;
        Ok(row.v)
    }

    /// Runs a SQL script file with `psql` in one process, returning its wall time.
    ///
    /// # Errors
    /// When psql fails.
    pub fn psql_file(&self, file: &Path) -> Result<Duration> {
        let started = Instant::now();
        let out = Command::new(&self.psql)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1"])
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", &self.user, "-d", &self.database, "-f"])
            .arg(file)
            .output()
            .context("run psql")?;
        let took = started.elapsed();
        if !out.status.success() {
            bail!(
                "psql -f {} failed: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(took)
    }

    /// Runs pgbench with the scripts in `scripts` (weighted equally) for `seconds`; with
    /// `log_dir`, reads every transaction's latency from its per-transaction log.
    ///
    /// # Errors
    /// When pgbench fails or prints no throughput.
    pub fn pgbench(
        &self,
        scripts: &[PathBuf],
        defines: &[(String, String)],
        clients: usize,
        seconds: u64,
        log_dir: Option<&Path>,
    ) -> Result<PgbenchResult> {
        let mut cmd = Command::new(&self.pgbench);
        cmd.args(["-n", "-M", "prepared", "-h", "127.0.0.1"])
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-U", &self.user])
            .arg("-c")
            .arg(clients.to_string())
            .arg("-j")
            .arg(clients.clamp(1, 2).to_string())
            .arg("-T")
            .arg(seconds.to_string());
        for script in scripts {
            cmd.arg("-f").arg(script);
        }
        for (name, value) in defines {
            cmd.arg("-D").arg(format!("{name}={value}"));
        }
        if let Some(dir) = log_dir {
            for entry in std::fs::read_dir(dir)? {
                std::fs::remove_file(entry?.path())?;
            }
            cmd.arg("-l")
                .arg(format!("--log-prefix={}", dir.join("pgbench").display()));
        }
        cmd.arg(&self.database);
        let out = cmd.output().context("run pgbench")?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            bail!(
                "pgbench failed: {}{}",
                stdout,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let tps = stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix("tps = "))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse::<f64>().ok())
            .ok_or_else(|| anyhow!("no tps in pgbench output: {stdout}"))?;
        let failed = stdout
            .lines()
            .find_map(|l| l.trim().strip_prefix("number of failed transactions: "))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let mut latencies_us = Vec::new();
        if let Some(dir) = log_dir {
            for entry in std::fs::read_dir(dir)? {
                let text = std::fs::read_to_string(entry?.path())?;
                // client_id transaction_no time(us) script_no time_epoch time_us
                latencies_us.extend(
                    text.lines()
                        .filter_map(|l| l.split_whitespace().nth(2)?.parse::<u32>().ok()),
                );
            }
            latencies_us.sort_unstable();
        }
        Ok(PgbenchResult {
            tps,
            failed,
            latencies_us,
        })
    }
}

/// What a pgbench run measured.
#[derive(Debug, Clone)]
pub struct PgbenchResult {
    /// Transactions per second, without connection time.
    pub tps: f64,
    /// Failed transactions.
    pub failed: u64,
    /// Per-transaction latencies, microseconds, sorted (empty without a log).
    pub latencies_us: Vec<u32>,
}

fn first_line(sql: &str) -> &str {
    sql.trim().lines().next().unwrap_or("")
}

/// A deterministic pseudo-random integer in `0..n` of the row number `g`, salted by `k`.
fn h(k: u32, n: &str) -> String {
    format!("(abs(hashint8(g * 64 + {k})::bigint) % ({n}))")
}

/// SQL that adds sellers `from..=to` with every input of [`CALC_PERIOD`]: orders, tickets,
/// payments, an inventory snapshot, and a forecast and an actual for each of the period's two
/// campaigns. Account managers, campaigns and AM revenue are created on the first call.
pub fn seed_sql(from: u32, to: u32) -> String {
    let p = CALC_PERIOD;
    let late = "(abs(hashint8(g * 64 + 3)::bigint) % (t / 5 + 1))";
    let a90 = "(abs(hashint8(g * 64 + 16)::bigint) % (cbm * 3))";
    let a90q = "(abs(hashint8(g * 64 + 17)::bigint) % (qty / 3))";
    let a180 = "(abs(hashint8(g * 64 + 18)::bigint) % (cbm * 2))";
    let mut sql = String::new();
    let _ = write!(
        sql,
        "BEGIN;
INSERT INTO account_manager (id, name, email, created_by, updated_by)
  SELECT g, 'Bench AM ' || g, 'am' || g || '@example.com', 'bench', 'bench' FROM generate_series(1, {AMS}) g
  ON CONFLICT (id) DO NOTHING;
INSERT INTO am_portfolio_period_score (am_id, period, revenue_target, revenue_actual, revenue_achievement_pct)
  SELECT g, '{p}', 500000000, 400000000 + g * 1000000, round((400000000 + g * 1000000) * 100.0 / 500000000, 2)
  FROM generate_series(1, {AMS}) g ON CONFLICT (am_id, period) DO NOTHING;
INSERT INTO campaign (campaign_code, name, campaign_type, start_date, end_date, created_by, updated_by) VALUES
  ('BENCH-{p}-MAJOR', 'Bench major campaign', 'major_campaign', '{p}-14', '{p}-15', 'bench', 'bench'),
  ('BENCH-{p}-MINI', 'Bench mini campaign', 'mini_campaign', '{p}-25', '{p}-25', 'bench', 'bench')
  ON CONFLICT (campaign_code) DO NOTHING;
INSERT INTO seller (id, seller_code, company_name, contract_type, country_code, status, onboarded_at, am_id, created_by, updated_by)
  SELECT g, 'SEL' || lpad(g::text, 6, '0'), 'Bench seller ' || g, 'B2C', 'VN', 'active',
    date '2024-01-01' + {d}::int, 1 + g % {AMS}, 'bench', 'bench'
  FROM generate_series({from}, {to}) g;
SELECT setval('seller_id_seq', (SELECT max(id) FROM seller));
INSERT INTO sos_order_operation_raw (seller_id, period, total_orders, orders_within_30min, orders_late, avg_push_time_minutes)
  SELECT g, '{p}', t, t - l, l, {avg} / 10.0 FROM (
    SELECT g, t, {late} AS l FROM (SELECT g, 10 + {total} AS t FROM generate_series({from}, {to}) g) a) b;
INSERT INTO sos_ticket_sla_raw (seller_id, period, total_tickets, avg_response_time_hours, under_4h, h4_8h, h8_16h, over_16h)
  SELECT g, '{p}', a + b + c + d, NULL, a, b, c, d FROM (
    SELECT g, 1 + {t1} AS a, {t2} AS b, {t3} AS c, {t4} AS d FROM generate_series({from}, {to}) g) x;
INSERT INTO sos_payment_raw (seller_id, period, total_invoices, invoices_on_time, invoices_late_1_7, invoices_late_7_15,
    invoices_late_15_20, invoices_late_over_20, worst_days_late, total_outstanding_amount, currency)
  SELECT g, '{p}', a + b + c + d + e, a, b, c, d, e, 12, 15000000, 'VND' FROM (
    SELECT g, 1 + {p1} AS a, {p2} AS b, {p3} AS c, {p4} AS d, {p5} AS e FROM generate_series({from}, {to}) g) x;
INSERT INTO sos_inventory_health_raw (seller_id, period, snapshot_date, total_cbm, total_sku_qty, aging_over_90d_cbm,
    aging_over_90d_sku_qty, aging_over_180d_cbm, aging_over_180d_pct)
  SELECT g, '{p}', '{p}-28', cbm, qty, {a90} / 10.0, {a90q}, {a180} / 10.0, {pct} / 100.0 FROM (
    SELECT g, 10 + {cbm} AS cbm, 100 + {qty} AS qty FROM generate_series({from}, {to}) g) x;
INSERT INTO campaign_actual_result (seller_id, campaign_id, actual_order_volume)
  SELECT g, c.id, 100 + (abs(hashint8(g * 64 + 20 + c.id)::bigint) % 10000)
  FROM generate_series({from}, {to}) g CROSS JOIN campaign c WHERE c.campaign_code LIKE 'BENCH-{p}-%';
INSERT INTO seller_forecast_submission (seller_id, campaign_id, submission_version, is_first_submission, submitted_at,
    forecasted_order_volume)
  SELECT a.seller_id, a.campaign_id, 1, true,
    timestamptz '2026-01-10 10:00:00+00' + (abs(hashint8(a.seller_id * 64 + 30 + a.campaign_id)::bigint) % 20) * interval '1 day',
    a.actual_order_volume * (80 + abs(hashint8(a.seller_id * 64 + 40 + a.campaign_id)::bigint) % 40) / 100
  FROM campaign_actual_result a JOIN campaign c ON c.id = a.campaign_id
  WHERE c.campaign_code LIKE 'BENCH-{p}-%' AND a.seller_id BETWEEN {from} AND {to};
COMMIT;
",
        d = h(1, "780"),
        total = h(2, "2000"),
        avg = h(4, "600"),
        t1 = h(5, "40"),
        t2 = h(6, "10"),
        t3 = h(7, "5"),
        t4 = h(8, "3"),
        p1 = h(9, "20"),
        p2 = h(10, "5"),
        p3 = h(11, "3"),
        p4 = h(12, "2"),
        p5 = h(13, "2"),
        cbm = h(14, "500"),
        qty = h(15, "20000"),
        pct = h(19, "4000"),
    );
    sql
}

/// The table [`floor_sql`] takes the result JSON from when it writes the same bytes as SOS.
pub const STAGED_RESULTS: &str = "bench_staged_result";

/// SQL that copies the period's results (as JSON text) into [`STAGED_RESULTS`], untimed, so the
/// floor can write exactly the same result documents.
pub fn stage_results_sql() -> String {
    let p = CALC_PERIOD;
    format!(
        "DROP TABLE IF EXISTS {STAGED_RESULTS};
CREATE TABLE {STAGED_RESULTS} (seller_id bigint PRIMARY KEY, t text NOT NULL);
ALTER TABLE {STAGED_RESULTS} ALTER COLUMN t SET STORAGE EXTERNAL;
INSERT INTO {STAGED_RESULTS} SELECT seller_id, result::text FROM seller_score WHERE period = '{p}';
ANALYZE {STAGED_RESULTS};"
    )
}

/// The I/O floor of a monthly calculation as one SQL script: in one transaction, read every
/// input row of the period (the tables and rows the calculation loads) and write one result row
/// per seller into `seller_score`, replacing the period's rows as a calculation does. With
/// `same_bytes`, each row's `result` is the JSON document SOS wrote for that seller (staged
/// beforehand by [`stage_results_sql`]), stored as text as SOS stores it; without, a small
/// document of the inputs built in SQL. Compression is set as SOS's calculation sets it.
pub fn floor_sql(same_bytes: bool) -> String {
    let p = CALC_PERIOD;
    let (result, join) = if same_bytes {
        (
            "r.t".to_owned(),
            format!("JOIN {STAGED_RESULTS} r ON r.seller_id = s.id"),
        )
    } else {
        (
            "jsonb_build_object('seller', s.seller_code, 'onboarded_at', s.onboarded_at, 'orders', to_jsonb(o), \
             'tickets', to_jsonb(t), 'payments', to_jsonb(pay), 'inventory', to_jsonb(i), 'forecasts', fc.n, \
             'forecast_volume', fc.v, 'first_forecast', fc.first_at, 'actual_volume', ac.v)::text"
                .to_owned(),
            String::new(),
        )
    };
    format!(
        "BEGIN;
SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings
  WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals);
DELETE FROM surcharge_event WHERE period = '{p}';
DELETE FROM seller_score WHERE period = '{p}';
WITH camp AS (
  SELECT id FROM campaign WHERE is_active AND start_date BETWEEN date '{p}-01' AND (date '{p}-01' + interval '1 month - 1 day')::date
), fc AS (
  SELECT f.seller_id, count(*) AS n, sum(f.forecasted_order_volume) AS v, min(f.submitted_at) AS first_at
  FROM seller_forecast_submission f WHERE f.campaign_id IN (SELECT id FROM camp) GROUP BY f.seller_id
), ac AS (
  SELECT a.seller_id, sum(a.actual_order_volume) AS v
  FROM campaign_actual_result a WHERE a.campaign_id IN (SELECT id FROM camp) GROUP BY a.seller_id
)
INSERT INTO seller_score (seller_id, period, am_id, status, sos_score, tier, p_score, o_score, t_score, f_score, i_score,
  result, calculated_at)
SELECT s.id, '{p}', s.am_id, 'scored', 50, coalesce(prev.tier, 'Silver'),
  least(100, coalesce(ac.v, 0) * 100.0 / greatest(fc.v, 1)),
  o.orders_within_30min * 100.0 / greatest(o.total_orders, 1),
  t.under_4h * 100.0 / greatest(t.total_tickets, 1),
  pay.invoices_on_time * 100.0 / greatest(pay.total_invoices, 1),
  100 - least(100, i.aging_over_180d_pct),
  {result},
  now()
FROM seller s
LEFT JOIN sos_order_operation_raw o ON o.seller_id = s.id AND o.period = '{p}'
LEFT JOIN sos_ticket_sla_raw t ON t.seller_id = s.id AND t.period = '{p}'
LEFT JOIN sos_payment_raw pay ON pay.seller_id = s.id AND pay.period = '{p}'
LEFT JOIN sos_inventory_health_raw i ON i.seller_id = s.id AND i.period = '{p}'
LEFT JOIN seller_score prev ON prev.seller_id = s.id AND prev.period = to_char(date '{p}-01' - 1, 'YYYY-MM')
LEFT JOIN fc ON fc.seller_id = s.id
LEFT JOIN ac ON ac.seller_id = s.id
{join}
WHERE s.status = 'active';
COMMIT;
"
    )
}

/// The single-record upsert of `POST /api/sync/orders` as a pgbench script: the statement the
/// adapter runs (`upsert_orders` in `sos-adapters-pg/src/store/sync.rs`), with one-element
/// arrays, for a random seller among `sellers`.
pub fn pgbench_single_script(sellers: u32) -> String {
    format!(
        "\\set sid random(1, {sellers})
\\set total random(10, 2009)
\\set late random(0, 10)
\\set within :total - :late
\\set avg random(0, 599)
INSERT INTO sos_order_operation_raw (seller_id, period, total_orders, orders_within_30min, orders_late, avg_push_time_minutes) \
SELECT s, p, t, w, l, a FROM unnest(ARRAY[:sid::bigint], ARRAY['{INGEST_PERIOD}'::text], ARRAY[:total::bigint], \
ARRAY[:within::bigint], ARRAY[:late::bigint], ARRAY[(:avg::int / 10.0)::text]::numeric[]) \
AS u(s, p, t, w, l, a) ORDER BY s, p \
ON CONFLICT (seller_id, period) DO UPDATE SET total_orders = EXCLUDED.total_orders, \
orders_within_30min = EXCLUDED.orders_within_30min, orders_late = EXCLUDED.orders_late, \
avg_push_time_minutes = EXCLUDED.avg_push_time_minutes, updated_at = now();
"
    )
}

/// The batch upsert as a pgbench script: the adapter's statement with its six arrays bound as
/// parameters (`-D` variables), seller ids from variable `ids{set}`.
pub fn pgbench_batch_script(set: usize) -> String {
    format!(
        "INSERT INTO sos_order_operation_raw (seller_id, period, total_orders, orders_within_30min, orders_late, avg_push_time_minutes) \
SELECT s, p, t, w, l, a FROM unnest(:ids{set}::bigint[], :periods::text[], :totals::bigint[], :withins::bigint[], \
:lates::bigint[], :avgs::numeric[]) \
AS u(s, p, t, w, l, a) ORDER BY s, p \
ON CONFLICT (seller_id, period) DO UPDATE SET total_orders = EXCLUDED.total_orders, \
orders_within_30min = EXCLUDED.orders_within_30min, orders_late = EXCLUDED.orders_late, \
avg_push_time_minutes = EXCLUDED.avg_push_time_minutes, updated_at = now();
"
    )
}

/// Blocks one seller in `every` among the first `sellers` (as a sync of an invoice more than 30
/// days late would), with the state the stores write.
pub fn enforcement_seed_sql(sellers: u32, every: u32) -> String {
    format!(
        "INSERT INTO seller_enforcement (seller_id, blocked, hits, since, payment_period, manual_hold) \
SELECT id, true, '[{{\"rule_id\": null, \"reason\": \"An invoice is more than 30 days late\", \"payment_only\": true}}]', \
now(), '{CALC_PERIOD}', false FROM seller WHERE id <= {sellers} AND id % {every} = 0 \
ON CONFLICT (seller_id) DO NOTHING;"
    )
}

/// The two lookups of `GET /api/sellers/{code}/enforcement` as a pgbench script: the API key
/// by its prefix (`-D prefix=...`), then the seller's state by its code, as the adapter writes
/// them.
pub fn pgbench_enforcement_script(sellers: u32) -> String {
    format!(
        "\\set n random(1, {sellers})
SELECT id, name, prefix, key_hash, scopes, created_at, last_used_at, revoked_at FROM api_key WHERE prefix = :prefix LIMIT 1;
SELECT s.id, e.hits, e.since, e.payment_period, e.manual_hold FROM seller s LEFT JOIN seller_enforcement e ON e.seller_id = s.id \
WHERE s.seller_code = 'SEL' || lpad(:n::text, 6, '0') LIMIT 1;
"
    )
}
