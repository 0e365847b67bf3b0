//! Sellers, campaigns and account managers on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sos_domain::{
    inputs::{Campaign, CampaignType},
    master::{AccountManager, NewAccountManager, Seller, SellerStatus},
    AmId, CampaignCode, SellerCode, ValidationErrors,
};
use sos_ports::{CampaignRecord, SellerRecord};
use utoipa::{IntoParams, ToSchema};

/// A seller as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"seller_code": "SEL001", "company_name": "Acme Cosmetics", "contract_type": "B2C", "country_code": "VN", "warehouse_id": "WH-HCM-01", "status": "active", "onboarded_at": "2025-06-01", "am_id": 1}))]
pub struct SellerBody {
    /// Unique code; on PUT it may be left out or must equal the path.
    #[serde(default)]
    pub seller_code: Option<String>,
    /// Legal or trading name.
    pub company_name: String,
    /// `B2C`, `B2B`, ...
    #[serde(default)]
    pub contract_type: Option<String>,
    /// ISO 3166-1 alpha-2 country (`VN`).
    #[serde(default)]
    pub country_code: Option<String>,
    /// Serving warehouse.
    #[serde(default)]
    pub warehouse_id: Option<String>,
    /// `active` (default), `suspended` or `terminated`.
    #[serde(default)]
    #[schema(value_type = Option<super::result_schema::SellerStatus>, example = "active")]
    pub status: Option<SellerStatus>,
    /// Onboarding day; drives new-seller grace.
    #[serde(default)]
    pub onboarded_at: Option<NaiveDate>,
    /// The seller's account manager (must exist).
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub am_id: Option<i64>,
}

impl SellerBody {
    /// The domain seller; `path_code` is the code in the URL on update.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_seller(self, path_code: Option<&str>) -> Result<Seller, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let code = match (path_code, self.seller_code.as_deref()) {
            (Some(p), Some(b)) if p != b => {
                errors.push(
                    "seller_code",
                    "must equal the seller code in the path (codes never change)",
                );
                None
            }
            (Some(p), _) => Some(p.to_owned()),
            (None, Some(b)) => Some(b.to_owned()),
            (None, None) => {
                errors.push("seller_code", "is required");
                None
            }
        };
        let code = code.and_then(|c| {
            SellerCode::parse(c)
                .map_err(|m| errors.push("seller_code", m))
                .ok()
        });
        let am = self
            .am_id
            .map(|a| AmId::new(a).map_err(|m| errors.push("am_id", m)).ok());
        let seller = code.map(|seller_code| Seller {
            seller_code,
            company_name: self.company_name,
            contract_type: self.contract_type,
            country_code: self.country_code,
            warehouse_id: self.warehouse_id,
            status: self.status.unwrap_or_default(),
            onboarded_at: self.onboarded_at,
            am_id: am.flatten(),
        });
        if let Some(s) = &seller {
            errors.collect(s.validate());
        }
        match seller {
            Some(s) if errors.is_empty() => Ok(s),
            _ => Err(errors),
        }
    }
}

/// A stored seller.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerView {
    /// Unique code.
    pub seller_code: String,
    /// Legal or trading name.
    pub company_name: String,
    /// Contract kind.
    pub contract_type: Option<String>,
    /// Country.
    pub country_code: Option<String>,
    /// Warehouse.
    pub warehouse_id: Option<String>,
    /// `active`, `suspended` or `terminated`.
    #[schema(value_type = super::result_schema::SellerStatus)]
    pub status: String,
    /// Onboarding day.
    pub onboarded_at: Option<NaiveDate>,
    /// Account manager.
    pub am_id: Option<i64>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// API key that created it.
    pub created_by: String,
    /// API key that last changed it.
    pub updated_by: String,
}

impl From<SellerRecord> for SellerView {
    fn from(r: SellerRecord) -> Self {
        Self {
            seller_code: r.seller.seller_code.into_inner(),
            company_name: r.seller.company_name,
            contract_type: r.seller.contract_type,
            country_code: r.seller.country_code,
            warehouse_id: r.seller.warehouse_id,
            status: r.seller.status.as_str().to_owned(),
            onboarded_at: r.seller.onboarded_at,
            am_id: r.seller.am_id.map(AmId::get),
            created_at: r.created_at,
            updated_at: r.updated_at,
            created_by: r.created_by,
            updated_by: r.updated_by,
        }
    }
}

/// Filters and paging of `GET /api/sellers`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SellerQuery {
    /// `active` (default), `suspended`, `terminated` or `all`.
    pub status: Option<String>,
    /// Only this AM's sellers.
    pub am_id: Option<i64>,
    /// Only this warehouse's sellers.
    pub warehouse_id: Option<String>,
    /// Code or company name contains this text.
    pub search: Option<String>,
    /// Page, from 1.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1-500 (default 20).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// A campaign as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"campaign_code": "CAMP-2026-02", "name": "Valentine 2026", "campaign_type": "major_campaign", "start_date": "2026-02-14", "end_date": "2026-02-15"}))]
pub struct CampaignBody {
    /// Unique code; on PUT it may be left out or must equal the path.
    #[serde(default)]
    pub campaign_code: Option<String>,
    /// Display name.
    pub name: String,
    /// `major_campaign` or `mini_campaign`.
    #[schema(value_type = super::result_schema::CampaignType, example = "major_campaign")]
    pub campaign_type: CampaignType,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: NaiveDate,
}

