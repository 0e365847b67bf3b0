//! A small blocking HTTP/1.1 load generator: one std thread per keep-alive connection.

use anyhow::{anyhow, bail, Context, Result};
use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{SocketAddr, TcpStream},
    sync::{
        atomic::{AtomicBool, Ordering},
        Barrier, Mutex,
    },
    time::{Duration, Instant},
};

/// One keep-alive connection.
#[derive(Debug)]
pub struct Client {
    addr: SocketAddr,
    key: String,
    conn: Option<BufReader<TcpStream>>,
    request: Vec<u8>,
}

/// A response: status and body.
#[derive(Debug)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// The body.
    pub body: Vec<u8>,
}

impl Client {
    /// A client for `addr` sending `Authorization: Bearer <key>`.
    pub fn new(addr: SocketAddr, key: &str) -> Self {
        Self {
            addr,
            key: key.to_owned(),
            conn: None,
            request: Vec::with_capacity(4096),
        }
    }

    fn connection(&mut self) -> Result<&mut BufReader<TcpStream>> {
        if self.conn.is_none() {
            let stream =
                TcpStream::connect(self.addr).with_context(|| format!("connect {}", self.addr))?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(Duration::from_secs(60)))?;
            self.conn = Some(BufReader::with_capacity(16 * 1024, stream));
        }
        self.conn.as_mut().ok_or_else(|| anyhow!("no connection"))
    }

    /// Sends one request, reconnecting once if the server closed the idle connection.
    ///
    /// # Errors
    /// Network errors and malformed answers.
    pub fn send(&mut self, method: &str, path: &str, body: Option<&[u8]>) -> Result<Response> {
        self.request.clear();
        write!(
            self.request,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n",
            self.addr, self.key
        )?;
        if let Some(body) = body {
            write!(
                self.request,
                "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )?;
            self.request.extend_from_slice(body);
        } else {
            self.request.extend_from_slice(b"\r\n");
        }
        match self.exchange() {
            Ok(r) => Ok(r),
            Err(_) => {
                self.conn = None;
                self.exchange()
            }
        }
    }

    fn exchange(&mut self) -> Result<Response> {
        let request = std::mem::take(&mut self.request);
        let outcome = (|| {
            let conn = self.connection()?;
            conn.get_mut().write_all(&request)?;
            read_response(conn)
        })();
        self.request = request;
        if outcome.is_err() {
            self.conn = None;
        }
        outcome
    }
}

fn read_response(conn: &mut BufReader<TcpStream>) -> Result<Response> {
    let mut line = String::new();
    if conn.read_line(&mut line)? == 0 {
        bail!("connection closed");
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("bad status line {line:?}"))?;
    let mut length: Option<usize> = None;
    let mut chunked = false;
    let mut close = false;
    loop {
        line.clear();
        if conn.read_line(&mut line)? == 0 {
            bail!("connection closed in headers");
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse()?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.eq_ignore_ascii_case("close");
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            conn.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16)?;
            let start = body.len();
            body.resize(start + size, 0);
            conn.read_exact(&mut body[start..])?;
            line.clear();
            conn.read_line(&mut line)?;
            if size == 0 {
                break;
            }
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        conn.read_exact(&mut body)?;
    } else if close {
        conn.read_to_end(&mut body)?;
    }
    Ok(Response { status, body })
}

/// What one load run measured.
#[derive(Debug, Clone)]
pub struct LoadResult {
    /// Successful requests in the measured window.
    pub ok: u64,
    /// Failed requests (non-2xx or network errors) in the measured window.
    pub errors: u64,
    /// The measured window, seconds.
    pub seconds: f64,
    /// Latencies of the successful requests, microseconds, sorted.
    pub latencies_us: Vec<u32>,
    /// The first error seen, if any.
    pub first_error: Option<String>,
}

impl LoadResult {
    /// Successful requests per second.
    pub fn per_sec(&self) -> f64 {
        self.ok as f64 / self.seconds
    }

    /// The latency at quantile `q` (0-1), milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        quantile_ms(&self.latencies_us, q)
    }
}

/// The value at quantile `q` of sorted microsecond latencies, in milliseconds.
pub fn quantile_ms(sorted_us: &[u32], q: f64) -> f64 {
    if sorted_us.is_empty() {
        return f64::NAN;
    }
    let last = sorted_us.len() - 1;
    let i = ((last as f64) * q).round() as usize;
    f64::from(sorted_us[i.min(last)]) / 1000.0
}

/// Runs `connections` threads, each sending POST `path` with bodies from `body` (given the
/// thread's random generator) back to back: `warmup` unmeasured, then `measure`.
///
/// # Errors
/// When no connection can be made at all.
pub fn run_load<F>(
    addr: SocketAddr,
    key: &str,
    path: &str,
    connections: usize,
    warmup: Duration,
    measure: Duration,
    body: F,
) -> Result<LoadResult>
where
    F: Fn(&mut crate::domain::Lcg, &mut Vec<u8>) + Sync,
{
    run_requests(
        addr,
        key,
        connections,
        warmup,
        measure,
        |rng, target, buf| {
            target.push_str(path);
            body(rng, buf);
            "POST"
        },
    )
}

/// Runs `connections` threads, each sending GET to the paths `path` writes (given the thread's
/// random generator): back to back when `rate` is `None`, else paced so that all of them
/// together offer `rate` requests per second, each latency counted from the instant its request
/// was due (so a slow answer that delays the next request counts against that one too).
/// `warmup` unmeasured, then `measure`.
///
/// # Errors
/// When no connection can be made at all.
pub fn run_get_load<F>(
    addr: SocketAddr,
    key: &str,
    connections: usize,
    rate: Option<f64>,
    warmup: Duration,
    measure: Duration,
    path: F,
) -> Result<LoadResult>
where
    F: Fn(&mut crate::domain::Lcg, &mut String) + Sync,
{
    run_paced(
        addr,
        key,
        connections,
        rate,
        warmup,
        measure,
        |rng, target, _| {
            path(rng, target);
            "GET"
        },
    )
}

