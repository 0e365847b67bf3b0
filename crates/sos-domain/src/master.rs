//! Master data: sellers and account managers.

use crate::{
    codes::{AmId, SellerCode},
    error::ValidationErrors,
    text::check_text,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Whether a seller is scored. Sellers are never deleted: their history stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SellerStatus {
    /// Scored every month.
    #[default]
    Active,
    /// Paused: not scored, history kept.
    Suspended,
    /// Left: not scored, history kept.
    Terminated,
}

impl SellerStatus {
    /// All statuses.
    pub const ALL: [SellerStatus; 3] = [
        SellerStatus::Active,
        SellerStatus::Suspended,
        SellerStatus::Terminated,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SellerStatus::Active => "active",
            SellerStatus::Suspended => "suspended",
            SellerStatus::Terminated => "terminated",
        }
    }
}

impl fmt::Display for SellerStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SellerStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SellerStatus::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                format!("unknown status `{s}`: expected active, suspended or terminated")
            })
    }
}

/// A seller as master data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seller {
    /// Unique code.
    pub seller_code: SellerCode,
    /// Legal or trading name.
    pub company_name: String,
    /// Contract kind such as `B2C` or `B2B`.
    pub contract_type: Option<String>,
    /// ISO 3166-1 alpha-2 country; picks the helpdesk.
    pub country_code: Option<String>,
    /// The warehouse that serves the seller.
    pub warehouse_id: Option<String>,
    /// Whether the seller is scored.
    pub status: SellerStatus,
    /// When the seller joined; drives new-seller grace.
    pub onboarded_at: Option<NaiveDate>,
    /// The seller's account manager.
    pub am_id: Option<AmId>,
}

impl Seller {
    /// Checks the free-text fields: a non-blank company name of at most 200 characters, a
    /// 2-letter uppercase country code, short contract and warehouse ids, no control characters.
    ///
    /// # Errors
    /// Every broken rule, by field.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_text(&mut errors, "company_name", &self.company_name, 200, true);
        if let Some(c) = &self.contract_type {
            check_text(&mut errors, "contract_type", c, 32, true);
        }
        if let Some(w) = &self.warehouse_id {
            check_text(&mut errors, "warehouse_id", w, 64, true);
        }
        if let Some(c) = &self.country_code {
            if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()) {
                errors.push(
                    "country_code",
                    "must be a 2-letter ISO 3166-1 code such as VN",
                );
            }
        }
        errors.into_result(())
    }
}

/// An account manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountManager {
    /// Numeric id, as the accounting system knows it.
    pub id: AmId,
    /// Full name.
    pub name: String,
    /// Work e-mail.
    pub email: Option<String>,
    /// False once deactivated; AMs are never deleted.
    pub is_active: bool,
}

impl AccountManager {
    /// Checks a non-blank name and a plausible e-mail (`local@domain`).
    ///
    /// # Errors
    /// Every broken rule, by field.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        check_am(&self.name, self.email.as_deref())
    }
}

/// An account manager to register: under the id it is given, or (`id` `None`) under the next
/// free one, which the use case picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccountManager {
    /// The id asked for, if any.
    pub id: Option<AmId>,
    /// Full name.
    pub name: String,
    /// Work e-mail.
    pub email: Option<String>,
    /// False to register it deactivated.
    pub is_active: bool,
}

impl NewAccountManager {
    /// Checks the fields as [`AccountManager::validate`] does.
    ///
    /// # Errors
    /// Every broken rule, by field.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        check_am(&self.name, self.email.as_deref())
    }

    /// The account manager under `id`.
    pub fn with_id(self, id: AmId) -> AccountManager {
        AccountManager {
            id,
            name: self.name,
            email: self.email,
            is_active: self.is_active,
        }
    }
}

impl From<AccountManager> for NewAccountManager {
    fn from(am: AccountManager) -> Self {
        Self {
            id: Some(am.id),
            name: am.name,
            email: am.email,
            is_active: am.is_active,
        }
    }
}

fn check_am(name: &str, email: Option<&str>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    check_text(&mut errors, "name", name, 200, true);
    if let Some(e) = email {
        check_text(&mut errors, "email", e, 254, true);
        let plausible = e.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty()
                && d.contains('.')
                && !d.starts_with('.')
                && !e.contains(char::is_whitespace)
        });
        if !plausible {
            errors.push("email", "must be an e-mail address such as am@example.com");
        }
    }
    errors.into_result(())
}
