//! Master data: sellers, campaigns, account managers. Nothing is hard-deleted.

use crate::{audit, errors::MasterError, Sos};
use sos_domain::{
    inputs::Campaign,
    master::{AccountManager, NewAccountManager, Seller, SellerStatus},
    AmId, CampaignCode, SellerCode,
};
use sos_ports::{
    AccountManagerStore, AuditStore, CampaignRecord, CampaignStore, Clock, Page, PageRequest,
    SellerFilter, SellerRecord, SellerStore, StoreError,
};

/// How often an AM created without an id is retried when another writer took its next free
/// id first.
const NEXT_ID_ATTEMPTS: u32 = 20;

fn json<T: serde::Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

impl<R: SellerStore + AuditStore + Clock> Sos<R> {
    /// Registers a seller.
    ///
    /// # Errors
    /// [`MasterError::Invalid`]; [`MasterError::Conflict`] for a taken code or unknown AM.
    pub fn create_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, MasterError> {
        seller.validate().map_err(MasterError::Invalid)?;
        let row = self.ports.create_seller(seller, actor)?;
        audit::record(
            &self.ports,
            actor,
            "seller".into(),
            seller.seller_code.to_string(),
            "create",
            None,
            json(&row),
        );
        Ok(row)
    }

    /// Replaces a seller's fields.
    ///
    /// # Errors
    /// [`MasterError::Invalid`], [`MasterError::NotFound`], [`MasterError::Conflict`].
    pub fn update_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, MasterError> {
        seller.validate().map_err(MasterError::Invalid)?;
        let old = self.ports.get_seller(&seller.seller_code)?;
        let row = self.ports.update_seller(seller, actor)?;
        audit::record(
            &self.ports,
            actor,
            "seller".into(),
            seller.seller_code.to_string(),
            "update",
            json(&old),
            json(&row),
        );
        Ok(row)
    }

    /// Marks a seller terminated; its history stays.
    ///
    /// # Errors
    /// [`MasterError::NotFound`].
    pub fn deactivate_seller(
        &self,
        code: &SellerCode,
        actor: &str,
    ) -> Result<SellerRecord, MasterError> {
        let old = self.ports.get_seller(code)?;
        let mut seller = old.seller.clone();
        seller.status = SellerStatus::Terminated;
        let row = self.ports.update_seller(&seller, actor)?;
        audit::record(
            &self.ports,
            actor,
            "seller".into(),
            code.to_string(),
            "deactivate",
            json(&old),
            json(&row),
        );
        Ok(row)
    }

    /// One seller.
    ///
    /// # Errors
    /// [`MasterError::NotFound`].
    pub fn get_seller(&self, code: &SellerCode) -> Result<SellerRecord, MasterError> {
        Ok(self.ports.get_seller(code)?)
    }

    /// Sellers matching `filter`.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn list_sellers(
        &self,
        filter: &SellerFilter,
        page: PageRequest,
    ) -> Result<Page<SellerRecord>, MasterError> {
        Ok(self.ports.list_sellers(filter, page)?)
    }
}

impl<R: CampaignStore + AuditStore + Clock> Sos<R> {
    /// Registers a campaign.
    ///
    /// # Errors
    /// [`MasterError::Conflict`] for a taken code.
    pub fn create_campaign(
        &self,
        campaign: &Campaign,
        actor: &str,
    ) -> Result<CampaignRecord, MasterError> {
        let row = self.ports.create_campaign(campaign, actor)?;
        audit::record(
            &self.ports,
            actor,
            "campaign".into(),
            campaign.code().to_string(),
            "create",
            None,
            json(&row),
        );
        Ok(row)
    }

    /// Replaces a campaign's fields.
    ///
    /// # Errors
    /// [`MasterError::NotFound`].
    pub fn update_campaign(
        &self,
        campaign: &Campaign,
        actor: &str,
    ) -> Result<CampaignRecord, MasterError> {
        let old = self.ports.get_campaign(campaign.code())?;
        let row = self.ports.update_campaign(campaign, old.is_active, actor)?;
        audit::record(
            &self.ports,
            actor,
            "campaign".into(),
            campaign.code().to_string(),
            "update",
            json(&old),
            json(&row),
        );
        Ok(row)
    }

