//! Ports behind shared pointers, so adapters can hand the use cases one
//! `Arc<dyn AllPorts>` and the HTTP layer needs no generics.

use crate::*;
use chrono::TimeDelta;
use chrono::{DateTime, Utc};
use sos_domain::{
    config::{ConfigDraft, ConfigId, ConfigRecord, ConfigType},
    inputs::Campaign,
    master::{AccountManager, Seller},
    webhook::{SubscriptionDraft, WebhookSecret},
    AmId, AmPortfolioScore, CampaignCode, Period, SellerCode,
};
use std::sync::Arc;

/// Every port at once: what a storage adapter provides and what `sos_app::Sos` needs.
pub trait AllPorts:
    SellerStore
    + CampaignStore
    + AccountManagerStore
    + SyncStore
    + ConfigStore
    + ScoreStore
    + ApiKeyStore
    + AuditStore
    + WebhookStore
    + ExceptionStore
    + AppealStore
    + EnforcementStore
    + Random
    + Clock
{
}

impl<T> AllPorts for T where
    T: SellerStore
        + CampaignStore
        + AccountManagerStore
        + SyncStore
        + ConfigStore
        + ScoreStore
        + ApiKeyStore
        + AuditStore
        + WebhookStore
        + ExceptionStore
        + AppealStore
        + EnforcementStore
        + Random
        + Clock
        + ?Sized
{
}

impl<T: SellerStore + ?Sized> SellerStore for Arc<T> {
    fn create_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, StoreError> {
        (**self).create_seller(seller, actor)
    }
    fn update_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, StoreError> {
        (**self).update_seller(seller, actor)
    }
    fn get_seller(&self, code: &SellerCode) -> Result<SellerRecord, StoreError> {
        (**self).get_seller(code)
    }
    fn list_sellers(
        &self,
        filter: &SellerFilter,
        page: PageRequest,
    ) -> Result<Page<SellerRecord>, StoreError> {
        (**self).list_sellers(filter, page)
    }
}

impl<T: CampaignStore + ?Sized> CampaignStore for Arc<T> {
    fn create_campaign(
        &self,
        campaign: &Campaign,
        actor: &str,
    ) -> Result<CampaignRecord, StoreError> {
        (**self).create_campaign(campaign, actor)
    }
    fn update_campaign(
        &self,
        campaign: &Campaign,
        is_active: bool,
        actor: &str,
    ) -> Result<CampaignRecord, StoreError> {
        (**self).update_campaign(campaign, is_active, actor)
    }
    fn get_campaign(&self, code: &CampaignCode) -> Result<CampaignRecord, StoreError> {
        (**self).get_campaign(code)
    }
    fn list_campaigns(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<CampaignRecord>, StoreError> {
        (**self).list_campaigns(include_inactive, page)
    }
}

impl<T: AccountManagerStore + ?Sized> AccountManagerStore for Arc<T> {
    fn create_am(&self, am: &AccountManager, actor: &str) -> Result<AccountManager, StoreError> {
        (**self).create_am(am, actor)
    }
    fn update_am(&self, am: &AccountManager, actor: &str) -> Result<AccountManager, StoreError> {
        (**self).update_am(am, actor)
    }
    fn get_am(&self, id: AmId) -> Result<AccountManager, StoreError> {
        (**self).get_am(id)
    }
    fn highest_am_id(&self) -> Result<Option<AmId>, StoreError> {
        (**self).highest_am_id()
    }
    fn list_ams(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<AccountManager>, StoreError> {
        (**self).list_ams(include_inactive, page)
    }
}

impl<T: SyncStore + ?Sized> SyncStore for Arc<T> {
    fn apply(&self, batch: &SyncBatch) -> Result<usize, SyncStoreError> {
        (**self).apply(batch)
    }
}

impl<T: ConfigStore + ?Sized> ConfigStore for Arc<T> {
    fn list_config(
        &self,
        config_type: ConfigType,
        include_inactive: bool,
    ) -> Result<Vec<ConfigRecord>, StoreError> {
        (**self).list_config(config_type, include_inactive)
    }
    fn get_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
    ) -> Result<ConfigRecord, StoreError> {
        (**self).get_config(config_type, id)
    }
    fn create_config(&self, draft: &ConfigDraft, actor: &str) -> Result<ConfigRecord, StoreError> {
        (**self).create_config(draft, actor)
    }
    fn update_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
        draft: &ConfigDraft,
        actor: &str,
    ) -> Result<ConfigRecord, StoreError> {
        (**self).update_config(config_type, id, draft, actor)
    }
    fn deactivate_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
        actor: &str,
    ) -> Result<ConfigRecord, StoreError> {
        (**self).deactivate_config(config_type, id, actor)
    }
    fn all_config(&self) -> Result<Vec<ConfigRecord>, StoreError> {
        (**self).all_config()
    }
    fn seed_defaults(&self, drafts: &[ConfigDraft], actor: &str) -> Result<usize, StoreError> {
        (**self).seed_defaults(drafts, actor)
    }
}

