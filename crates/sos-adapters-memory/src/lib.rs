#![doc = include_str!("../README.md")]

mod appeals;
mod auth;
mod config;
mod enforcement;
mod exceptions;
mod master;
mod scores;
mod state;
mod sync;
mod webhooks;

use sos_ports::{Clock, SystemClock};
use state::State;
use std::sync::{Arc, Mutex, MutexGuard};

/// Every port, in memory. Cloning shares the same data.
#[derive(Clone)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// An empty store on the system clock.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty store on `clock`, for tests that fix "now".
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            state: Arc::new(Mutex::new(State::default())),
            clock,
        }
    }

    /// The state. A poisoned lock (a panic while holding it) still yields the data: every
    /// write validates before it mutates, so the data is never half-changed.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Clock for MemoryStore {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
