//! The first admin key.

use sos_adapters_http::auth::{generate_key, store_key};
use sos_ports::{ApiKeyStore, Scope};
use std::{io::Write, path::Path};

/// Name of the bootstrap key.
pub const ADMIN_KEY_NAME: &str = "admin";

/// Where the generated admin key is written.
pub fn admin_key_file(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("admin-key")
}

/// With an empty key table, creates the admin key: `SOS_ADMIN_KEY` if set, else a generated
/// key written to `<data dir>/admin-key` (mode 0600). Returns a line telling the operator where
/// the key is.
///
/// # Errors
/// Storage or file errors.
pub fn ensure_admin_key<S: ApiKeyStore + ?Sized>(
    store: &S,
    data_dir: &Path,
    preset: Option<&str>,
) -> anyhow::Result<String> {
    let file = admin_key_file(data_dir);
    if store.count_keys()? > 0 {
        return Ok(if file.exists() {
            format!("Admin API key: {}", file.display())
        } else {
            "Admin API key: created earlier (SOS_ADMIN_KEY or the CLI)".to_owned()
        });
    }
    match preset {
        Some(key) if !key.trim().is_empty() => {
            store_key(store, ADMIN_KEY_NAME, key.trim(), &[Scope::Admin])?;
            Ok("Admin API key: the value of SOS_ADMIN_KEY".to_owned())
        }
        _ => {
            let key = generate_key()?;
            std::fs::create_dir_all(data_dir)?;
            write_private(&file, &key)?;
            store_key(store, ADMIN_KEY_NAME, &key, &[Scope::Admin])?;
            Ok(format!(
                "Created the admin API key (shown once; also saved to {}): {key}",
                file.display()
            ))
        }
    }
}

/// Writes `content` to a new file only its owner can read.
pub(crate) fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(content.as_bytes())?;
    file.write_all(b"\n")?;
    Ok(())
}

/// The server key that encrypts config secrets at rest: `SOS_SECRET_KEY`, else
/// `<data dir>/secret-key`, generated (mode 0600) on first use.
///
/// # Errors
/// A malformed key, or file errors.
pub fn secret_box(data_dir: &Path) -> anyhow::Result<sos_adapters_pg::secrets::SecretBox> {
    use sos_adapters_pg::secrets::SecretBox;
    if let Ok(hex) = std::env::var("SOS_SECRET_KEY") {
        return SecretBox::from_hex(&hex).map_err(|e| anyhow::anyhow!("SOS_SECRET_KEY: {e}"));
    }
    let file = data_dir.join("secret-key");
    if file.exists() {
        let hex = std::fs::read_to_string(&file)?;
        return SecretBox::from_hex(&hex).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()));
    }
    std::fs::create_dir_all(data_dir)?;
    let hex = SecretBox::generate_hex()?;
    write_private(&file, &hex)?;
    tracing::info!(file = %file.display(), "generated the secret key that encrypts config secrets");
    SecretBox::from_hex(&hex)
}
