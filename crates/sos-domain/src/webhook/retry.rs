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
/// `now`. `jitter` (any `u16`, from a random source) spreads retries over ±10% of the wait, so
/// receivers coming back from an outage are not hit by every sender at once: 0 waits 90%,
/// 32768 the scheduled wait, `u16::MAX` 110%.
pub fn next_step(
    outcome: AttemptOutcome,
    attempts_made: u32,
    max_attempts: u32,
    now: DateTime<Utc>,
    jitter: u16,
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
    // -100 to +100 per mille, in whole milliseconds; 32768 is exactly the scheduled wait.
    let per_mille = 1_000 + i128::from(jitter) * 201 / 65_536 - 100;
    let jittered_ms = i128::from(scheduled.num_milliseconds()) * per_mille / 1_000;
    let mut wait = TimeDelta::milliseconds(i64::try_from(jittered_ms).unwrap_or(i64::MAX));
    if let Some(asked) = outcome.retry_after {
        wait = wait.max(asked.min(MAX_RETRY_AFTER));
    }
    NextStep::RetryAt(now + wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// Exactly the scheduled wait.
    const MID: u16 = 32_768;

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
        assert_eq!(next_step(status(204), 1, 8, at(), MID), NextStep::Delivered);
        assert_eq!(next_step(status(410), 1, 8, at(), MID), NextStep::Disable);
        for code in [400, 404, 429, 500, 503, 301] {
            assert_eq!(
                next_step(status(code), 1, 8, at(), MID),
                NextStep::RetryAt(at() + TimeDelta::seconds(5)),
                "{code}"
            );
        }
        let timeout = AttemptOutcome {
            status: None,
            retry_after: None,
        };
        assert_eq!(next_step(timeout, 8, 8, at(), MID), NextStep::Failed);
    }

    #[test]
    fn follows_the_schedule_with_ten_percent_jitter() {
        let expected = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000, 36_000];
        for (i, secs) in expected.into_iter().enumerate() {
            let attempt = u32::try_from(i + 1).unwrap_or(0);
            let mid = next_step(status(500), attempt, 20, at(), MID);
            assert_eq!(mid, NextStep::RetryAt(at() + TimeDelta::seconds(secs)));
            let low = next_step(status(500), attempt, 20, at(), 0);
            assert_eq!(
                low,
                NextStep::RetryAt(at() + TimeDelta::milliseconds(secs * 900))
            );
            let high = next_step(status(500), attempt, 20, at(), u16::MAX);
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
            next_step(asked(120), 1, 8, at(), MID),
            NextStep::RetryAt(at() + TimeDelta::seconds(120))
        );
        // A shorter Retry-After than the schedule does not hurry the retry.
        assert_eq!(
            next_step(asked(1), 2, 8, at(), MID),
            NextStep::RetryAt(at() + TimeDelta::seconds(300))
        );
        assert_eq!(
            next_step(asked(10_000_000), 1, 8, at(), MID),
            NextStep::RetryAt(at() + TimeDelta::hours(24))
        );
    }

    proptest::proptest! {
        #[test]
        fn a_retry_waits_within_ten_percent_of_the_schedule_and_never_less_than_asked(
            attempt in 1u32..20,
            jitter in proptest::num::u16::ANY,
            asked in proptest::option::of(0i64..200_000),
        ) {
            let outcome = AttemptOutcome {
                status: Some(503),
                retry_after: asked.map(TimeDelta::seconds),
            };
            let NextStep::RetryAt(when) = next_step(outcome, attempt, 20, at(), jitter) else {
                panic!("a 503 before the last attempt is retried");
            };
            let index = usize::try_from(attempt - 1).unwrap_or(0).min(RETRY_SCHEDULE.len() - 1);
            let scheduled = RETRY_SCHEDULE[index].num_milliseconds();
            let wait = (when - at()).num_milliseconds();
            proptest::prop_assert!(wait >= scheduled * 9 / 10);
            let honoured = asked.map_or(0, |secs| (secs * 1_000).min(MAX_RETRY_AFTER.num_milliseconds()));
            proptest::prop_assert!(wait >= honoured);
            proptest::prop_assert!(wait <= (scheduled * 11 / 10).max(honoured));
        }
    }
}
