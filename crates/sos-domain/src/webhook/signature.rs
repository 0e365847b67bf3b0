//! Standard Webhooks signing (<https://www.standardwebhooks.com>): the receiver recomputes
//! `base64(HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}"))` and compares it with
//! each `v1,` signature of the `webhook-signature` header.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// How a signing secret starts on the wire.
pub const SECRET_PREFIX: &str = "whsec_";

/// A subscription's signing key: 32 bytes, written `whsec_` + base64. Its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret([u8; 32]);

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}

impl WebhookSecret {
    /// The secret over `key` (32 random bytes from the caller: the domain has no randomness).
    pub fn from_bytes(key: [u8; 32]) -> Self {
        Self(key)
    }

    /// Reads `whsec_<base64 of 32 bytes>`.
    ///
    /// # Errors
    /// A sentence when the text is not a secret of that form.
    pub fn parse(text: &str) -> Result<Self, String> {
        let encoded = text
            .strip_prefix(SECRET_PREFIX)
            .ok_or_else(|| format!("a webhook secret starts with {SECRET_PREFIX}"))?;
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| "a webhook secret is base64 after its prefix".to_string())?;
        let key: [u8; 32] = bytes
            .try_into()
            .map_err(|_| "a webhook secret holds 32 bytes".to_string())?;
        Ok(Self(key))
    }

    /// `whsec_` + base64: the form shown once to the subscriber.
    pub fn expose(&self) -> String {
        format!("{SECRET_PREFIX}{}", STANDARD.encode(self.0))
    }
}

/// The `v1,<base64>` signature of one message under one secret.
pub fn sign(secret: &WebhookSecret, webhook_id: &str, timestamp: i64, body: &str) -> String {
    sign_with_key(&secret.0, webhook_id, timestamp, body)
}

fn sign_with_key(key: &[u8], webhook_id: &str, timestamp: i64, body: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    };
    mac.update(webhook_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` header: one signature per secret, space-separated, so a receiver
/// holding either the new or the previous secret accepts the message during a rotation.
pub fn signature_header(
    secrets: &[&WebhookSecret],
    webhook_id: &str,
    timestamp: i64,
    body: &str,
) -> String {
    secrets
        .iter()
        .map(|s| sign(s, webhook_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_webhooks_reference_vector() {
        // The example of the Standard Webhooks reference libraries. Its key is 24 bytes, so it
        // is not a valid SOS secret (SOS keys are 32), but the signing step is the same.
        assert!(WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        let key = STANDARD
            .decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
            .unwrap_or_default();
        assert_eq!(
            sign_with_key(
                &key,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1_614_265_330,
                r#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secret_round_trips_and_hides_in_debug() {
        let key = WebhookSecret::from_bytes([7; 32]);
        let parsed = WebhookSecret::parse(&key.expose()).ok();
        assert_eq!(parsed.as_ref(), Some(&key));
        assert!(format!("{key:?}").contains(".."));
        assert!(!format!("{key:?}").contains(&key.expose()));
    }

    #[test]
    fn header_lists_one_signature_per_secret() {
        let a = WebhookSecret::from_bytes([1; 32]);
        let b = WebhookSecret::from_bytes([2; 32]);
        let header = signature_header(&[&a, &b], "evt_1", 1_700_000_000, "{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], sign(&a, "evt_1", 1_700_000_000, "{}"));
        assert_eq!(parts[1], sign(&b, "evt_1", 1_700_000_000, "{}"));
        assert_ne!(parts[0], parts[1]);
    }
}
