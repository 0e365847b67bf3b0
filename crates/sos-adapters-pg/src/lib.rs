#![doc = include_str!("../README.md")]

mod schema;
pub mod secrets;

use diesel::PgConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// The SQL migrations in `/migrations`, compiled into the binary so a fresh database is set up
/// with no files on disk.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Applies every pending migration.
///
/// # Errors
/// When a migration fails; it runs in a transaction and leaves nothing half-applied.
pub fn run_migrations(conn: &mut PgConnection) -> Result<(), anyhow::Error> {
    conn.run_pending_migrations(MIGRATIONS)
        .map(|_| ())
        .map_err(|e| anyhow::anyhow!("could not apply database migrations: {e}"))
}
mod store;

pub use store::{PgStore, CONNECTION_TIMEOUT};
