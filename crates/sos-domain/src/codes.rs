//! Identifiers that arrive from other systems as text.
//!
//! Codes are checked once, here, so everything downstream can trust them: non-blank, at most
//! 64 characters, no control characters (PostgreSQL rejects NUL) and no `/`, so a code can
//! always sit in a URL path segment. Anything else, quotes and SQL-looking text included, is
//! kept verbatim.
//!
//! Every result carries a seller code and two tier names, so a code lives inline up to 23 bytes
//! (`smol_str`) and copying one never allocates; longer codes are shared, not copied.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use smol_str::SmolStr;
use std::fmt;

/// Longest code accepted, in characters.
pub const MAX_CODE_LEN: usize = 64;

fn check_code(kind: &str, raw: &str) -> Result<(), String> {
    if raw.trim().is_empty() {
        return Err(format!("{kind} must not be empty"));
    }
    if raw.chars().count() > MAX_CODE_LEN {
        return Err(format!("{kind} must be at most {MAX_CODE_LEN} characters"));
    }
    if raw.trim() != raw {
        return Err(format!("{kind} must not start or end with whitespace"));
    }
    if raw.chars().any(char::is_control) {
        return Err(format!("{kind} must not contain control characters"));
    }
    if raw.contains('/') {
        return Err(format!("{kind} must not contain '/'"));
    }
    Ok(())
}

macro_rules! code_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(SmolStr);

        impl $name {
            /// Validates `raw` as a code.
            ///
            /// # Errors
            /// A sentence naming the rule `raw` breaks.
            pub fn parse(raw: impl Into<String>) -> Result<Self, String> {
                let raw = raw.into();
                check_code($kind, &raw)?;
                Ok(Self(SmolStr::from(raw)))
            }

            /// The code as given.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The code as an owned string.
            pub fn into_inner(self) -> String {
                self.0.into()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                Self::parse(raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

code_type!(
    /// A seller's code, unique across SOS (`SEL001`).
    SellerCode,
    "seller_code"
);
code_type!(
    /// A campaign's code, unique across SOS (`CAMP-2026-02`).
    CampaignCode,
    "campaign_code"
);
code_type!(
    /// A tier's name (`Platinum`, `Gold`, ...). Names are data, not an enum: ops may add tiers.
    TierName,
    "tier_name"
);

/// An account manager's id, a positive integer as the seeds use (`"am_id": 1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct AmId(i64);

impl AmId {
    /// Validates `raw` as an AM id.
    ///
    /// # Errors
    /// When `raw` is not positive.
    pub fn new(raw: i64) -> Result<Self, String> {
        if raw > 0 {
            Ok(Self(raw))
        } else {
            Err("am_id must be a positive integer".to_owned())
        }
    }

    /// The id as a number.
    pub fn get(self) -> i64 {
        self.0
    }

    /// The lowest id: the first AM's when none is given.
    pub const FIRST: AmId = AmId(1);

    /// The id one above this one; `None` past the largest.
    pub fn next(self) -> Option<AmId> {
        self.0.checked_add(1).map(AmId)
    }
}

impl fmt::Display for AmId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for AmId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = i64::deserialize(d)?;
        Self::new(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_accept_ordinary_and_sql_shaped_text_verbatim() {
        assert_eq!(SellerCode::parse("SEL001").unwrap().as_str(), "SEL001");
        let odd = "x'; DROP TABLE seller;--";
        assert_eq!(SellerCode::parse(odd).unwrap().as_str(), odd);
    }

    #[test]
    fn codes_reject_each_broken_rule_with_its_own_message() {
        assert_eq!(
            SellerCode::parse("").unwrap_err(),
            "seller_code must not be empty"
        );
        assert_eq!(
            SellerCode::parse("  ").unwrap_err(),
            "seller_code must not be empty"
        );
        assert_eq!(
            SellerCode::parse(" A").unwrap_err(),
            "seller_code must not start or end with whitespace"
        );
        assert_eq!(
            CampaignCode::parse("A\u{0}B").unwrap_err(),
            "campaign_code must not contain control characters"
        );
        assert_eq!(
            SellerCode::parse("A/B").unwrap_err(),
            "seller_code must not contain '/'"
        );
        assert_eq!(
            SellerCode::parse("x".repeat(65)).unwrap_err(),
            "seller_code must be at most 64 characters"
        );
        assert!(SellerCode::parse("x".repeat(64)).is_ok());
    }

    #[test]
    fn short_and_long_codes_read_and_write_as_plain_json_strings() {
        for raw in [
            "SEL001",
            "Gold",
            "SELLER-WITH-A-CODE-LONGER-THAN-23",
            &"é".repeat(64),
        ] {
            let code = SellerCode::parse(raw).unwrap();
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, serde_json::to_string(raw).unwrap());
            let back: SellerCode = serde_json::from_str(&json).unwrap();
            assert_eq!((back.as_str(), back.clone()), (raw, code.clone()));
            assert_eq!(code.into_inner(), raw);
        }
        assert!(serde_json::from_str::<TierName>("\"a/b\"").is_err());
    }

    #[test]
    fn am_id_must_be_positive() {
        assert_eq!(AmId::new(1).unwrap().get(), 1);
        assert!(AmId::new(0).is_err());
        assert!(AmId::new(-3).is_err());
        assert!(serde_json::from_str::<AmId>("0").is_err());
    }
}
