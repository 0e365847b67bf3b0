//! Address safety: resolving a host and refusing non-public addresses, both when a
//! subscription is written and inside the HTTP client's connector.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use sos_domain::webhook::{is_public_address, private_refusal};
use std::error::Error;
use std::fmt;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// Why a host may not be connected to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AddressError {
    /// The host does not resolve (the sentence says so).
    Unresolvable(String),
    /// The host is, or resolves to, a non-public address (the sentence says which).
    Refused(String),
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::Unresolvable(s) | AddressError::Refused(s) => f.write_str(s),
        }
    }
}

impl Error for AddressError {}

impl AddressError {
    pub(crate) fn into_sentence(self) -> String {
        match self {
            AddressError::Unresolvable(s) | AddressError::Refused(s) => s,
        }
    }
}

/// `host` as a literal address, if it is one (`[::1]` as the URL writes it included).
pub(crate) fn literal_ip(host: &str) -> Option<IpAddr> {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()
}

/// Refuses a literal address that is not public, unless private addresses are allowed.
pub(crate) fn check_literal(ip: IpAddr, allow_private: bool) -> Result<(), AddressError> {
    if allow_private || is_public_address(ip) {
        Ok(())
    } else {
        Err(AddressError::Refused(private_refusal(&ip.to_string())))
    }
}

/// Resolves `host` (a name or a literal) and returns its addresses with `port`, refusing the
/// host when any address is not public (unless `allow_private`).
pub(crate) fn resolve_checked(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, AddressError> {
    if let Some(ip) = literal_ip(host) {
        check_literal(ip, allow_private)?;
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    let addrs: Vec<SocketAddr> = match (host, port).to_socket_addrs() {
        Ok(addrs) => addrs.collect(),
        Err(e) => {
            return Err(AddressError::Unresolvable(format!(
                "{host} does not resolve to any address ({e})"
            )))
        }
    };
    if addrs.is_empty() {
        return Err(AddressError::Unresolvable(format!(
            "{host} does not resolve to any address"
        )));
    }
    if !allow_private {
        if let Some(bad) = addrs.iter().find(|a| !is_public_address(a.ip())) {
            return Err(AddressError::Refused(private_refusal(&format!(
                "{host} ({})",
                bad.ip()
            ))));
        }
    }
    Ok(addrs)
}

/// The client's resolver: the system's, run on the blocking pool, then the address check.
/// The connection uses exactly the addresses checked here, so a name that changes its answer
/// between the check and the connection (DNS rebinding) gains nothing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuardedResolver {
    pub(crate) allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = tokio::task::spawn_blocking(move || {
                // The connector sets the URL's port on every address.
                resolve_checked(&host, 0, allow_private)
            })
            .await;
            match found {
                Ok(Ok(addrs)) => Ok(Box::new(addrs.into_iter()) as Addrs),
                Ok(Err(refused)) => Err(Box::new(refused) as Box<dyn Error + Send + Sync>),
                Err(join) => Err(Box::new(join) as Box<dyn Error + Send + Sync>),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_names_are_checked() {
        assert_eq!(literal_ip("[::1]"), Some("::1".parse().unwrap()));
        assert_eq!(literal_ip("example.com"), None);
        assert!(matches!(
            resolve_checked("169.254.169.254", 80, false),
            Err(AddressError::Refused(s)) if s.contains("169.254.169.254")
        ));
        assert!(matches!(
            resolve_checked("localhost", 80, false),
            Err(AddressError::Refused(s)) if s.starts_with("localhost (")
        ));
        assert!(resolve_checked("localhost", 80, true).is_ok());
        assert!(matches!(
            resolve_checked("no-such-host.invalid", 80, true),
            Err(AddressError::Unresolvable(s)) if s.contains("does not resolve")
        ));
    }
}
