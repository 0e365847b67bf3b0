//! The `appeals` and `exceptions` commands, and the background expiry of late appeals.

use crate::cli::{AppealsCommand, ExceptionsCommand};
use sos_adapters_http::{
    dto::overrides::{AppealView, ExceptionView},
    Ports,
};
use sos_adapters_pg::PgStore;
use sos_app::{AppealError, Sos};
use sos_domain::{appeal::AppealStatus, Period, SellerCode};
use sos_ports::{AppealFilter, ExceptionFilter, PageRequest};
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread::JoinHandle,
    time::Duration,
};

/// Who expiries are recorded as.
const SYSTEM: &str = "system";

fn seller_and_period(
    seller: Option<&str>,
    period: Option<&str>,
) -> anyhow::Result<(Option<SellerCode>, Option<Period>)> {
    Ok((
        seller
            .map(SellerCode::parse)
            .transpose()
            .map_err(anyhow::Error::msg)?,
        period.map(Period::parse).transpose()?,
    ))
}

/// Runs an `appeals` command on `store`.
///
/// # Errors
/// Bad filters, unknown ids, storage errors.
pub fn appeals(store: &PgStore, cmd: &AppealsCommand) -> anyhow::Result<()> {
    let sos = Sos::new(store.clone());
    match cmd {
        AppealsCommand::List {
            status,
            seller,
            period,
        } => {
            let status = status
                .as_deref()
                .map(|s| {
                    serde_json::from_value::<AppealStatus>(serde_json::Value::String(s.into()))
                        .map_err(|_| anyhow::anyhow!("unknown status {s}"))
                })
                .transpose()?;
            let (seller_code, period) = seller_and_period(seller.as_deref(), period.as_deref())?;
            let filter = AppealFilter {
                status,
                seller_code,
                period,
                am_id: None,
            };
            let found = sos.list_appeals(
                &filter,
                PageRequest {
                    page: 1,
                    limit: 500,
                },
            )?;
            println!(
                "{:>6}  {:<12} {:<8} {:<9} {:<19} {:<20} deadline",
                "id", "seller", "period", "target", "status", "filed by"
            );
            for r in found.items {
                let deadline = sos_domain::appeal::deadline(&r.appeal, sos.appeal_rules())
                    .map_or("-".to_owned(), |d| d.to_rfc3339());
                let a = r.appeal;
                println!(
                    "{:>6}  {:<12} {:<8} {:<9} {:<19} {:<20} {deadline}",
                    a.id,
                    a.seller_code.as_str(),
                    a.period.to_string(),
                    serde_json::to_value(a.target)?.as_str().unwrap_or("?"),
                    a.status.as_str(),
                    a.filed_by,
                );
            }
            println!("{} appeal(s)", found.total);
        }
        AppealsCommand::Show { id } => {
            let found = sos.get_appeal(*id).map_err(|e| match e {
                AppealError::NotFound => anyhow::anyhow!("no appeal {id}"),
                other => other.into(),
            })?;
            let view = AppealView::new(found, sos.appeal_rules());
            println!("{}", serde_json::to_string_pretty(&view)?);
        }
        AppealsCommand::Expire => {
            let expired = sos.expire_appeals(SYSTEM)?;
            for r in &expired {
                println!(
                    "expired appeal {} ({} {})",
                    r.appeal.id, r.appeal.seller_code, r.appeal.period
                );
            }
            println!("{} appeal(s) expired", expired.len());
        }
    }
    Ok(())
}

/// Runs an `exceptions` command on `store`.
///
/// # Errors
/// Bad filters, storage errors.
pub fn exceptions(store: &PgStore, cmd: &ExceptionsCommand) -> anyhow::Result<()> {
    let sos = Sos::new(store.clone());
    let ExceptionsCommand::List {
        seller,
        period,
        active,
    } = cmd;
    let (seller_code, period) = seller_and_period(seller.as_deref(), period.as_deref())?;
    let found = sos.list_exceptions(&ExceptionFilter {
        seller_code,
        period,
        active_only: *active,
    })?;
    println!(
        "{:>6}  {:<12} {:<8} {:<8} {:<28} {:<20} {:<8} created by",
        "id", "seller", "period", "part", "reason", "effect", "state"
    );
    for r in found {
        let v = ExceptionView::from(r);
        let effect = match v.effect {
            sos_domain::exception::ExceptionEffect::SetScore { value } => format!("set {value}"),
            sos_domain::exception::ExceptionEffect::Exclude => "exclude".into(),
        };
        println!(
            "{:>6}  {:<12} {:<8} {:<8} {:<28} {:<20} {:<8} {}",
            v.id,
            v.seller_code,
            v.period,
            v.component.as_str(),
            serde_json::to_value(v.reason_type)?.as_str().unwrap_or("?"),
            effect,
            if v.is_active { "active" } else { "revoked" },
            v.created_by,
        );
    }
    Ok(())
}

/// The thread that expires late appeals every minute while the server runs.
#[derive(Debug)]
pub struct AppealExpiry {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// How often late appeals are looked for.
const EXPIRY_EVERY: Duration = Duration::from_secs(60);

/// Starts the expiry thread.
pub fn start_expiry(ports: Ports) -> AppealExpiry {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("appeal-expiry".into())
        .spawn(move || {
            let sos = Sos::new(ports);
            while !flag.load(Ordering::Relaxed) {
                match sos.expire_appeals(SYSTEM) {
                    Ok(expired) if !expired.is_empty() => {
                        tracing::info!(count = expired.len(), "appeals expired");
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "appeal expiry failed; retrying"),
                }
                // Sleep in short steps so a stop is seen quickly.
                let mut slept = Duration::ZERO;
                while slept < EXPIRY_EVERY && !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    slept += Duration::from_millis(200);
                }
            }
        })
        .map_err(|e| tracing::error!(error = %e, "cannot start the appeal expiry thread"))
        .ok();
    AppealExpiry { stop, thread }
}

impl AppealExpiry {
    /// Stops the thread and waits for it.
    pub fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread {
            if t.join().is_err() {
                tracing::error!("the appeal expiry thread panicked");
            }
        }
    }
}
