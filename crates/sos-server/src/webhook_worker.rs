//! The webhook delivery workers: plain threads that lease due deliveries from the outbox in
//! the database and send them. A slow receiver holds one thread for at most its timeout; the
//! queue itself stays in the database, so memory never grows with it.

use sos_adapters_http::Ports;
use sos_app::Sos;
use sos_ports::WebhookGateway;
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread::JoinHandle,
    time::Duration,
};

/// Deliveries leased per round by one thread: one. A lease runs from the claim for one
/// send (the subscription's timeout plus a margin), and a thread sends what it leased one
/// after another, so a delivery leased behind others could wait past its lease; another
/// worker would then take it and both would send it at once.
const PER_ROUND: u32 = 1;

/// How long an idle thread waits before looking for due deliveries again.
const IDLE_POLL: Duration = Duration::from_millis(500);

/// How long a thread waits after a database error.
const ERROR_BACKOFF: Duration = Duration::from_secs(2);

/// Running delivery threads; [`DeliveryWorkers::stop`] ends them after their current send.
#[derive(Debug)]
pub struct DeliveryWorkers {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

/// Starts `count` delivery threads.
pub fn start(ports: Ports, gateway: Arc<dyn WebhookGateway>, count: usize) -> DeliveryWorkers {
    let stop = Arc::new(AtomicBool::new(false));
    let threads = (0..count)
        .map(|i| {
            let sos = Sos::new(ports.clone());
            let gateway = gateway.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name(format!("webhooks-{i}"))
                .spawn(move || run(&sos, gateway.as_ref(), &stop))
        })
        .filter_map(|spawned| match spawned {
            Ok(handle) => Some(handle),
            Err(e) => {
                tracing::error!(error = %e, "cannot start a webhook delivery thread");
                None
            }
        })
        .collect();
    DeliveryWorkers { stop, threads }
}

fn run(sos: &Sos<Ports>, gateway: &dyn WebhookGateway, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        match sos.deliver_due(gateway, PER_ROUND) {
            Ok(round) if round.attempted > 0 => {
                tracing::debug!(?round, "webhook deliveries attempted");
            }
            Ok(_) => std::thread::sleep(IDLE_POLL),
            Err(e) => {
                tracing::warn!(error = %e, "webhook delivery round failed; retrying");
                std::thread::sleep(ERROR_BACKOFF);
            }
        }
    }
}

impl DeliveryWorkers {
    /// Asks every thread to stop and waits for them (each finishes the send in hand).
    pub fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            if t.join().is_err() {
                tracing::error!("a webhook delivery thread panicked");
            }
        }
    }
}