fn run_requests<F>(
    addr: SocketAddr,
    key: &str,
    connections: usize,
    warmup: Duration,
    measure: Duration,
    request: F,
) -> Result<LoadResult>
where
    F: Fn(&mut crate::domain::Lcg, &mut String, &mut Vec<u8>) -> &'static str + Sync,
{
    run_paced(addr, key, connections, None, warmup, measure, request)
}

/// The load loop: each request's method comes back from `request`, which writes its path and
/// its body (none when it writes no byte). With a `rate`, requests are sent when due (see
/// [`run_get_load`]).
fn run_paced<F>(
    addr: SocketAddr,
    key: &str,
    connections: usize,
    rate: Option<f64>,
    warmup: Duration,
    measure: Duration,
    request: F,
) -> Result<LoadResult>
where
    F: Fn(&mut crate::domain::Lcg, &mut String, &mut Vec<u8>) -> &'static str + Sync,
{
    let barrier = Barrier::new(connections + 1);
    let start_at: Mutex<Option<Instant>> = Mutex::new(None);
    let first_error: Mutex<Option<String>> = Mutex::new(None);
    let failed = AtomicBool::new(false);
    let results = std::thread::scope(|scope| -> Result<Vec<(u64, u64, Vec<u32>)>> {
        let mut handles = Vec::with_capacity(connections);
        for t in 0..connections {
            let (barrier, start_at, first_error, failed, request) =
                (&barrier, &start_at, &first_error, &failed, &request);
            handles.push(scope.spawn(move || {
                let mut client = Client::new(addr, key);
                let mut rng = crate::domain::Lcg(0x5eed_0000 + t as u64 * 7919);
                let mut buf = Vec::with_capacity(1024);
                let mut target = String::with_capacity(128);
                // Connect before the clock starts.
                if let Err(e) = client.send("GET", "/healthz", None) {
                    failed.store(true, Ordering::Relaxed);
                    record(first_error, format!("connect: {e:#}"));
                }
                barrier.wait();
                let t0 = start_at
                    .lock()
                    .map(|g| g.unwrap_or_else(Instant::now))
                    .unwrap_or_else(|_| Instant::now());
                let (measure_from, until) = (t0 + warmup, t0 + warmup + measure);
                let (mut ok, mut errors) = (0u64, 0u64);
                let mut latencies = Vec::with_capacity(64 * 1024);
                // Each connection's share of the rate, its first request offset so that the
                // connections interleave.
                let interval = rate.map(|r| Duration::from_secs_f64(connections as f64 / r));
                let mut due = interval.map(|i| t0 + i.mul_f64(t as f64 / connections as f64));
                loop {
                    buf.clear();
                    target.clear();
                    let method = request(&mut rng, &mut target, &mut buf);
                    if let Some(at) = due {
                        let now = Instant::now();
                        if at > now {
                            std::thread::sleep(at - now);
                        }
                    }
                    let sent = due.unwrap_or_else(Instant::now);
                    if let (Some(at), Some(i)) = (due.as_mut(), interval) {
                        *at += i;
                    }
                    if sent >= until {
                        break;
                    }
                    let body = (!buf.is_empty()).then_some(buf.as_slice());
                    let outcome = client.send(method, &target, body);
                    let done = Instant::now();
                    let measured = sent >= measure_from;
                    match outcome {
                        Ok(r) if (200..300).contains(&r.status) => {
                            if measured {
                                ok += 1;
                                let us = done.duration_since(sent).as_micros();
                                latencies.push(u32::try_from(us).unwrap_or(u32::MAX));
                            }
                        }
                        Ok(r) => {
                            if measured {
                                errors += 1;
                            }
                            record(
                                first_error,
                                format!("HTTP {}: {}", r.status, String::from_utf8_lossy(&r.body)),
                            );
                        }
                        Err(e) => {
                            if measured {
                                errors += 1;
                            }
                            record(first_error, format!("{e:#}"));
                            std::thread::sleep(Duration::from_millis(10));
                        }
                    }
                }
                (ok, errors, latencies)
            }));
        }
        if let Ok(mut g) = start_at.lock() {
            *g = Some(Instant::now());
        }
        barrier.wait();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| anyhow!("a load thread panicked")))
            .collect()
    })?;
    let mut out = LoadResult {
        ok: 0,
        errors: 0,
        seconds: measure.as_secs_f64(),
        latencies_us: Vec::new(),
        first_error: first_error.into_inner().unwrap_or(None),
    };
    for (ok, errors, lat) in results {
        out.ok += ok;
        out.errors += errors;
        out.latencies_us.extend(lat);
    }
    out.latencies_us.sort_unstable();
    if failed.load(Ordering::Relaxed) && out.ok == 0 {
        bail!(
            "no request succeeded: {}",
            out.first_error.as_deref().unwrap_or("unknown error")
        );
    }
    Ok(out)
}

fn record(slot: &Mutex<Option<String>>, message: String) {
    if let Ok(mut g) = slot.lock() {
        if g.is_none() {
            *g = Some(message);
        }
    }
}

/// Waits until GET `path` answers 200, for up to `timeout`.
///
/// # Errors
/// When it never does.
pub fn wait_ready(addr: SocketAddr, path: &str, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    let mut client = Client::new(addr, "-");
    loop {
        match client.send("GET", path, None) {
            Ok(r) if r.status == 200 => return Ok(()),
            _ if Instant::now() > deadline => {
                bail!("the server did not answer {path} within {timeout:?}")
            }
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}
