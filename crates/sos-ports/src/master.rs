//! Sellers, campaigns and account managers.

use crate::errors::StoreError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sos_domain::{
    inputs::Campaign,
    master::{AccountManager, Seller, SellerStatus},
    AmId, CampaignCode, SellerCode,
};

/// Which page of a listing to return. Pages count from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    /// Rows per page, 1-500.
    pub limit: u32,
}

impl PageRequest {
    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.limit)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { page: 1, limit: 20 }
    }
}

/// One page of rows and the total across all pages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// 1-based page number.
    pub page: u32,
    /// Rows per page.
    pub limit: u32,
    /// Rows across all pages.
    pub total: u64,
}

/// A stored seller and its bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SellerRecord {
    /// The seller.
    #[serde(flatten)]
    pub seller: Seller,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The API key name that created it.
    pub created_by: String,
    /// The API key name that last changed it.
    pub updated_by: String,
}

/// Filters of the seller listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SellerFilter {
    /// Only this status (the API defaults to active).
    pub status: Option<SellerStatus>,
    /// Only this AM's sellers.
    pub am_id: Option<AmId>,
    /// Only this warehouse's sellers.
    pub warehouse_id: Option<String>,
    /// Code or company name contains this text (case-insensitive).
    pub search: Option<String>,
}

/// Seller master data.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait SellerStore: Send + Sync {
    /// Stores a new seller.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the code exists or `am_id` names no AM.
    fn create_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, StoreError>;

    /// Replaces a seller's fields (the code stays).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no seller has the code; `Conflict` for an unknown AM.
    fn update_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, StoreError>;

    /// One seller.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no seller has the code.
    fn get_seller(&self, code: &SellerCode) -> Result<SellerRecord, StoreError>;

    /// Sellers matching `filter`, ordered by code.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn list_sellers(
        &self,
        filter: &SellerFilter,
        page: PageRequest,
    ) -> Result<Page<SellerRecord>, StoreError>;
}

/// A stored campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignRecord {
    /// The campaign.
    pub campaign: Campaign,
    /// False once deactivated.
    pub is_active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The API key name that created it.
    pub created_by: String,
    /// The API key name that last changed it.
    pub updated_by: String,
}

/// Campaign master data.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait CampaignStore: Send + Sync {
    /// Stores a new campaign.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the code exists.
    fn create_campaign(
        &self,
        campaign: &Campaign,
        actor: &str,
    ) -> Result<CampaignRecord, StoreError>;

    /// Replaces a campaign's fields and its active flag.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no campaign has the code.
    fn update_campaign(
        &self,
        campaign: &Campaign,
        is_active: bool,
        actor: &str,
    ) -> Result<CampaignRecord, StoreError>;

    /// One campaign.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no campaign has the code.
    fn get_campaign(&self, code: &CampaignCode) -> Result<CampaignRecord, StoreError>;

    /// Campaigns, newest start first; inactive ones only when asked.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn list_campaigns(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<CampaignRecord>, StoreError>;
}

/// Account managers.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait AccountManagerStore: Send + Sync {
    /// Stores a new AM under its id.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the id exists.
    fn create_am(&self, am: &AccountManager, actor: &str) -> Result<AccountManager, StoreError>;

    /// Replaces an AM's fields.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no AM has the id.
    fn update_am(&self, am: &AccountManager, actor: &str) -> Result<AccountManager, StoreError>;

    /// One AM.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no AM has the id.
    fn get_am(&self, id: AmId) -> Result<AccountManager, StoreError>;

    /// The highest id in use, deactivated AMs included; `None` when there is no AM.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn highest_am_id(&self) -> Result<Option<AmId>, StoreError>;

    /// AMs ordered by id; inactive ones only when asked.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn list_ams(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<AccountManager>, StoreError>;
}
