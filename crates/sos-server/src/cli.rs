//! Command-line interface.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// SOS: the Seller Operations Score service.
#[derive(Debug, Parser)]
#[command(name = "sos-server", version, about)]
pub struct Cli {
    /// Where the server state lives: the private PostgreSQL cluster, the admin key.
    #[arg(long, env = "SOS_DATA_DIR", default_value = ".sos", global = true)]
    pub data_dir: PathBuf,

    /// PostgreSQL to use; without it a private cluster runs under the data dir.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the HTTP API (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Calculate a period's scores from the command line.
    Calculate(CalculateArgs),
    /// Print the OpenAPI document.
    Openapi,
    /// Manage API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
}

/// `serve` options.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SOS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "SOS_WORKERS")]
    pub workers: Option<usize>,
}

/// `calculate` options.
#[derive(Debug, Args)]
pub struct CalculateArgs {
    /// The period, `YYYY-MM`.
    #[arg(long)]
    pub period: String,
    /// Compute and report without writing.
    #[arg(long)]
    pub dry_run: bool,
    /// Only these sellers (repeat the flag).
    #[arg(long = "seller")]
    pub sellers: Vec<String>,
}

/// `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it once.
    Create {
        /// Unique name, recorded as created_by/updated_by.
        #[arg(long)]
        name: String,
        /// Scopes (repeat the flag): sync:write, config:read, config:write, master:read,
        /// master:write, scores:read, scores:calculate, scores:finalize, webhooks:manage,
        /// admin.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
    },
    /// List keys (never their secrets).
    List,
    /// Revoke a key by name; it stops working at once.
    Revoke {
        /// The key's name.
        name: String,
    },
}
