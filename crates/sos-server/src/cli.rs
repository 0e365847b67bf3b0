//! Command-line interface.

use chrono::{DateTime, Utc};
use clap::{ArgGroup, Args, Parser, Subcommand};
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
    /// Inspect webhook subscriptions and deliveries, and replay deliveries.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// List and show appeals, and expire the late ones.
    #[command(subcommand)]
    Appeals(AppealsCommand),
    /// List score exceptions.
    #[command(subcommand)]
    Exceptions(ExceptionsCommand),
}

/// `appeals` subcommands.
#[derive(Debug, Subcommand)]
pub enum AppealsCommand {
    /// List appeals, newest first.
    List {
        /// Only this status: pending, under_review, approved, partially_approved, rejected,
        /// expired.
        #[arg(long)]
        status: Option<String>,
        /// Only this seller's.
        #[arg(long)]
        seller: Option<String>,
        /// Only this period's, `YYYY-MM`.
        #[arg(long)]
        period: Option<String>,
    },
    /// Show one appeal with its history, as the API's JSON.
    Show {
        /// The appeal's id.
        id: i64,
    },
    /// Move every appeal past its review deadline to `expired` (the server does this every
    /// minute by itself).
    Expire,
}

/// `exceptions` subcommands.
#[derive(Debug, Subcommand)]
pub enum ExceptionsCommand {
    /// List exceptions, newest first.
    List {
        /// Only this seller's.
        #[arg(long)]
        seller: Option<String>,
        /// Only this period's, `YYYY-MM`.
        #[arg(long)]
        period: Option<String>,
        /// Only active ones.
        #[arg(long)]
        active: bool,
    },
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
        /// master:write, scores:read, scores:calculate, scores:finalize, scores:override,
        /// appeals:file, appeals:review_ops, appeals:review_am, webhooks:manage,
        /// enforcement:read, enforcement:write, admin.
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

/// `webhooks` subcommands.
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// List subscriptions (never their secrets).
    List {
        /// Print the API's JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// List a subscription's deliveries, newest event first, with their last attempt.
    Deliveries {
        /// The subscription's id.
        subscription: i64,
        /// Most deliveries shown, 1-500.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=500))]
        limit: u32,
        /// Print the API's JSON, every attempt included, instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Send deliveries again, with their event ids: one delivery (`--delivery ID`), or every
    /// event of a subscription since an instant (`SUBSCRIPTION --since RFC3339`).
    Replay(ReplayArgs),
}

/// `webhooks replay` options: one delivery, or a subscription since an instant.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("target").required(true).args(["delivery", "subscription"])))]
pub struct ReplayArgs {
    /// Replay this delivery from its first attempt.
    #[arg(long, conflicts_with_all = ["subscription", "since"])]
    pub delivery: Option<i64>,
    /// Replay every event of this subscription since `--since` that its filter matches.
    #[arg(requires = "since")]
    pub subscription: Option<i64>,
    /// The instant, RFC 3339 (`2026-03-01T00:00:00Z`).
    #[arg(long, requires = "subscription", value_parser = rfc3339)]
    pub since: Option<DateTime<Utc>>,
}

fn rfc3339(raw: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 instant such as 2026-03-01T00:00:00Z ({e})"))
}
