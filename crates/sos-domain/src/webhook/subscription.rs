//! A webhook subscription's rules: where to send, which events, how patiently.

use super::EventType;
use crate::ValidationErrors;
use std::net::IpAddr;

/// `timeout_seconds` when not given.
pub const DEFAULT_TIMEOUT_SECONDS: u32 = 15;
/// The longest `timeout_seconds` accepted.
pub const MAX_TIMEOUT_SECONDS: u32 = 30;
/// `max_attempts` when not given: the first attempt and the seven retries of the schedule.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;
/// The most attempts accepted.
pub const MAX_MAX_ATTEMPTS: u32 = 20;
/// The longest `subscriber` name accepted, in characters.
pub const MAX_SUBSCRIBER_LEN: usize = 100;
/// The longest `endpoint_url` accepted, in characters.
pub const MAX_URL_LEN: usize = 2_000;
/// The `event_types` entry that subscribes to every type, present and future.
pub const ALL_EVENTS: &str = "*";

/// True when `ip` is an address a webhook may be sent to: not loopback, private, link-local
/// (which holds the cloud metadata address 169.254.169.254), shared, unspecified, multicast or
/// reserved for documentation.
pub fn is_public_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_address(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// A validated endpoint: `https://` (or `http://` where allowed), a host, no credentials, no
/// fragment, and, when the host is a literal address, a public one (unless allowed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointUrl(String);

/// What an endpoint may be, as the operator configured it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndpointPolicy {
    /// `SOS_WEBHOOK_ALLOW_HTTP=1`: plain `http://` is accepted.
    pub allow_http: bool,
    /// `SOS_WEBHOOK_ALLOW_PRIVATE=1`: loopback and private addresses are accepted.
    pub allow_private: bool,
}

impl EndpointUrl {
    /// Checks `raw` under `policy`.
    ///
    /// # Errors
    /// A sentence naming the rule broken.
    pub fn parse(raw: &str, policy: EndpointPolicy) -> Result<Self, String> {
        if raw.chars().count() > MAX_URL_LEN {
            return Err(format!("must be at most {MAX_URL_LEN} characters"));
        }
        // The URL parser drops some control characters silently (at either end, tabs and
        // line breaks anywhere): refused instead, so what is stored is what was sent.
        if raw.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        let url = url::Url::parse(raw).map_err(|e| format!("is not a URL ({e})"))?;
        match url.scheme() {
            "https" => {}
            "http" if policy.allow_http => {}
            "http" => {
                return Err(
                    "must start with https:// (plain http is allowed only when the \
                     server runs with SOS_WEBHOOK_ALLOW_HTTP=1)"
                        .into(),
                )
            }
            other => return Err(format!("must be an https:// URL, not {other}:")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("must not carry credentials; the signature authenticates SOS".into());
        }
        if url.fragment().is_some() {
            return Err("must not have a #fragment".into());
        }
        let literal = match url.host() {
            None => return Err("must name a host".into()),
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            Some(url::Host::Domain(d)) => {
                if !policy.allow_private && (d == "localhost" || d.ends_with(".localhost")) {
                    return Err(private_refusal(d));
                }
                None
            }
        };
        if let Some(ip) = literal {
            if !policy.allow_private && !is_public_address(ip) {
                return Err(private_refusal(&ip.to_string()));
            }
        }
        Ok(Self(url.to_string()))
    }

    /// The URL, normalized.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host and port to resolve.
    pub fn host_and_port(&self) -> Option<(String, u16)> {
        let url = url::Url::parse(&self.0).ok()?;
        Some((url.host_str()?.to_string(), url.port_or_known_default()?))
    }
}

/// The refusal of an endpoint on a non-public address.
pub fn private_refusal(host: &str) -> String {
    format!(
        "{host} is a loopback, private, link-local or metadata address; webhooks go to public \
         hosts only (SOS_WEBHOOK_ALLOW_PRIVATE=1 allows it for tests and local use)"
    )
}

/// Which events a subscription receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventFilter {
    /// Every type, present and future (`["*"]`).
    All,
    /// These types, in the order given.
    Only(Vec<EventType>),
}

