//! [`PgStore`]: every port on PostgreSQL.

mod appeals;
mod auth;
mod calc;
mod config;
mod enforcement;
mod exceptions;
mod master;
mod num;
mod prepared;
#[cfg(test)]
mod schema_check;
mod scores;
mod sync;
mod webhooks;

use diesel::{
    connection::{Instrumentation, InstrumentationEvent},
    r2d2::{ConnectionManager, ManageConnection, Pool, PooledConnection},
    result::{DatabaseErrorKind, Error as DieselError},
    Connection as _, PgConnection, RunQueryDsl,
};
use sos_domain::SellerCode;
use sos_ports::{Clock, StoreError, SystemClock};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

pub(crate) type PgPool = Pool<Manager>;
pub(crate) type PgConn = PooledConnection<Manager>;

/// How long a request waits for a database connection before answering "unavailable".
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// How long after a statement succeeded a connection is handed out without a `SELECT 1` first.
/// Under load every checkout would otherwise cost a round trip (two per sync request, with the
/// API-key lookup); a connection idle for longer is still checked, and one that saw any error
/// is checked on its next checkout, or dropped if the server went away.
const TRUSTED_FOR: Duration = Duration::from_millis(500);

/// What a connection's own statements tell about its health (diesel instrumentation).
#[derive(Debug, Default)]
struct Health {
    /// When the last statement succeeded; `None` after any error.
    last_ok: Option<std::time::Instant>,
    /// The server closed the connection or could not be reached.
    lost: bool,
}

impl Instrumentation for Health {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery { error, .. } = event {
            match error {
                None => self.last_ok = Some(std::time::Instant::now()),
                Some(e) => {
                    self.last_ok = None;
                    if matches!(
                        e,
                        DieselError::DatabaseError(
                            DatabaseErrorKind::ClosedConnection
                                | DatabaseErrorKind::UnableToSendCommand,
                            _
                        )
                    ) {
                        self.lost = true;
                    }
                }
            }
        }
    }
}

/// diesel's connection manager, checking a connection on checkout only when it has not just
/// proved itself (see [`TRUSTED_FOR`]), and dropping one whose server went away.
#[derive(Debug)]
pub(crate) struct Manager(ConnectionManager<PgConnection>);

impl Manager {
    fn health(conn: &mut PgConnection) -> Option<&Health> {
        conn.instrumentation().downcast_ref::<Health>()
    }
}

impl ManageConnection for Manager {
    type Connection = PgConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<PgConnection, Self::Error> {
        let mut conn = self.0.connect()?;
        conn.set_instrumentation(Health::default());
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut PgConnection) -> Result<(), Self::Error> {
        let trusted = Self::health(conn)
            .is_some_and(|h| !h.lost && h.last_ok.is_some_and(|t| t.elapsed() < TRUSTED_FOR));
        if trusted {
            Ok(())
        } else {
            self.0.is_valid(conn)
        }
    }

    fn has_broken(&self, conn: &mut PgConnection) -> bool {
        self.0.has_broken(conn) || Self::health(conn).is_some_and(|h| h.lost)
    }
}

/// Seller ids by code, shared by the clones of a store.
pub(crate) type SellerIds = Arc<Mutex<HashMap<SellerCode, i64>>>;

/// The ids of `codes`: from `cache`, and one query for the codes it lacks, whose ids it then
/// keeps. A code the database does not know is absent from the answer.
pub(crate) fn lookup_seller_ids<'a>(
    cache: &SellerIds,
    conn: &mut PgConnection,
    codes: impl IntoIterator<Item = &'a SellerCode>,
) -> Result<HashMap<SellerCode, i64>, DieselError> {
    let mut found = HashMap::new();
    let mut missing: Vec<&str> = Vec::new();
    {
        let cache = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for code in codes {
            match cache.get(code) {
                Some(id) => {
                    found.insert(code.clone(), *id);
                }
                None => missing.push(code.as_str()),
            }
        }
    }
    if !missing.is_empty() {
        use crate::schema::seller;
        use diesel::{ExpressionMethods as _, QueryDsl as _};
        // `= ANY($1)` on PostgreSQL: one statement for any number of codes, prepared once.
        let rows: Vec<(String, i64)> = seller::table
            .filter(seller::seller_code.eq_any(&missing))
            .select((seller::seller_code, seller::id))
            .load(conn)?;
        let mut cache = cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (code, id) in rows {
            if let Ok(code) = SellerCode::parse(code) {
                cache.insert(code.clone(), id);
                found.insert(code, id);
            }
        }
    }
    Ok(found)
}

/// Every port on one PostgreSQL database. Cloning shares the pool.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    clock: Arc<dyn Clock>,
    /// Seller ids by code. Codes never change and sellers are never deleted, so entries never
    /// go stale; this saves a lookup per sync request.
    seller_ids: SellerIds,
    /// Seals config secrets at rest; without it they are stored as given (tests only).
    secrets: Option<crate::secrets::SecretBox>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("pool", &self.pool.state())
            .finish_non_exhaustive()
    }
}

impl PgStore {
    /// Connects a pool of up to `max_connections` to `database_url`. The pool fills lazily,
    /// so the store can be built while the database is still down.
    ///
    /// # Errors
    /// When the pool cannot be configured.
    pub fn connect(database_url: &str, max_connections: u32) -> Result<Self, anyhow::Error> {
        let manager = Manager(ConnectionManager::<PgConnection>::new(database_url));
        let pool = Pool::builder()
            .max_size(max_connections)
            .min_idle(Some(0))
            .connection_timeout(CONNECTION_TIMEOUT)
            .test_on_check_out(true)
            .build_unchecked(manager);
        Ok(Self {
            pool,
            clock: Arc::new(SystemClock),
            seller_ids: Arc::new(Mutex::new(HashMap::new())),
            secrets: None,
        })
    }

