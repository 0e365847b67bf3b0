#![doc = include_str!("../README.md")]

mod answer;
mod guard;

use guard::{check_literal, literal_ip, resolve_checked, AddressError, GuardedResolver};
use reqwest::blocking::Client;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use sos_domain::webhook::{EndpointPolicy, EndpointUrl};
use sos_ports::{OutboundRequest, SendReport, WebhookGateway, MAX_LOGGED_BODY};
use std::error::Error;
use std::io::Read;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// Bytes read past [`MAX_LOGGED_BODY`], so a character cut by the limit is still whole.
const BODY_SLACK: usize = 4;

/// `SOS_WEBHOOK_ALLOW_HTTP`: `1` accepts plain `http://` endpoints.
pub const ALLOW_HTTP_VAR: &str = "SOS_WEBHOOK_ALLOW_HTTP";
/// `SOS_WEBHOOK_ALLOW_PRIVATE`: `1` accepts loopback and private addresses.
pub const ALLOW_PRIVATE_VAR: &str = "SOS_WEBHOOK_ALLOW_PRIVATE";

/// The webhook sender: a blocking HTTP client (rustls, no redirects, no proxies) whose
/// resolver refuses non-public addresses unless the policy allows them.
///
/// Build it and call it from plain threads, not from inside an async runtime (reqwest's
/// blocking client runs its own). Cloning shares the connection pool.
#[derive(Debug, Clone)]
pub struct WebhookClient {
    policy: EndpointPolicy,
    client: Client,
}

impl WebhookClient {
    /// A client under `policy`.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (its TLS setup failed).
    pub fn new(policy: EndpointPolicy) -> Result<Self, anyhow::Error> {
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                allow_private: policy.allow_private,
            }))
            .user_agent(concat!("sos-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| anyhow::anyhow!("the webhook HTTP client cannot be built: {e}"))?;
        Ok(Self { policy, client })
    }

    /// A client under the policy the environment sets: `SOS_WEBHOOK_ALLOW_HTTP=1` and
    /// `SOS_WEBHOOK_ALLOW_PRIVATE=1` (anything else, or unset, is off).
    ///
    /// # Errors
    /// As [`WebhookClient::new`].
    pub fn from_env() -> Result<Self, anyhow::Error> {
        Self::new(policy_from(|name| std::env::var(name).ok()))
    }

    /// Refuses what the policy forbids before any connection: plain `http://` unless
    /// allowed, and a literal address that is not public (the resolver checks names).
    fn precheck(&self, url: &EndpointUrl) -> Result<(String, u16), String> {
        if url.as_str().starts_with("http://") && !self.policy.allow_http {
            return Err(format!(
                "{} is plain http://; webhooks go to https:// endpoints only \
                 ({ALLOW_HTTP_VAR}=1 allows http:// for tests and local use)",
                url.as_str()
            ));
        }
        let (host, port) = url
            .host_and_port()
            .ok_or_else(|| format!("{} has no host and port to connect to", url.as_str()))?;
        if let Some(ip) = literal_ip(&host) {
            check_literal(ip, self.policy.allow_private).map_err(AddressError::into_sentence)?;
        }
        Ok((host, port))
    }
}

/// The policy `var` describes: each setting is on when its variable is `1` or `true`.
fn policy_from(var: impl Fn(&str) -> Option<String>) -> EndpointPolicy {
    let on = |name: &str| {
        var(name).is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true"))
    };
    EndpointPolicy {
        allow_http: on(ALLOW_HTTP_VAR),
        allow_private: on(ALLOW_PRIVATE_VAR),
    }
}

fn headers(given: &[(String, String)]) -> Result<HeaderMap, String> {
    let mut map = HeaderMap::new();
    for (name, value) in given {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("{name:?} is not a valid header name"))?;
        let v = HeaderValue::from_str(value)
            .map_err(|_| format!("the value of header {name} is not a valid header value"))?;
        map.append(n, v);
    }
    Ok(map)
}

/// The sentence for a failed request: the address refusal when the resolver refused,
/// "timed out after N s" for a timeout, else the error and its causes.
fn request_error(err: &reqwest::Error, request: &OutboundRequest) -> String {
    let mut cause: Option<&(dyn Error + 'static)> = err.source();
    while let Some(e) = cause {
        if let Some(refused) = e.downcast_ref::<AddressError>() {
            return refused.to_string();
        }
        cause = e.source();
    }
    if err.is_timeout() {
        return format!("timed out after {} s", answer::seconds(request.timeout));
    }
    let what = if err.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    let detail = err.source().map(answer::chain).unwrap_or_default();
    if detail.is_empty() {
        format!("{what}: {err}")
    } else {
        format!("{what}: {detail}")
    }
}

impl WebhookGateway for WebhookClient {
    fn policy(&self) -> EndpointPolicy {
        self.policy
    }

    fn check_endpoint(&self, url: &EndpointUrl) -> Result<(), String> {
        let (host, port) = self.precheck(url)?;
        resolve_checked(&host, port, self.policy.allow_private)
            .map(|_| ())
            .map_err(AddressError::into_sentence)
    }

    fn send(&self, request: &OutboundRequest) -> SendReport {
        let started = Instant::now();
        let refuse = |error: String| SendReport {
            status: None,
            retry_after: None,
            body: String::new(),
            error: Some(error),
            duration: started.elapsed(),
        };
        if let Err(e) = self.precheck(&request.url) {
            return refuse(e);
        }
        let headers = match headers(&request.headers) {
            Ok(h) => h,
            Err(e) => return refuse(e),
        };
        let sent = self
            .client
            .post(request.url.as_str())
            .headers(headers)
            .body(request.body.clone())
            .timeout(request.timeout)
            .send();
        let response = match sent {
            Ok(r) => r,
            Err(e) => return refuse(request_error(&e, request)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| answer::parse_retry_after(v, SystemTime::now()));
        let mut bytes = Vec::with_capacity(MAX_LOGGED_BODY + BODY_SLACK);
        let limit = u64::try_from(MAX_LOGGED_BODY + BODY_SLACK).unwrap_or(u64::MAX);
        let error = match response.take(limit).read_to_end(&mut bytes) {
            Ok(_) => None,
            Err(e) => {
                let timed_out = e.kind() == std::io::ErrorKind::TimedOut
                    || e.get_ref().is_some_and(|inner| {
                        inner
                            .downcast_ref::<reqwest::Error>()
                            .is_some_and(reqwest::Error::is_timeout)
                    });
                Some(if timed_out {
                    format!(
                        "timed out after {} s while reading the answer's body",
                        answer::seconds(request.timeout)
                    )
                } else {
                    format!("reading the answer's body failed: {}", answer::chain(&e))
                })
            }
        };
        // The rest of the body is never read: dropping the response closes the connection.
        SendReport {
            status: Some(status),
            retry_after,
            body: answer::cut_body(&bytes, MAX_LOGGED_BODY),
            error,
            duration: started.elapsed(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_sets_the_policy() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_string())
            }
        };
        assert_eq!(policy_from(env(&[])), EndpointPolicy::default());
        let both = policy_from(env(&[(ALLOW_HTTP_VAR, "1"), (ALLOW_PRIVATE_VAR, "true")]));
        assert!(both.allow_http && both.allow_private);
        let neither = policy_from(env(&[(ALLOW_HTTP_VAR, "0"), (ALLOW_PRIVATE_VAR, "yes!")]));
        assert_eq!(neither, EndpointPolicy::default());
    }
}