impl EventFilter {
    /// True when events of type `t` are sent.
    pub fn matches(&self, t: EventType) -> bool {
        match self {
            EventFilter::All => true,
            EventFilter::Only(types) => types.contains(&t),
        }
    }

    /// The names, as the API shows them (`["*"]` for all).
    pub fn names(&self) -> Vec<String> {
        match self {
            EventFilter::All => vec![ALL_EVENTS.to_string()],
            EventFilter::Only(types) => types.iter().map(|t| t.as_str().to_string()).collect(),
        }
    }

    /// Reads a list of names: `["*"]`, or event types, each at most once.
    ///
    /// # Errors
    /// Each bad entry, by index.
    pub fn parse(names: &[String]) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if names.is_empty() {
            errors.push(
                "event_types",
                "must list at least one event type, or [\"*\"] for all",
            );
            return Err(errors);
        }
        if names.iter().any(|n| n == ALL_EVENTS) {
            if names.len() > 1 {
                errors.push("event_types", "\"*\" means every type; list it alone");
                return Err(errors);
            }
            return Ok(EventFilter::All);
        }
        let mut types = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match name.parse::<EventType>() {
                Ok(t) if types.contains(&t) => {
                    errors.push(format!("event_types[{i}]"), format!("{t} is listed twice"));
                }
                Ok(t) => types.push(t),
                Err(e) => errors.push(format!("event_types[{i}]"), e),
            }
        }
        if errors.is_empty() {
            Ok(EventFilter::Only(types))
        } else {
            Err(errors)
        }
    }
}

/// A subscription's settings as written, before validation. Create fills what is missing
/// with the defaults; an update (PATCH) starts from the stored settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubscriptionPatch {
    /// Who receives (a system's name).
    pub subscriber: Option<String>,
    /// Where to send.
    pub endpoint_url: Option<String>,
    /// Which events, `["*"]` for all.
    pub event_types: Option<Vec<String>>,
    /// Whether events are sent.
    pub is_active: Option<bool>,
    /// Per attempt, 1 to 30 seconds.
    pub timeout_seconds: Option<i64>,
    /// Attempts before a delivery fails, 1 to 20.
    pub max_attempts: Option<i64>,
}

/// A valid subscription's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionDraft {
    subscriber: String,
    endpoint_url: EndpointUrl,
    event_types: EventFilter,
    is_active: bool,
    timeout_seconds: u32,
    max_attempts: u32,
}

fn in_range(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<i64>,
    default: u32,
    max: u32,
) -> u32 {
    match value {
        None => default,
        Some(v) if v >= 1 && v <= i64::from(max) => u32::try_from(v).unwrap_or(default),
        Some(_) => {
            errors.push(field, format!("must be between 1 and {max}"));
            default
        }
    }
}

impl SubscriptionDraft {
    /// A new subscription from `input`: `subscriber` and `endpoint_url` are required, the rest
    /// default (all events, active, 15 s, 8 attempts).
    ///
    /// # Errors
    /// Every bad field.
    pub fn create(
        input: &SubscriptionPatch,
        policy: EndpointPolicy,
    ) -> Result<Self, ValidationErrors> {
        Self::build(input, None, policy)
    }

    /// `self` with the fields `patch` gives replaced.
    ///
    /// # Errors
    /// Every bad field.
    pub fn apply(
        &self,
        patch: &SubscriptionPatch,
        policy: EndpointPolicy,
    ) -> Result<Self, ValidationErrors> {
        Self::build(patch, Some(self), policy)
    }

