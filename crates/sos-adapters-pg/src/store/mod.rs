//! [`PgStore`]: every port on PostgreSQL.

mod auth;
mod calc;
mod config;
mod master;
mod num;
mod prepared;
mod scores;
mod sync;

use diesel::{
    r2d2::{ConnectionManager, Pool, PooledConnection},
    result::{DatabaseErrorKind, Error as DieselError},
    PgConnection,
};
use sos_domain::SellerCode;
use sos_ports::{Clock, StoreError, SystemClock};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

pub(crate) type PgPool = Pool<ConnectionManager<PgConnection>>;
pub(crate) type PgConn = PooledConnection<ConnectionManager<PgConnection>>;

/// How long a request waits for a database connection before answering "unavailable".
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// Every port on one PostgreSQL database. Cloning shares the pool.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    clock: Arc<dyn Clock>,
    /// Seller ids by code. Codes never change and sellers are never deleted, so entries never
    /// go stale; this saves a lookup per sync request.
    seller_ids: Arc<Mutex<HashMap<SellerCode, i64>>>,
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
        let manager = ConnectionManager::<PgConnection>::new(database_url);
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