    /// Deactivates a campaign; its forecasts and actuals stay.
    ///
    /// # Errors
    /// [`MasterError::NotFound`].
    pub fn deactivate_campaign(
        &self,
        code: &CampaignCode,
        actor: &str,
    ) -> Result<CampaignRecord, MasterError> {
        let old = self.ports.get_campaign(code)?;
        let row = self.ports.update_campaign(&old.campaign, false, actor)?;
        audit::record(
            &self.ports,
            actor,
            "campaign".into(),
            code.to_string(),
            "deactivate",
            json(&old),
            json(&row),
        );
        Ok(row)
    }

    /// One campaign.
    ///
    /// # Errors
    /// [`MasterError::NotFound`].
    pub fn get_campaign(&self, code: &CampaignCode) -> Result<CampaignRecord, MasterError> {
        Ok(self.ports.get_campaign(code)?)
    }

    /// Campaigns, newest first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn list_campaigns(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<CampaignRecord>, MasterError> {
        Ok(self.ports.list_campaigns(include_inactive, page)?)
    }
}

impl<R: AccountManagerStore + AuditStore + Clock> Sos<R> {
    /// Registers an AM under the id it is given, or, without one, under the next free id: one
    /// above the highest in use (1 for the first AM). The answer carries the id.
    ///
    /// # Errors
    /// [`MasterError::Invalid`]; [`MasterError::Conflict`] for a taken id, or when no id is
    /// left above the highest.
    pub fn create_am(
        &self,
        am: NewAccountManager,
        actor: &str,
    ) -> Result<AccountManager, MasterError> {
        am.validate().map_err(MasterError::Invalid)?;
        // A next free id another writer takes first is a conflict: pick again.
        let mut attempts_left = NEXT_ID_ATTEMPTS;
        let row = loop {
            let id = match am.id {
                Some(id) => id,
                None => self.next_am_id()?,
            };
            match self.ports.create_am(&am.clone().with_id(id), actor) {
                Err(StoreError::Conflict(_)) if am.id.is_none() && attempts_left > 1 => {
                    attempts_left -= 1;
                }
                result => break result?,
            }
        };
        audit::record(
            &self.ports,
            actor,
            "account_manager".into(),
            row.id.to_string(),
            "create",
            None,
            json(&row),
        );
        Ok(row)
    }

    fn next_am_id(&self) -> Result<AmId, MasterError> {
        match self.ports.highest_am_id()? {
            None => Ok(AmId::FIRST),
            Some(highest) => highest.next().ok_or_else(|| {
                MasterError::Conflict(format!(
                    "no account manager id is left above {highest}; give an id"
                ))
            }),
        }
    }

    /// Replaces an AM's fields.
    ///
    /// # Errors
    /// [`MasterError::Invalid`], [`MasterError::NotFound`].
    pub fn update_am(
        &self,
        am: &AccountManager,
        actor: &str,
    ) -> Result<AccountManager, MasterError> {
        am.validate().map_err(MasterError::Invalid)?;
        let old = self.ports.get_am(am.id)?;
        let row = self.ports.update_am(am, actor)?;
        audit::record(
            &self.ports,
            actor,
            "account_manager".into(),
            am.id.to_string(),
            "update",
            json(&old),
            json(&row),
        );
        Ok(row)
    }

    /// Deactivates an AM; its history stays.
    ///
    /// # Errors
    /// [`MasterError::NotFound`].
    pub fn deactivate_am(&self, id: AmId, actor: &str) -> Result<AccountManager, MasterError> {
        let old = self.ports.get_am(id)?;
        let mut am = old.clone();
        am.is_active = false;
        let row = self.ports.update_am(&am, actor)?;
        audit::record(
            &self.ports,
            actor,
            "account_manager".into(),
            id.to_string(),
            "deactivate",
            json(&old),
            json(&row),
        );
        Ok(row)
    }

    /// One AM.
    ///
    /// # Errors
    /// [`MasterError::NotFound`].
    pub fn get_am(&self, id: AmId) -> Result<AccountManager, MasterError> {
        Ok(self.ports.get_am(id)?)
    }

    /// AMs by id.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn list_ams(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<AccountManager>, MasterError> {
        Ok(self.ports.list_ams(include_inactive, page)?)
    }
}
