//! Sellers, campaigns and AMs in memory.

use crate::MemoryStore;
use sos_domain::{
    inputs::Campaign,
    master::{AccountManager, Seller},
    AmId, CampaignCode, SellerCode,
};
use sos_ports::{
    AccountManagerStore, CampaignRecord, CampaignStore, Clock, Page, PageRequest, SellerFilter,
    SellerRecord, SellerStore, StoreError,
};

/// Cuts one page out of an ordered listing.
pub(crate) fn paginate<T>(rows: Vec<T>, page: PageRequest) -> Page<T> {
    let total = rows.len() as u64;
    let items = rows
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(page.limit as usize)
        .collect();
    Page {
        items,
        page: page.page,
        limit: page.limit,
        total,
    }
}

fn check_am(state: &crate::state::State, am: Option<AmId>) -> Result<(), StoreError> {
    match am {
        Some(id) if !state.ams.contains_key(&id) => Err(StoreError::Conflict(format!(
            "account manager {id} does not exist"
        ))),
        _ => Ok(()),
    }
}

impl SellerStore for MemoryStore {
    fn create_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, StoreError> {
        let now = self.now();
        let mut state = self.state();
        if state.sellers.contains_key(&seller.seller_code) {
            return Err(StoreError::Conflict(format!(
                "seller {} already exists",
                seller.seller_code
            )));
        }
        check_am(&state, seller.am_id)?;
        let record = SellerRecord {
            seller: seller.clone(),
            created_at: now,
            updated_at: now,
            created_by: actor.to_owned(),
            updated_by: actor.to_owned(),
        };
        state
            .sellers
            .insert(seller.seller_code.clone(), record.clone());
        Ok(record)
    }

    fn update_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, StoreError> {
        let now = self.now();
        let mut state = self.state();
        check_am(&state, seller.am_id)?;
        let record = state
            .sellers
            .get_mut(&seller.seller_code)
            .ok_or(StoreError::NotFound)?;
        record.seller = seller.clone();
        record.updated_at = now;
        record.updated_by = actor.to_owned();
        Ok(record.clone())
    }

    fn get_seller(&self, code: &SellerCode) -> Result<SellerRecord, StoreError> {
        self.state()
            .sellers
            .get(code)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    fn list_sellers(
        &self,
        filter: &SellerFilter,
        page: PageRequest,
    ) -> Result<Page<SellerRecord>, StoreError> {
        let needle = filter.search.as_ref().map(|s| s.to_lowercase());
        let rows: Vec<SellerRecord> = self
            .state()
            .sellers
            .values()
            .filter(|r| filter.status.is_none_or(|s| r.seller.status == s))
            .filter(|r| filter.am_id.is_none_or(|a| r.seller.am_id == Some(a)))
            .filter(|r| {
                filter
                    .warehouse_id
                    .as_ref()
                    .is_none_or(|w| r.seller.warehouse_id.as_ref() == Some(w))
            })
            .filter(|r| {
                needle.as_ref().is_none_or(|n| {
                    r.seller.seller_code.as_str().to_lowercase().contains(n)
                        || r.seller.company_name.to_lowercase().contains(n)
                })
            })
            .cloned()
            .collect();
        Ok(paginate(rows, page))
    }
}

impl CampaignStore for MemoryStore {
    fn create_campaign(
        &self,
        campaign: &Campaign,
        actor: &str,
    ) -> Result<CampaignRecord, StoreError> {
        let now = self.now();
        let mut state = self.state();
        if state.campaigns.contains_key(campaign.code()) {
            return Err(StoreError::Conflict(format!(
                "campaign {} already exists",
                campaign.code()
            )));
        }
        let record = CampaignRecord {
            campaign: campaign.clone(),
            is_active: true,
            created_at: now,
            updated_at: now,
            created_by: actor.to_owned(),
            updated_by: actor.to_owned(),
        };
        state
            .campaigns
            .insert(campaign.code().clone(), record.clone());
        Ok(record)
    }

    fn update_campaign(
        &self,
        campaign: &Campaign,
        is_active: bool,
        actor: &str,
    ) -> Result<CampaignRecord, StoreError> {
        let now = self.now();
        let mut state = self.state();
        let record = state
            .campaigns
            .get_mut(campaign.code())
            .ok_or(StoreError::NotFound)?;
        record.campaign = campaign.clone();
        record.is_active = is_active;
        record.updated_at = now;
        record.updated_by = actor.to_owned();
        Ok(record.clone())
    }

    fn get_campaign(&self, code: &CampaignCode) -> Result<CampaignRecord, StoreError> {
        self.state()
            .campaigns
            .get(code)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    fn list_campaigns(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<CampaignRecord>, StoreError> {
        let mut rows: Vec<CampaignRecord> = self
            .state()
            .campaigns
            .values()
            .filter(|c| include_inactive || c.is_active)
            .cloned()
            .collect();
        rows.sort_by(|a, b| {
            b.campaign
                .start_date()
                .cmp(&a.campaign.start_date())
                .then_with(|| a.campaign.code().cmp(b.campaign.code()))
        });
        Ok(paginate(rows, page))
    }
}

impl AccountManagerStore for MemoryStore {
    fn create_am(&self, am: &AccountManager, _actor: &str) -> Result<AccountManager, StoreError> {
        let mut state = self.state();
        if state.ams.contains_key(&am.id) {
            return Err(StoreError::Conflict(format!(
                "account manager {} already exists",
                am.id
            )));
        }
        state.ams.insert(am.id, am.clone());
        Ok(am.clone())
    }

    fn update_am(&self, am: &AccountManager, _actor: &str) -> Result<AccountManager, StoreError> {
        let mut state = self.state();
        let row = state.ams.get_mut(&am.id).ok_or(StoreError::NotFound)?;
        *row = am.clone();
        Ok(am.clone())
    }

    fn get_am(&self, id: AmId) -> Result<AccountManager, StoreError> {
        self.state()
            .ams
            .get(&id)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    fn highest_am_id(&self) -> Result<Option<AmId>, StoreError> {
        Ok(self.state().ams.keys().next_back().copied())
    }

    fn list_ams(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<AccountManager>, StoreError> {
        let rows = self
            .state()
            .ams
            .values()
            .filter(|a| include_inactive || a.is_active)
            .cloned()
            .collect();
        Ok(paginate(rows, page))
    }
}