    fn build(
        input: &SubscriptionPatch,
        base: Option<&Self>,
        policy: EndpointPolicy,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let subscriber = match (&input.subscriber, base) {
            (Some(s), _) => {
                let s = s.trim();
                if s.is_empty() {
                    errors.push("subscriber", "must not be empty");
                } else if s.chars().count() > MAX_SUBSCRIBER_LEN {
                    errors.push(
                        "subscriber",
                        format!("must be at most {MAX_SUBSCRIBER_LEN} characters"),
                    );
                } else if s.chars().any(char::is_control) {
                    errors.push("subscriber", "must not contain control characters");
                }
                s.to_string()
            }
            (None, Some(b)) => b.subscriber.clone(),
            (None, None) => {
                errors.push("subscriber", "is required");
                String::new()
            }
        };
        let endpoint_url = match (&input.endpoint_url, base) {
            (Some(raw), _) => match EndpointUrl::parse(raw, policy) {
                Ok(u) => Some(u),
                Err(e) => {
                    errors.push("endpoint_url", e);
                    None
                }
            },
            (None, Some(b)) => Some(b.endpoint_url.clone()),
            (None, None) => {
                errors.push("endpoint_url", "is required");
                None
            }
        };
        let event_types = match (&input.event_types, base) {
            (Some(names), _) => match EventFilter::parse(names) {
                Ok(f) => f,
                Err(e) => {
                    errors.extend_prefixed("", e);
                    EventFilter::All
                }
            },
            (None, Some(b)) => b.event_types.clone(),
            (None, None) => EventFilter::All,
        };
        let timeout_seconds = in_range(
            &mut errors,
            "timeout_seconds",
            input.timeout_seconds,
            base.map_or(DEFAULT_TIMEOUT_SECONDS, |b| b.timeout_seconds),
            MAX_TIMEOUT_SECONDS,
        );
        let max_attempts = in_range(
            &mut errors,
            "max_attempts",
            input.max_attempts,
            base.map_or(DEFAULT_MAX_ATTEMPTS, |b| b.max_attempts),
            MAX_MAX_ATTEMPTS,
        );
        let is_active = input
            .is_active
            .unwrap_or_else(|| base.is_none_or(|b| b.is_active));
        match endpoint_url {
            Some(endpoint_url) if errors.is_empty() => Ok(Self {
                subscriber,
                endpoint_url,
                event_types,
                is_active,
                timeout_seconds,
                max_attempts,
            }),
            _ => Err(errors),
        }
    }

    /// Rebuilds stored settings without checking the endpoint's address policy again (the
    /// sender checks the address at delivery time).
    ///
    /// # Errors
    /// When the stored values no longer parse.
    pub fn from_stored(
        subscriber: String,
        endpoint_url: &str,
        event_types: &[String],
        is_active: bool,
        timeout_seconds: u32,
        max_attempts: u32,
    ) -> Result<Self, ValidationErrors> {
        let lenient = EndpointPolicy {
            allow_http: true,
            allow_private: true,
        };
        Self::build(
            &SubscriptionPatch {
                subscriber: Some(subscriber),
                endpoint_url: Some(endpoint_url.to_string()),
                event_types: Some(event_types.to_vec()),
                is_active: Some(is_active),
                timeout_seconds: Some(i64::from(timeout_seconds)),
                max_attempts: Some(i64::from(max_attempts)),
            },
            None,
            lenient,
        )
    }

    /// The same settings, inactive (a receiver answered 410 Gone).
    pub fn deactivated(&self) -> Self {
        Self {
            is_active: false,
            ..self.clone()
        }
    }

