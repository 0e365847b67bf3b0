//! What happens after an attempt: delivered, retried later, given up, or the subscription
//! disabled.

use chrono::{DateTime, TimeDelta, Utc};

/// The waits before the 2nd, 3rd, ... 8th attempt. Later attempts (when `max_attempts` is
/// above 8) wait as long as the last.
pub const RETRY_SCHEDULE: [TimeDelta; 7] = [
    TimeDelta::seconds(5),
    TimeDelta::minutes(5),
    TimeDelta::minutes(30),
    TimeDelta::hours(2),
    TimeDelta::hours(5),
    TimeDelta::hours(10),
    TimeDelta::hours(10),
];

/// The longest `Retry-After` honoured; a receiver asking for more is retried after this.
pub const MAX_RETRY_AFTER: TimeDelta = TimeDelta::hours(24);

/// How one attempt ended, as the sender saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptOutcome {
    /// The answer's status; `None` for a timeout, a connection error or a refused address.
    pub status: Option<u16>,
    /// The answer's `Retry-After`, when it had one.
    pub retry_after: Option<TimeDelta>,
}

/// What the outbox does next with a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// A 2xx: done.
    Delivered,
    /// Try again at this instant.
    RetryAt(DateTime<Utc>),
    /// `max_attempts` reached: failed, replayable by hand.
    Failed,
    /// A 410 Gone: the receiver asked to stop; the subscription is disabled.
    Disable,
}

/// The step after attempt number `attempts_made` (1 for the first) ended with `outcome` at
/// `now`. `jitter` in `[0, 1]` spreads retries over ±10% of the wait, so receivers coming back
/// from an outage are not hit by every sender at once.
pub fn next_step(
    outcome: AttemptOutcome,
    attempts_made: u32,
    max_attempts: u32,
    now: DateTime<Utc>,
    jitter: f64,
) -> NextStep {
    match outcome.status {
        Some(200..=299) => return NextStep::Delivered,
        Some(410) => return NextStep::Disable,
        // Timeouts, connection errors, 3xx (redirects are not followed), 4xx, 429 and 5xx.
        _ => {}
    }
    if attempts_made >= max_attempts {
        return NextStep::Failed;
    }
    let index = usize::try_from(attempts_made.saturating_sub(1)).unwrap_or(usize::MAX);
    let scheduled = RETRY_SCHEDULE
        .get(index)
        .or(RETRY_SCHEDULE.last())
        .copied()
        .unwrap_or(TimeDelta::hours(10));
    let factor = 0.9 + 0.2 * jitter.clamp(0.0, 1.0);
    let jittered_ms = (scheduled.num_milliseconds() as f64 * factor).round() as i64;
    let mut wait = TimeDelta::milliseconds(jittered_ms);
    if let Some(asked) = outcome.retry_after {
        wait = wait.max(asked.min(MAX_RETRY_AFTER));
    }
    NextStep::RetryAt(now + wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn status(code: u16) -> AttemptOutcome {
        AttemptOutcome {
            status: Some(code),
            retry_after: None,
        }
    }

    #[test]
    fn success_gone_and_failures() {
        assert_eq!(next_step(status(204), 1, 8, at(), 0.5), NextStep::Delivered);
        assert_eq!(next_step(status(410), 1, 8, at(), 0.5), NextStep::Disable);
        for code in [400, 404, 429, 500, 503, 301] {
            assert_eq!(
                next_step(status(code), 1, 8, at(), 0.5),
                NextStep::RetryAt(at() + TimeDelta::seconds(5)),
                "{code}"
            );
        }
        let timeout = AttemptOutcome {
            status: None,
            retry_after: None,
        };
        assert_eq!(next_step(timeout, 8, 8, at(), 0.5), NextStep::Failed);
    }

    #[test]
    fn follows_the_schedule_with_ten_percent_jitter() {
        let expected = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000, 36_000];
        for (i, secs) in expected.into_iter().enumerate() {
            let attempt = u32::try_from(i + 1).unwrap_or(0);
            let mid = next_step(status(500), attempt, 20, at(), 0.5);
            assert_eq!(mid, NextStep::RetryAt(at() + TimeDelta::seconds(secs)));
            let low = next_step(status(500), attempt, 20, at(), 0.0);
            assert_eq!(
                low,
                NextStep::RetryAt(at() + TimeDelta::milliseconds(secs * 900))
            );
            let high = next_step(status(500), attempt, 20, at(), 1.0);
            assert_eq!(
                high,
                NextStep::RetryAt(at() + TimeDelta::milliseconds(secs * 1_100))
            );
        }
    }

    #[test]
    fn retry_after_is_honoured_up_to_a_day() {
        let asked = |secs| AttemptOutcome {
            status: Some(429),
            retry_after: Some(TimeDelta::seconds(secs)),
        };
        assert_eq!(
            next_step(asked(120), 1, 8, at(), 0.5),
            NextStep::RetryAt(at() + TimeDelta::seconds(120))
        );
        // A shorter Retry-After than the schedule does not hurry the retry.
        assert_eq!(
            next_step(asked(1), 2, 8, at(), 0.5),
            NextStep::RetryAt(at() + TimeDelta::seconds(300))
        );
        assert_eq!(
            next_step(asked(10_000_000), 1, 8, at(), 0.5),
            NextStep::RetryAt(at() + TimeDelta::hours(24))
        );
    }
}