impl CampaignBody {
    /// The domain campaign.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_campaign(self, path_code: Option<&str>) -> Result<Campaign, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let code = match (path_code, self.campaign_code.as_deref()) {
            (Some(p), Some(b)) if p != b => {
                errors.push("campaign_code", "must equal the campaign code in the path");
                None
            }
            (Some(p), _) => Some(p.to_owned()),
            (None, Some(b)) => Some(b.to_owned()),
            (None, None) => {
                errors.push("campaign_code", "is required");
                None
            }
        };
        let code = code.and_then(|c| {
            CampaignCode::parse(c)
                .map_err(|m| errors.push("campaign_code", m))
                .ok()
        });
        let campaign = code.and_then(|code| {
            errors.collect(Campaign::new(
                code,
                self.name,
                self.campaign_type,
                self.start_date,
                self.end_date,
            ))
        });
        match campaign {
            Some(c) if errors.is_empty() => Ok(c),
            _ => Err(errors),
        }
    }
}

/// A stored campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignView {
    /// Unique code.
    pub campaign_code: String,
    /// Display name.
    pub name: String,
    /// Kind.
    #[schema(value_type = super::result_schema::CampaignType)]
    pub campaign_type: String,
    /// First day.
    pub start_date: NaiveDate,
    /// Last day.
    pub end_date: NaiveDate,
    /// The period the campaign belongs to.
    pub period: String,
    /// False once deactivated.
    pub is_active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// API key that created it.
    pub created_by: String,
    /// API key that last changed it.
    pub updated_by: String,
}

impl From<CampaignRecord> for CampaignView {
    fn from(r: CampaignRecord) -> Self {
        Self {
            campaign_code: r.campaign.code().to_string(),
            name: r.campaign.name().to_owned(),
            campaign_type: r.campaign.campaign_type().as_str().to_owned(),
            start_date: r.campaign.start_date(),
            end_date: r.campaign.end_date(),
            period: r.campaign.period().to_string(),
            is_active: r.is_active,
            created_at: r.created_at,
            updated_at: r.updated_at,
            created_by: r.created_by,
            updated_by: r.updated_by,
        }
    }
}

/// An account manager as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"id": 1, "name": "Nguyen Van A", "email": "a.nguyen@example.com"}))]
pub struct AmBody {
    /// Numeric id as the accounting system knows it. On create it may be left out: the next free
    /// id (one above the highest in use) is assigned and answered. On PUT it may be left out or
    /// must equal the path.
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    #[schema(minimum = 1)]
    pub id: Option<i64>,
    /// Full name.
    pub name: String,
    /// Work e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Default true.
    #[serde(default)]
    pub is_active: Option<bool>,
}

impl AmBody {
    /// The AM to register: under the body's `id`, or without one under the next free id.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_new_am(self) -> Result<NewAccountManager, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let id = self
            .id
            .map(|i| AmId::new(i).map_err(|m| errors.push("id", m)).ok());
        let am = NewAccountManager {
            id: id.flatten(),
            name: self.name,
            email: self.email,
            is_active: self.is_active.unwrap_or(true),
        };
        errors.collect(am.validate());
        errors.into_result(am)
    }

    /// The AM with the id in the path (`PUT`); a body `id` must equal it.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_am(self, path_id: i64) -> Result<AccountManager, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.id.is_some_and(|b| b != path_id) {
            errors.push("id", "must equal the id in the path");
        }
        let id = AmId::new(path_id).map_err(|m| errors.push("id", m)).ok();
        let am = id.map(|id| AccountManager {
            id,
            name: self.name,
            email: self.email,
            is_active: self.is_active.unwrap_or(true),
        });
        if let Some(a) = &am {
            errors.collect(a.validate());
        }
        match am {
            Some(a) if errors.is_empty() => Ok(a),
            _ => Err(errors),
        }
    }
}

/// A stored account manager.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmView {
    /// Id.
    pub id: i64,
    /// Full name.
    pub name: String,
    /// Work e-mail.
    pub email: Option<String>,
    /// False once deactivated.
    pub is_active: bool,
}

impl From<AccountManager> for AmView {
    fn from(a: AccountManager) -> Self {
        Self {
            id: a.id.get(),
            name: a.name,
            email: a.email,
            is_active: a.is_active,
        }
    }
}

/// Paging and the inactive switch of campaign and AM listings.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Include deactivated rows.
    pub include_inactive: Option<bool>,
    /// Page, from 1.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1-500 (default 20).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

macro_rules! page_type {
    ($name:ident, $item:ty) => {
        /// One page of rows.
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            /// The rows.
            pub items: Vec<$item>,
            /// Page, from 1.
            pub page: u32,
            /// Rows per page.
            pub limit: u32,
            /// Rows across all pages.
            pub total: u64,
        }

        impl<T: Into<$item>> From<sos_ports::Page<T>> for $name {
            fn from(p: sos_ports::Page<T>) -> Self {
                Self {
                    items: p.items.into_iter().map(Into::into).collect(),
                    page: p.page,
                    limit: p.limit,
                    total: p.total,
                }
            }
        }
    };
}

page_type!(SellerPage, SellerView);
page_type!(CampaignPage, CampaignView);
page_type!(AmPage, AmView);
pub(crate) use page_type;
