//! The SOS server binary. See the crate README.

mod bootstrap;
mod cli;
mod database;
mod overrides;
mod webhook_worker;
mod webhooks;

use actix_web::{web, HttpServer};
use clap::Parser;
use cli::{CalculateArgs, Cli, Command, KeysCommand, ServeArgs};
use sos_adapters_http::{auth, AppState, Ports};
use sos_app::{CalculateRequest, Sos};
use sos_domain::{Period, SellerCode};
use sos_ports::{ApiKeyStore, CalculationScope, Scope};
use std::{io::IsTerminal, sync::Arc};

/// Database connections per server: enough for every HTTP worker's blocking calls plus a
/// calculation.
const POOL_SIZE: u32 = 32;

fn main() {
    let cli = Cli::parse();
    init_logging();
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,actix_server=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        None => serve(&cli, &ServeArgs::parse_default()),
        Some(Command::Serve(ref args)) => serve(&cli, args),
        Some(Command::Migrate) => {
            let db = database::open(cli.database_url.as_deref(), &cli.data_dir, 2)?;
            println!("Migrations applied ({})", db.description);
            db.shutdown();
            Ok(())
        }
        Some(Command::Openapi) => {
            println!("{}", sos_adapters_http::openapi::document_json());
            Ok(())
        }
        Some(Command::Calculate(ref args)) => calculate(&cli, args),
        Some(Command::Keys(ref cmd)) => keys(&cli, cmd),
        Some(Command::Appeals(ref cmd)) => {
            let db = database::open(cli.database_url.as_deref(), &cli.data_dir, 2)?;
            let outcome = overrides::appeals(&db.store, cmd);
            db.shutdown();
            outcome
        }
        Some(Command::Exceptions(ref cmd)) => {
            let db = database::open(cli.database_url.as_deref(), &cli.data_dir, 2)?;
            let outcome = overrides::exceptions(&db.store, cmd);
            db.shutdown();
            outcome
        }
        Some(Command::Webhooks(ref cmd)) => {
            let db = database::open(cli.database_url.as_deref(), &cli.data_dir, 2)?;
            let outcome = webhooks::run(&db.store, cmd);
            db.shutdown();
            outcome
        }
    }
}

impl ServeArgs {
    /// The defaults, honouring `SOS_BIND` and `SOS_WORKERS`.
    fn parse_default() -> Self {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            args: ServeArgs,
        }
        Only::parse_from(["sos-server"]).args
    }
}

fn serve(cli: &Cli, args: &ServeArgs) -> anyhow::Result<()> {
    let db = database::open(cli.database_url.as_deref(), &cli.data_dir, POOL_SIZE)?;
    let preset = std::env::var("SOS_ADMIN_KEY").ok();
    let key_line = bootstrap::ensure_admin_key(&db.store, &cli.data_dir, preset.as_deref())?;
    let store = db.store.clone();
    let ports: Ports = Arc::new(store.clone());
    // Built (and, being the last reference, dropped) on this thread, outside any async runtime,
    // as reqwest's blocking client requires.
    let gateway: Arc<dyn sos_ports::WebhookGateway> =
        Arc::new(sos_adapters_webhook::WebhookClient::from_env()?);
    let workers = webhook_worker::start(ports.clone(), gateway.clone(), webhook_threads());
    let expiry = overrides::start_expiry(ports.clone());
    let state = web::Data::new(AppState::new(
        ports,
        gateway.clone(),
        Arc::new(move || store.is_ready()),
    ));
    let mut server = HttpServer::new(move || sos_adapters_http::app(state.clone()))
        .shutdown_timeout(30)
        .bind(&args.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", args.bind))?;
    if let Some(workers) = args.workers {
        server = server.workers(workers);
    }
    let addrs: Vec<String> = server.addrs().iter().map(ToString::to_string).collect();
    println!(
        "SOS listening on http://{} (database: {})",
        addrs.join(", http://"),
        db.description
    );
    println!("{key_line}");
    let outcome =
        actix_web::rt::System::new().block_on(run_until_signal(server.disable_signals().run()));
    workers.stop();
    expiry.stop();
    drop(gateway);
    db.shutdown();
    outcome.map_err(Into::into)
}

/// Webhook delivery threads: `SOS_WEBHOOK_WORKERS`, 4 by default.
fn webhook_threads() -> usize {
    std::env::var("SOS_WEBHOOK_WORKERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4)
}

/// Runs the server until SIGINT or SIGTERM, then drains in-flight requests (graceful stop)
/// before returning. actix's own handling drains only on SIGTERM, so both are handled here.
async fn run_until_signal(server: actix_web::dev::Server) -> std::io::Result<()> {
    use actix_web::rt::signal;
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        let interrupt = Box::pin(signal::ctrl_c());
        match signal::unix::signal(signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                let terminated = Box::pin(async move { terminate.recv().await });
                futures_util::future::select(interrupt, terminated).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot watch SIGTERM; only SIGINT stops the server gracefully");
                let _ = interrupt.await;
            }
        }
        tracing::info!("stopping: draining in-flight requests");
        handle.stop(true).await;
    });
    server.await
}

