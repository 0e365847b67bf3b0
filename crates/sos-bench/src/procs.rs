//! Processes: memory from `/proc/<pid>/status`, timing a command while watching its peak RSS.

use anyhow::{bail, Context, Result};
use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

/// A `kB` figure of `/proc/<pid>/status` (`VmRSS`, `VmHWM`), in bytes.
pub fn status_bytes(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// What running a command measured.
#[derive(Debug, Clone)]
pub struct Timed {
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// The highest `VmHWM` seen while polling every few milliseconds.
    pub peak_rss: u64,
    /// Its standard output.
    pub stdout: String,
}

/// Runs `cmd` to completion, polling its peak resident set size.
///
/// # Errors
/// When it cannot start or exits unsuccessfully.
pub fn run_measured(mut cmd: Command) -> Result<Timed> {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("start {cmd:?}"))?;
    let pid = child.id();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out_reader = std::thread::spawn(move || read_all(stdout));
    let err_reader = std::thread::spawn(move || read_all(stderr));
    let mut peak = 0;
    let status = loop {
        if let Some(hwm) = status_bytes(pid, "VmHWM") {
            peak = peak.max(hwm);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(3));
    };
    let wall = started.elapsed();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    if !status.success() {
        bail!("{cmd:?} failed ({status}): {stderr}{stdout}");
    }
    Ok(Timed {
        wall,
        peak_rss: peak,
        stdout,
    })
}

fn read_all(stream: Option<impl std::io::Read>) -> String {
    let mut text = String::new();
    if let Some(mut s) = stream {
        let _ = s.read_to_string(&mut text);
    }
    text
}

/// A child process that is stopped (SIGTERM, then SIGKILL) when dropped.
#[derive(Debug)]
pub struct Guarded(pub Child);

impl Guarded {
    /// Asks it to stop and waits up to `grace` before killing it.
    pub fn stop(&mut self, grace: Duration) {
        if matches!(self.0.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if matches!(self.0.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Guarded {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(5));
    }
}