impl<T: ScoreStore + ?Sized> ScoreStore for Arc<T> {
    fn load_seller_inputs(
        &self,
        period: Period,
        scope: &CalculationScope,
        after: Option<SellerCode>,
        limit: usize,
    ) -> Result<Vec<SellerWithInputs>, StoreError> {
        (**self).load_seller_inputs(period, scope, after, limit)
    }
    fn load_am_inputs(&self, period: Period) -> Result<Vec<AmInputs>, StoreError> {
        (**self).load_am_inputs(period)
    }
    fn begin_calculation(
        &self,
        period: Period,
        scope: &CalculationScope,
    ) -> Result<Box<dyn CalculationTx>, CalculationStoreError> {
        (**self).begin_calculation(period, scope)
    }
    fn record_run(&self, run: &CalculationRun) -> Result<i64, StoreError> {
        (**self).record_run(run)
    }
    fn finalize_period(
        &self,
        period: Period,
        actor: &str,
        events: &dyn FinalizeEvents,
    ) -> Result<bool, StoreError> {
        (**self).finalize_period(period, actor, events)
    }
    fn is_finalized(&self, period: Period) -> Result<bool, StoreError> {
        (**self).is_finalized(period)
    }
    fn list_scores(
        &self,
        period: Period,
        filter: &ScoreFilter,
        page: PageRequest,
    ) -> Result<Page<StoredScore>, StoreError> {
        (**self).list_scores(period, filter, page)
    }
    fn seller_history(&self, seller: &SellerCode) -> Result<Vec<StoredScore>, StoreError> {
        (**self).seller_history(seller)
    }
    fn get_score(&self, seller: &SellerCode, period: Period) -> Result<StoredScore, StoreError> {
        (**self).get_score(seller, period)
    }
    fn period_summary(&self, period: Period) -> Result<PeriodSummary, StoreError> {
        (**self).period_summary(period)
    }
    fn get_am_score(&self, am: AmId, period: Period) -> Result<AmPortfolioScore, StoreError> {
        (**self).get_am_score(am, period)
    }
    fn list_runs(
        &self,
        period: Option<Period>,
        limit: u32,
    ) -> Result<Vec<CalculationRun>, StoreError> {
        (**self).list_runs(period, limit)
    }
}

impl<T: ApiKeyStore + ?Sized> ApiKeyStore for Arc<T> {
    fn create_key(
        &self,
        name: &str,
        prefix: &str,
        key_hash: &str,
        scopes: &[Scope],
    ) -> Result<ApiKeyRecord, StoreError> {
        (**self).create_key(name, prefix, key_hash, scopes)
    }
    fn find_key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        (**self).find_key_by_prefix(prefix)
    }
    fn list_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        (**self).list_keys()
    }
    fn revoke_key(&self, name: &str) -> Result<ApiKeyRecord, StoreError> {
        (**self).revoke_key(name)
    }
    fn touch_key(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        (**self).touch_key(id, at)
    }
    fn count_keys(&self) -> Result<u64, StoreError> {
        (**self).count_keys()
    }
}

impl<T: AuditStore + ?Sized> AuditStore for Arc<T> {
    fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        (**self).append_audit(entry)
    }
    fn list_audit(
        &self,
        entity: Option<String>,
        entity_id: Option<String>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        (**self).list_audit(entity, entity_id, limit)
    }
}

impl<T: Clock + ?Sized> Clock for Arc<T> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

impl<T: Random + ?Sized> Random for Arc<T> {
    fn bytes32(&self) -> Result<[u8; 32], anyhow::Error> {
        (**self).bytes32()
    }
}

