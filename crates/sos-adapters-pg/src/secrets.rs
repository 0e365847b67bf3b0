//! Encryption at rest for config secrets (the helpdesk `api_key` and `api_secret`).
//!
//! Values are sealed with XChaCha20-Poly1305 under a server key (`SOS_SECRET_KEY`, or a key
//! generated into the data dir) and stored as `enc:v1:<hex nonce+ciphertext>`. A database dump
//! alone therefore reveals no helpdesk credentials. The random 192-bit nonce makes equal
//! secrets encrypt differently.

use chacha20poly1305::{
    aead::{Aead, KeyInit},
    Key, XChaCha20Poly1305, XNonce,
};

const PREFIX: &str = "enc:v1:";

/// The fields of a config body that are sealed.
pub const SECRET_FIELDS: [&str; 2] = ["api_key", "api_secret"];

/// Seals and opens secrets under one 256-bit key.
#[derive(Clone)]
pub struct SecretBox {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl SecretBox {
    /// A box over `key`.
    pub fn new(key: [u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(Key::from_slice(&key)),
        }
    }

    /// A box over a key written as 64 hex characters.
    ///
    /// # Errors
    /// When the text is not 64 hex characters.
    pub fn from_hex(text: &str) -> Result<Self, anyhow::Error> {
        let bytes = unhex(text.trim())
            .filter(|b| b.len() == 32)
            .ok_or_else(|| {
                anyhow::anyhow!("the secret key must be 64 hex characters (32 bytes)")
            })?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes);
        Ok(Self::new(key))
    }

    /// A new random key as 64 hex characters.
    ///
    /// # Errors
    /// When the system has no randomness to give.
    pub fn generate_hex() -> Result<String, anyhow::Error> {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        Ok(hex(&key))
    }

    /// Seals `plain`.
    ///
    /// # Errors
    /// When no randomness is available for the nonce.
    pub fn seal(&self, plain: &str) -> Result<String, anyhow::Error> {
        let mut nonce = [0u8; 24];
        getrandom::getrandom(&mut nonce).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .map_err(|_| anyhow::anyhow!("could not encrypt a secret"))?;
        Ok(format!("{PREFIX}{}{}", hex(&nonce), hex(&sealed)))
    }

    /// Opens a value sealed by [`SecretBox::seal`]; values without the `enc:v1:` mark were
    /// stored before encryption and are returned as they are.
    ///
    /// # Errors
    /// When the value was sealed under another key or was tampered with.
    pub fn open(&self, stored: &str) -> Result<String, anyhow::Error> {
        let Some(body) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_owned());
        };
        let bytes = unhex(body)
            .filter(|b| b.len() > 24)
            .ok_or_else(|| anyhow::anyhow!("a stored secret is corrupt"))?;
        let (nonce, sealed) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), sealed)
            .map_err(|_| {
                anyhow::anyhow!("a stored secret cannot be decrypted: was SOS_SECRET_KEY changed?")
            })?;
        String::from_utf8(plain).map_err(|_| anyhow::anyhow!("a stored secret is not text"))
    }

    /// Seals the secret fields of a JSON object in place.
    ///
    /// # Errors
    /// As [`SecretBox::seal`].
    pub fn seal_fields(&self, body: &mut serde_json::Value) -> Result<(), anyhow::Error> {
        if let serde_json::Value::Object(map) = body {
            for field in SECRET_FIELDS {
                if let Some(serde_json::Value::String(v)) = map.get_mut(field) {
                    *v = self.seal(v)?;
                }
            }
        }
        Ok(())
    }

    /// Opens the secret fields of a JSON object in place.
    ///
    /// # Errors
    /// As [`SecretBox::open`].
    pub fn open_fields(&self, body: &mut serde_json::Value) -> Result<(), anyhow::Error> {
        if let serde_json::Value::Object(map) = body {
            for field in SECRET_FIELDS {
                if let Some(serde_json::Value::String(v)) = map.get_mut(field) {
                    *v = self.open(v)?;
                }
            }
        }
        Ok(())
    }
}

/// True when a stored body holds sealed values.
pub fn is_sealed(body: &serde_json::Value) -> bool {
    SECRET_FIELDS.iter().any(|f| {
        body.get(f)
            .and_then(|v| v.as_str())
            .is_some_and(|s| s.starts_with(PREFIX))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_and_refuses_other_keys() {
        let a = SecretBox::from_hex(&SecretBox::generate_hex().unwrap()).unwrap();
        let b = SecretBox::from_hex(&SecretBox::generate_hex().unwrap()).unwrap();
        let sealed = a.seal("s3cr3t").unwrap();
        assert!(sealed.starts_with("enc:v1:"));
        assert!(!sealed.contains("s3cr3t"));
        assert_ne!(a.seal("s3cr3t").unwrap(), sealed, "random nonce");
        assert_eq!(a.open(&sealed).unwrap(), "s3cr3t");
        assert!(b.open(&sealed).is_err());
        assert_eq!(a.open("plain-legacy").unwrap(), "plain-legacy");
        assert!(SecretBox::from_hex("abc").is_err());
    }

    #[test]
    fn fields_round_trip() {
        let k = SecretBox::from_hex(&SecretBox::generate_hex().unwrap()).unwrap();
        let mut v = serde_json::json!({"country_code": "VN", "api_key": "k1", "api_secret": "s1"});
        k.seal_fields(&mut v).unwrap();
        assert!(is_sealed(&v));
        assert_eq!(v["country_code"], "VN");
        k.open_fields(&mut v).unwrap();
        assert_eq!(v["api_key"], "k1");
        assert_eq!(v["api_secret"], "s1");
    }
}
