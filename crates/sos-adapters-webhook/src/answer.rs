//! Reading an answer: `Retry-After`, the start of the body, error sentences.

use chrono::TimeDelta;
use std::error::Error;
use std::time::{Duration, SystemTime};

/// A `Retry-After` value as a wait from `now`: delta-seconds, or an HTTP date (a date in the
/// past is no wait). `None` when it is neither.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<TimeDelta> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits to be a number of seconds is still "a very long wait".
        let secs = value.parse::<i64>().unwrap_or(i64::MAX);
        return Some(TimeDelta::try_seconds(secs).unwrap_or(TimeDelta::MAX));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let wait = at.duration_since(now).unwrap_or(Duration::ZERO);
    Some(TimeDelta::from_std(wait).unwrap_or(TimeDelta::MAX))
}

/// The first `max` bytes of `bytes` as text, cut on a character boundary. Bytes that are not
/// UTF-8 become U+FFFD; the result never exceeds `max` bytes either way.
pub(crate) fn cut_body(bytes: &[u8], max: usize) -> String {
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// `d` in seconds as people write it: `15`, `0.5`.
pub(crate) fn seconds(d: Duration) -> String {
    format!("{}", d.as_secs_f64())
}

/// An error and its causes, `: `-separated, without repeats or hyper's "client error (...)"
/// wrapper, which only names the kind the next cause states.
pub(crate) fn chain(err: &(dyn Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        let wrapper = text.starts_with("client error (") && e.source().is_some();
        if !wrapper && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // 2015-10-21 07:28:00
        assert_eq!(parse_retry_after("120", now), Some(TimeDelta::seconds(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:30:00 GMT", now),
            Some(TimeDelta::seconds(120))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(TimeDelta::zero())
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(TimeDelta::MAX)
        );
    }

    #[test]
    fn bodies_are_cut_on_character_boundaries() {
        assert_eq!(cut_body(b"hello", 3), "hel");
        assert_eq!(cut_body("héllo".as_bytes(), 2), "h");
        assert_eq!(cut_body(&[b'a', 0xff, b'b'], 10), "a\u{fffd}b");
        assert!(cut_body(&[0xff; 10], 10).len() <= 10);
        assert_eq!(seconds(Duration::from_secs(15)), "15");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5");
    }
}
