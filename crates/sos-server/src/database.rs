//! Opening the database: the given `DATABASE_URL`, or a private cluster under the data dir.

use sos_adapters_pg::PgStore;
use sos_pg_local::cluster::LocalCluster;
use std::path::Path;

/// An open database and, when SOS started one, the private cluster behind it.
pub struct Database {
    /// The store.
    pub store: PgStore,
    /// The private cluster, if one is used.
    pub cluster: Option<LocalCluster>,
    /// Where the data is, for the startup line (no password).
    pub description: String,
}

/// Hides the password of a connection URL.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Opens the database, migrates it and seeds the default configuration.
///
/// # Errors
/// When no database can be reached or started, or migrations fail.
pub fn open(
    database_url: Option<&str>,
    data_dir: &Path,
    pool_size: u32,
) -> anyhow::Result<Database> {
    let (url, cluster, description) = match database_url {
        Some(url) => (
            url.to_owned(),
            None,
            format!("PostgreSQL at {}", redact(url)),
        ),
        None => {
            std::fs::create_dir_all(data_dir)?;
            let cluster = LocalCluster::start(data_dir)?;
            let description = format!(
                "private PostgreSQL in {} on 127.0.0.1:{}{}",
                cluster.pgdata().display(),
                cluster.port(),
                if cluster.started_here() {
                    ""
                } else {
                    " (already running)"
                }
            );
            (cluster.database_url(), Some(cluster), description)
        }
    };
    let store =
        PgStore::connect(&url, pool_size)?.with_secrets(crate::bootstrap::secret_box(data_dir)?);
    store
        .migrate()
        .map_err(|e| anyhow::anyhow!("the database at {} is not usable: {e}", redact(&url)))?;
    let seeded = sos_app::Sos::new(store.clone()).seed_default_config()?;
    if seeded > 0 {
        tracing::info!(rows = seeded, "seeded the default configuration");
    }
    Ok(Database {
        store,
        cluster,
        description,
    })
}

impl Database {
    /// Stops the private cluster if this process started it (also done on drop, so an error
    /// path never leaves PostgreSQL running).
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some(cluster) = self.cluster.take() {
            if cluster.started_here() {
                match cluster.stop() {
                    Ok(()) => tracing::info!("stopped the private PostgreSQL"),
                    Err(e) => tracing::warn!(error = %e, "could not stop the private PostgreSQL"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(
            redact("postgres://sos:secret@db:5432/sos"),
            "postgres://sos:***@db:5432/sos"
        );
        assert_eq!(
            redact("postgres://sos@127.0.0.1:5432/sos"),
            "postgres://sos@127.0.0.1:5432/sos"
        );
    }
}