    /// Adds known seller ids to the cache (the calculation learns them while loading inputs).
    pub(crate) fn remember_seller_ids(&self, known: impl IntoIterator<Item = (SellerCode, i64)>) {
        self.seller_ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(known);
    }

    /// Encrypts config secrets (helpdesk `api_key`, `api_secret`) at rest with `secrets`.
    pub fn with_secrets(mut self, secrets: crate::secrets::SecretBox) -> Self {
        self.secrets = Some(secrets);
        self
    }

    /// Replaces the clock, for tests.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Applies pending migrations.
    ///
    /// # Errors
    /// When the database is unreachable or a migration fails.
    pub fn migrate(&self) -> Result<(), anyhow::Error> {
        let mut conn = self.pool.get()?;
        crate::run_migrations(&mut conn)
    }

    /// True when the database answers and every migration is applied.
    pub fn is_ready(&self) -> bool {
        use diesel_migrations::MigrationHarness;
        let Ok(mut conn) = self.pool.get_timeout(Duration::from_secs(2)) else {
            return false;
        };
        matches!(conn.has_pending_migration(crate::MIGRATIONS), Ok(false))
    }

    pub(crate) fn conn(&self) -> Result<PgConn, StoreError> {
        self.pool
            .get()
            .map_err(|e| StoreError::Unavailable(format!("no database connection: {e}")))
    }
}

impl Clock for PgStore {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

/// Maps a driver error: lost connections are "unavailable" (retry), unique and foreign-key
/// violations are conflicts naming the constraint, anything else is a fault.
pub(crate) fn db_err(e: DieselError) -> StoreError {
    match e {
        DieselError::NotFound => StoreError::NotFound,
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            info,
        ) => StoreError::Unavailable(info.message().to_owned()),
        // libpq reports a server that dies mid-statement as an unknown error: it is still a
        // lost database (503, retry), not a fault.
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
            if lost_connection(info.message()) =>
        {
            StoreError::Unavailable(info.message().to_owned())
        }
        DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation | DatabaseErrorKind::ForeignKeyViolation,
            info,
        ) => StoreError::Conflict(
            info.constraint_name()
                .unwrap_or("unique constraint")
                .to_owned(),
        ),
        other => StoreError::Unknown(anyhow::Error::new(other)),
    }
}

/// True for the messages of a connection the server dropped or shut down.
fn lost_connection(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "server closed the connection",
        "terminating connection",
        "connection to server",
        "could not receive data",
        "could not send data",
        "no connection to the server",
        "the database system is shutting down",
        "the database system is in recovery mode",
    ]
    .iter()
    .any(|p| m.contains(p))
}

/// A unit enum's wire name (`o_score`, `pending`), as text columns store it.
pub(crate) fn enum_text<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        other => Err(StoreError::Unknown(anyhow::anyhow!(
            "not a unit enum: {other:?}"
        ))),
    }
}

/// The unit enum a text column names.
pub(crate) fn enum_of<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|e| StoreError::Unknown(anyhow::anyhow!("stored data is invalid: {text:?}: {e}")))
}

/// Runs `f` in a transaction; `E` must absorb driver errors.
pub(crate) fn in_tx<T, E>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<DieselError>,
{
    use diesel::Connection;
    conn.transaction(f)
}

/// A store error raised inside a diesel transaction closure, which needs an error type that
/// absorbs driver errors.
pub(crate) struct TxFail(pub StoreError);

impl From<DieselError> for TxFail {
    fn from(e: DieselError) -> Self {
        TxFail(db_err(e))
    }
}

impl From<StoreError> for TxFail {
    fn from(e: StoreError) -> Self {
        TxFail(e)
    }
}

#[cfg(test)]
mod tests {
    use super::{lookup_seller_ids, PgStore};
    use diesel::{sql_types::BigInt, QueryableByName, RunQueryDsl};
    use sos_domain::SellerCode;
    use sos_pg_local::testing::TestDb;
    use sos_ports::ApiKeyStore;

    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    /// The hot lookups are DSL queries that diesel prepares once per connection and reuses.
    #[test]
    fn dsl_lookups_are_prepared_once_per_connection() {
        let db = TestDb::new();
        let store = PgStore::connect(db.url(), 1).unwrap();
        let codes: Vec<SellerCode> = ["SEL001", "SEL002"]
            .into_iter()
            .map(|c| SellerCode::parse(c).unwrap())
            .collect();
        for _ in 0..3 {
            assert!(store.find_key_by_prefix("sos_none").unwrap().is_none());
            let mut conn = store.conn().unwrap();
            let cache = Default::default();
            assert!(lookup_seller_ids(&cache, &mut conn, &codes)
                .unwrap()
                .is_empty());
        }
        let mut conn = store.conn().unwrap();
        let prepared = |pattern: &str, conn: &mut super::PgConn| {
            diesel::sql_query(
                "SELECT count(*) AS n FROM pg_prepared_statements WHERE statement LIKE $1",
            )
            .bind::<diesel::sql_types::Text, _>(pattern)
            .get_result::<N>(&mut **conn)
            .unwrap()
            .n
        };
        assert_eq!(prepared("%FROM \"api_key\" WHERE%", &mut conn), 1);
        assert_eq!(prepared("%FROM \"seller\" WHERE%= ANY(%", &mut conn), 1);
    }
}