impl<T: WebhookStore + ?Sized> WebhookStore for Arc<T> {
    fn create_subscription(
        &self,
        settings: &SubscriptionDraft,
        secret: &WebhookSecret,
        actor: &str,
    ) -> Result<Subscription, StoreError> {
        (**self).create_subscription(settings, secret, actor)
    }
    fn get_subscription(&self, id: i64) -> Result<Subscription, StoreError> {
        (**self).get_subscription(id)
    }
    fn list_subscriptions(&self, page: PageRequest) -> Result<Page<Subscription>, StoreError> {
        (**self).list_subscriptions(page)
    }
    fn update_subscription(
        &self,
        id: i64,
        settings: &SubscriptionDraft,
        actor: &str,
    ) -> Result<Subscription, StoreError> {
        (**self).update_subscription(id, settings, actor)
    }
    fn delete_subscription(&self, id: i64, actor: &str) -> Result<(), StoreError> {
        (**self).delete_subscription(id, actor)
    }
    fn rotate_secret(
        &self,
        id: i64,
        secret: &WebhookSecret,
        previous_until: DateTime<Utc>,
        actor: &str,
    ) -> Result<Subscription, StoreError> {
        (**self).rotate_secret(id, secret, previous_until, actor)
    }
    fn list_deliveries(
        &self,
        subscription_id: i64,
        page: PageRequest,
    ) -> Result<Page<Delivery>, StoreError> {
        (**self).list_deliveries(subscription_id, page)
    }
    fn replay_delivery(
        &self,
        delivery_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        (**self).replay_delivery(delivery_id, now)
    }
    fn replay_since(
        &self,
        subscription_id: i64,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        (**self).replay_since(subscription_id, since, now)
    }
    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease_margin: TimeDelta,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        (**self).claim_due(now, limit, lease_margin)
    }
    fn record_attempt(
        &self,
        delivery_id: i64,
        lease: i64,
        attempt: &Attempt,
        resolution: Resolution,
    ) -> Result<bool, StoreError> {
        (**self).record_attempt(delivery_id, lease, attempt, resolution)
    }
    fn webhook_stats(&self, now: DateTime<Utc>) -> Result<WebhookStats, StoreError> {
        (**self).webhook_stats(now)
    }
}

impl<T: ExceptionStore + ?Sized> ExceptionStore for Arc<T> {
    fn create_exception(
        &self,
        draft: &sos_domain::exception::ExceptionDraft,
        actor: &str,
    ) -> Result<ExceptionRecord, StoreError> {
        (**self).create_exception(draft, actor)
    }
    fn get_exception(&self, id: i64) -> Result<ExceptionRecord, StoreError> {
        (**self).get_exception(id)
    }
    fn list_exceptions(
        &self,
        filter: &ExceptionFilter,
    ) -> Result<Vec<ExceptionRecord>, StoreError> {
        (**self).list_exceptions(filter)
    }
    fn revoke_exception(
        &self,
        id: i64,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<ExceptionRecord, StoreError> {
        (**self).revoke_exception(id, actor, at)
    }
}

impl<T: AppealStore + ?Sized> AppealStore for Arc<T> {
    fn create_appeal(&self, row: &NewAppealRow, actor: &str) -> Result<AppealRecord, StoreError> {
        (**self).create_appeal(row, actor)
    }
    fn get_appeal(&self, id: i64) -> Result<AppealRecord, StoreError> {
        (**self).get_appeal(id)
    }
    fn list_appeals(
        &self,
        filter: &AppealFilter,
        page: PageRequest,
    ) -> Result<Page<AppealRecord>, StoreError> {
        (**self).list_appeals(filter, page)
    }
    fn appeals_on(
        &self,
        seller: &SellerCode,
        period: Period,
        target: sos_domain::appeal::AppealTarget,
    ) -> Result<Vec<sos_domain::appeal::Appeal>, StoreError> {
        (**self).appeals_on(seller, period, target)
    }
    fn open_appeals(&self) -> Result<Vec<sos_domain::appeal::Appeal>, StoreError> {
        (**self).open_appeals()
    }
    fn finalized_at(&self, period: Period) -> Result<Option<DateTime<Utc>>, StoreError> {
        (**self).finalized_at(period)
    }
    fn record_transition(&self, transition: &AppealTransition) -> Result<AppealRecord, StoreError> {
        (**self).record_transition(transition)
    }
    fn reserve_exception_id(&self) -> Result<i64, StoreError> {
        (**self).reserve_exception_id()
    }
    fn apply_approval(&self, approval: &AppealApproval) -> Result<AppealRecord, StoreError> {
        (**self).apply_approval(approval)
    }
    fn superseded_scores(
        &self,
        seller: &SellerCode,
        period: Period,
    ) -> Result<Vec<StoredScore>, StoreError> {
        (**self).superseded_scores(seller, period)
    }
}

impl<T: EnforcementStore + ?Sized> EnforcementStore for Arc<T> {
    fn get_enforcement(
        &self,
        seller: &SellerCode,
    ) -> Result<sos_domain::enforcement::Enforcement, StoreError> {
        (**self).get_enforcement(seller)
    }
    fn enforcement_history(&self, seller: &SellerCode) -> Result<Vec<BlockRecord>, StoreError> {
        (**self).enforcement_history(seller)
    }
    fn unblock_seller(
        &self,
        seller: &SellerCode,
        reason: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<sos_domain::enforcement::Enforcement, UnblockError> {
        (**self).unblock_seller(seller, reason, actor, at)
    }
}