fn calculate(cli: &Cli, args: &CalculateArgs) -> anyhow::Result<()> {
    let period = Period::parse(&args.period)?;
    let scope = if args.sellers.is_empty() {
        CalculationScope::All
    } else {
        CalculationScope::Sellers(
            args.sellers
                .iter()
                .map(|s| SellerCode::parse(s.as_str()).map_err(anyhow::Error::msg))
                .collect::<Result<_, _>>()?,
        )
    };
    let db = database::open(cli.database_url.as_deref(), &cli.data_dir, 4)?;
    let sos = Sos::new(db.store.clone());
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let request = CalculateRequest {
        period,
        scope,
        dry_run: args.dry_run,
        actor: "cli".to_owned(),
    };
    let outcome = sos.calculate(&request, &mut |done| {
        if let Some(bar) = &bar {
            bar.set_message(format!("{done} sellers scored"));
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let summary = outcome?;
    let run = &summary.run;
    let rows = [
        ("period", run.period.to_string()),
        (
            "mode",
            if summary.dry_run {
                "dry run (nothing written)".into()
            } else {
                format!("written, run #{}", run.id)
            },
        ),
        ("sellers scored", run.sellers_scored.to_string()),
        ("insufficient data", run.sellers_insufficient.to_string()),
        ("AM portfolios", run.am_scored.to_string()),
        ("surcharges triggered", run.surcharges_triggered.to_string()),
        ("duration", format!("{} ms", run.duration_ms)),
    ];
    println!();
    for (label, value) in rows {
        println!("{label:<22} {value}");
    }
    if !summary.tiers.is_empty() {
        println!("\n{:<22} {:>8}", "tier", "sellers");
        for (tier, n) in &summary.tiers {
            println!("{tier:<22} {n:>8}");
        }
    }
    db.shutdown();
    Ok(())
}

fn keys(cli: &Cli, cmd: &KeysCommand) -> anyhow::Result<()> {
    let db = database::open(cli.database_url.as_deref(), &cli.data_dir, 2)?;
    match cmd {
        KeysCommand::Create { name, scopes } => {
            let scopes: Vec<Scope> = scopes
                .iter()
                .map(|s| s.parse::<Scope>().map_err(anyhow::Error::msg))
                .collect::<Result<_, _>>()?;
            let key = auth::generate_key()?;
            auth::store_key(&db.store, name, &key, &scopes)?;
            println!("Created API key {name} (shown once): {key}");
        }
        KeysCommand::List => {
            println!(
                "{:<24} {:<10} {:<40} {:<26} revoked",
                "name", "prefix", "scopes", "last used"
            );
            for k in db.store.list_keys()? {
                let scopes: Vec<&str> = k.scopes.iter().map(|s| s.as_str()).collect();
                println!(
                    "{:<24} {:<10} {:<40} {:<26} {}",
                    k.name,
                    k.prefix,
                    scopes.join(","),
                    k.last_used_at
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| "-".into()),
                    k.revoked_at
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| "-".into())
                );
            }
        }
        KeysCommand::Revoke { name } => {
            db.store.revoke_key(name)?;
            println!("Revoked API key {name}");
        }
    }
    db.shutdown();
    Ok(())
}