    /// Who receives.
    pub fn subscriber(&self) -> &str {
        &self.subscriber
    }
    /// Where to send.
    pub fn endpoint_url(&self) -> &EndpointUrl {
        &self.endpoint_url
    }
    /// Which events.
    pub fn event_types(&self) -> &EventFilter {
        &self.event_types
    }
    /// Whether events are sent.
    pub fn is_active(&self) -> bool {
        self.is_active
    }
    /// Per attempt.
    pub fn timeout_seconds(&self) -> u32 {
        self.timeout_seconds
    }
    /// Attempts before a delivery fails.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: EndpointPolicy = EndpointPolicy {
        allow_http: false,
        allow_private: false,
    };

    fn input(url: &str) -> SubscriptionPatch {
        SubscriptionPatch {
            subscriber: Some("oms".into()),
            endpoint_url: Some(url.into()),
            ..SubscriptionPatch::default()
        }
    }

    #[test]
    fn defaults_fill_a_minimal_body() {
        let d = SubscriptionDraft::create(&input("https://oms.example.com/hooks"), STRICT).unwrap();
        assert_eq!(d.event_types(), &EventFilter::All);
        assert_eq!((d.timeout_seconds(), d.max_attempts()), (15, 8));
        assert!(d.is_active());
        assert_eq!(d.endpoint_url().as_str(), "https://oms.example.com/hooks");
    }

    #[test]
    fn endpoints_are_public_https_unless_allowed() {
        for (url, part) in [
            ("http://oms.example.com/", "https://"),
            ("ftp://oms.example.com/", "https://"),
            ("https://127.0.0.1/", "loopback"),
            ("https://10.1.2.3/", "private"),
            ("https://169.254.169.254/latest", "metadata"),
            ("https://[::1]:8443/", "loopback"),
            ("https://[fd00::1]/", "private"),
            ("https://[::ffff:192.168.1.1]/", "private"),
            ("https://localhost:9000/", "loopback"),
            ("https://user:pw@oms.example.com/", "credentials"),
            ("https://oms.example.com/#x", "fragment"),
            ("not a url", "not a URL"),
            ("https://oms.example.com/hooks\u{0}", "control characters"),
            ("https://oms.example.com/ho\toks", "control characters"),
        ] {
            let err = SubscriptionDraft::create(&input(url), STRICT).unwrap_err();
            let text = format!("{:?}", err.into_iter().collect::<Vec<_>>());
            assert!(
                text.contains("endpoint_url") && text.contains(part),
                "{url}: {text}"
            );
        }
        let open = EndpointPolicy {
            allow_http: true,
            allow_private: true,
        };
        assert!(SubscriptionDraft::create(&input("http://127.0.0.1:9000/h"), open).is_ok());
        assert!(is_public_address("8.8.8.8".parse().unwrap()));
        assert!(!is_public_address("100.64.0.1".parse().unwrap()));
    }

    #[test]
    fn bad_fields_are_all_named() {
        let bad = SubscriptionPatch {
            subscriber: Some(" ".into()),
            endpoint_url: None,
            event_types: Some(vec!["seller.tier_changed".into(), "nope".into()]),
            is_active: None,
            timeout_seconds: Some(31),
            max_attempts: Some(0),
        };
        let err = SubscriptionDraft::create(&bad, STRICT).unwrap_err();
        let fields: Vec<String> = err.into_iter().map(|e| e.field).collect();
        for field in [
            "subscriber",
            "endpoint_url",
            "event_types[1]",
            "timeout_seconds",
            "max_attempts",
        ] {
            assert!(
                fields.iter().any(|f| f == field),
                "{field} missing in {fields:?}"
            );
        }
    }

    #[test]
    fn patch_keeps_what_it_does_not_name() {
        let d = SubscriptionDraft::create(&input("https://oms.example.com/"), STRICT).unwrap();
        let p = SubscriptionPatch {
            event_types: Some(vec!["seller.tier_changed".into()]),
            timeout_seconds: Some(30),
            ..SubscriptionPatch::default()
        };
        let e = d.apply(&p, STRICT).unwrap();
        assert_eq!(e.subscriber(), "oms");
        assert_eq!(e.timeout_seconds(), 30);
        assert!(e.event_types().matches(EventType::TierChanged));
        assert!(!e.event_types().matches(EventType::ScoreFinalized));
        assert_eq!(e.event_types().names(), vec!["seller.tier_changed"]);
    }
}
