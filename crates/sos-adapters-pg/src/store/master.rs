//! Sellers, campaigns and AMs on PostgreSQL, through diesel's query builder on `schema.rs`.

use super::{db_err, PgStore};
use crate::schema::{account_manager, campaign, seller};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    dsl::now, pg::Pg, prelude::*, sql_types::Text, AsChangeset, Insertable, Queryable, Selectable,
};
use sos_domain::{
    inputs::{Campaign, CampaignType},
    master::{AccountManager, Seller, SellerStatus},
    AmId, CampaignCode, SellerCode,
};
use sos_ports::{
    AccountManagerStore, CampaignRecord, CampaignStore, Page, PageRequest, SellerFilter,
    SellerRecord, SellerStore, StoreError,
};

// `column COLLATE "und-x-icu" ILIKE pattern`: diesel has no COLLATE. ILIKE folds case by the
// collation's rules: under the C locale only ASCII letters fold, so the ICU root collation is
// named to make "đức" find "ĐỨC" as well.
diesel::infix_operator!(IcuIlike, " COLLATE \"und-x-icu\" ILIKE ", backend: Pg);

/// A seller as stored, without its id.
#[derive(Queryable, Selectable)]
#[diesel(table_name = seller, check_for_backend(Pg))]
pub(crate) struct SellerRow {
    pub seller_code: String,
    company_name: String,
    contract_type: Option<String>,
    country_code: Option<String>,
    warehouse_id: Option<String>,
    status: String,
    onboarded_at: Option<NaiveDate>,
    am_id: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: String,
    updated_by: String,
}

/// The columns a seller's create and update write (`None` writes NULL).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = seller, check_for_backend(Pg))]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
struct SellerWrite<'a> {
    company_name: &'a str,
    contract_type: Option<&'a str>,
    country_code: Option<&'a str>,
    warehouse_id: Option<&'a str>,
    status: &'a str,
    onboarded_at: Option<NaiveDate>,
    am_id: Option<i64>,
    updated_by: &'a str,
}

impl<'a> SellerWrite<'a> {
    fn new(seller: &'a Seller, actor: &'a str) -> Self {
        Self {
            company_name: &seller.company_name,
            contract_type: seller.contract_type.as_deref(),
            country_code: seller.country_code.as_deref(),
            warehouse_id: seller.warehouse_id.as_deref(),
            status: seller.status.as_str(),
            onboarded_at: seller.onboarded_at,
            am_id: seller.am_id.map(AmId::get),
            updated_by: actor,
        }
    }
}

impl SellerRow {
    pub(crate) fn into_seller(self) -> Result<Seller, StoreError> {
        Ok(self.into_record()?.seller)
    }

    fn into_record(self) -> Result<SellerRecord, StoreError> {
        let bad =
            |what: String| StoreError::Unknown(anyhow::anyhow!("stored seller is invalid: {what}"));
        Ok(SellerRecord {
            seller: Seller {
                seller_code: SellerCode::parse(self.seller_code).map_err(bad)?,
                company_name: self.company_name,
                contract_type: self.contract_type,
                country_code: self.country_code,
                warehouse_id: self.warehouse_id,
                status: self.status.parse().map_err(bad)?,
                onboarded_at: self.onboarded_at,
                am_id: self.am_id.map(AmId::new).transpose().map_err(bad)?,
            },
            created_at: self.created_at,
            updated_at: self.updated_at,
            created_by: self.created_by,
            updated_by: self.updated_by,
        })
    }
}

/// The page's offset as a bind value.
fn offset(page: PageRequest) -> i64 {
    i64::try_from(page.offset()).unwrap_or(i64::MAX)
}

fn total(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn am_conflict(e: StoreError, am: Option<AmId>) -> StoreError {
    match (e, am) {
        (StoreError::Conflict(c), Some(id)) if c.contains("am_id") => {
            StoreError::Conflict(format!("account manager {id} does not exist"))
        }
        (StoreError::Conflict(c), _) if c.contains("seller_code") => {
            StoreError::Conflict("seller already exists".into())
        }
        (other, _) => other,
    }
}

/// The sellers `filter` selects, as a query to count or to page.
fn filtered_sellers(filter: &SellerFilter) -> seller::BoxedQuery<'static, Pg> {
    let mut query = seller::table.into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(seller::status.eq(SellerStatus::as_str(status)));
    }
    if let Some(am) = filter.am_id {
        query = query.filter(seller::am_id.eq(am.get()));
    }
    if let Some(warehouse) = &filter.warehouse_id {
        query = query.filter(seller::warehouse_id.eq(warehouse.clone()));
    }
    if let Some(search) = &filter.search {
        let escaped = search
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        query = query.filter(
            IcuIlike::new(seller::seller_code, pattern.clone().into_sql::<Text>()).or(
                IcuIlike::new(seller::company_name, pattern.into_sql::<Text>()),
            ),
        );
    }
    query
}

impl SellerStore for PgStore {
    fn create_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, StoreError> {
        let mut conn = self.conn()?;
        let row = diesel::insert_into(seller::table)
            .values((
                seller::seller_code.eq(seller.seller_code.as_str()),
                seller::created_by.eq(actor),
                SellerWrite::new(seller, actor),
            ))
            .returning(SellerRow::as_returning())
            .get_result(&mut *conn)
            .map_err(|e| am_conflict(db_err(e), seller.am_id))?;
        row.into_record()
    }

    fn update_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, StoreError> {
        let mut conn = self.conn()?;
        let row = diesel::update(seller::table)
            .filter(seller::seller_code.eq(seller.seller_code.as_str()))
            .set((SellerWrite::new(seller, actor), seller::updated_at.eq(now)))
            .returning(SellerRow::as_returning())
            .get_result(&mut *conn)
            .map_err(|e| am_conflict(db_err(e), seller.am_id))?;
        row.into_record()
    }

    fn get_seller(&self, code: &SellerCode) -> Result<SellerRecord, StoreError> {
        let mut conn = self.conn()?;
        let row = seller::table
            .filter(seller::seller_code.eq(code.as_str()))
            .select(SellerRow::as_select())
            .get_result(&mut *conn)
            .map_err(db_err)?;
        row.into_record()
    }

    fn list_sellers(
        &self,
        filter: &SellerFilter,
        page: PageRequest,
    ) -> Result<Page<SellerRecord>, StoreError> {
        let mut conn = self.conn()?;
        let n: i64 = filtered_sellers(filter)
            .count()
            .get_result(&mut *conn)
            .map_err(db_err)?;
        let rows = filtered_sellers(filter)
            .order(seller::seller_code)
            .limit(i64::from(page.limit))
            .offset(offset(page))
            .select(SellerRow::as_select())
            .load(&mut *conn)
            .map_err(db_err)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(SellerRow::into_record)
                .collect::<Result<_, _>>()?,
            page: page.page,
            limit: page.limit,
            total: total(n),
        })
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = campaign, check_for_backend(Pg))]
struct CampaignRow {
    campaign_code: String,
    name: String,
    campaign_type: String,
    start_date: NaiveDate,
    end_date: NaiveDate,
    is_active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: String,
    updated_by: String,
}

/// The columns a campaign's create and update write.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = campaign, check_for_backend(Pg))]
struct CampaignWrite<'a> {
    name: &'a str,
    campaign_type: &'a str,
    start_date: NaiveDate,
    end_date: NaiveDate,
    updated_by: &'a str,
}

impl<'a> CampaignWrite<'a> {
    fn new(campaign: &'a Campaign, actor: &'a str) -> Self {
        Self {
            name: campaign.name(),
            campaign_type: campaign.campaign_type().as_str(),
            start_date: campaign.start_date(),
            end_date: campaign.end_date(),
            updated_by: actor,
        }
    }
}

impl CampaignRow {
    fn into_record(self) -> Result<CampaignRecord, StoreError> {
        let bad = |what: String| {
            StoreError::Unknown(anyhow::anyhow!("stored campaign is invalid: {what}"))
        };
        let campaign_type: CampaignType = self.campaign_type.parse().map_err(bad)?;
        let campaign = Campaign::new(
            CampaignCode::parse(self.campaign_code).map_err(bad)?,
            self.name,
            campaign_type,
            self.start_date,
            self.end_date,
        )
        .map_err(|e| bad(e.to_string()))?;
        Ok(CampaignRecord {
            campaign,
            is_active: self.is_active,
            created_at: self.created_at,
            updated_at: self.updated_at,
            created_by: self.created_by,
            updated_by: self.updated_by,
        })
    }
}

/// The campaigns listed: the active ones, or all.
fn listed_campaigns(include_inactive: bool) -> campaign::BoxedQuery<'static, Pg> {
    let query = campaign::table.into_boxed();
    if include_inactive {
        query
    } else {
        query.filter(campaign::is_active)
    }
}

impl CampaignStore for PgStore {
    fn create_campaign(
        &self,
        campaign: &Campaign,
        actor: &str,
    ) -> Result<CampaignRecord, StoreError> {
        let mut conn = self.conn()?;
        let row = diesel::insert_into(campaign::table)
            .values((
                campaign::campaign_code.eq(campaign.code().as_str()),
                campaign::created_by.eq(actor),
                CampaignWrite::new(campaign, actor),
            ))
            .returning(CampaignRow::as_returning())
            .get_result(&mut *conn)
            .map_err(|e| match db_err(e) {
                StoreError::Conflict(_) => {
                    StoreError::Conflict(format!("campaign {} already exists", campaign.code()))
                }
                other => other,
            })?;
        row.into_record()
    }

    fn update_campaign(
        &self,
        campaign: &Campaign,
        is_active: bool,
        actor: &str,
    ) -> Result<CampaignRecord, StoreError> {
        let mut conn = self.conn()?;
        let row = diesel::update(campaign::table)
            .filter(campaign::campaign_code.eq(campaign.code().as_str()))
            .set((
                CampaignWrite::new(campaign, actor),
                campaign::is_active.eq(is_active),
                campaign::updated_at.eq(now),
            ))
            .returning(CampaignRow::as_returning())
            .get_result(&mut *conn)
            .map_err(db_err)?;
        row.into_record()
    }

    fn get_campaign(&self, code: &CampaignCode) -> Result<CampaignRecord, StoreError> {
        let mut conn = self.conn()?;
        let row = campaign::table
            .filter(campaign::campaign_code.eq(code.as_str()))
            .select(CampaignRow::as_select())
            .get_result(&mut *conn)
            .map_err(db_err)?;
        row.into_record()
    }

    fn list_campaigns(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<CampaignRecord>, StoreError> {
        let mut conn = self.conn()?;
        let n: i64 = listed_campaigns(include_inactive)
            .count()
            .get_result(&mut *conn)
            .map_err(db_err)?;
        let rows = listed_campaigns(include_inactive)
            .order((campaign::start_date.desc(), campaign::campaign_code))
            .limit(i64::from(page.limit))
            .offset(offset(page))
            .select(CampaignRow::as_select())
            .load(&mut *conn)
            .map_err(db_err)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(CampaignRow::into_record)
                .collect::<Result<_, _>>()?,
            page: page.page,
            limit: page.limit,
            total: total(n),
        })
    }
}

/// An account manager as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = account_manager, check_for_backend(Pg))]
pub(crate) struct AmRow {
    id: i64,
    name: String,
    email: Option<String>,
    is_active: bool,
}

/// The columns an AM's create and update write (`None` writes NULL).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = account_manager, check_for_backend(Pg))]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
struct AmWrite<'a> {
    name: &'a str,
    email: Option<&'a str>,
    is_active: bool,
    updated_by: &'a str,
}

impl<'a> AmWrite<'a> {
    fn new(am: &'a AccountManager, actor: &'a str) -> Self {
        Self {
            name: &am.name,
            email: am.email.as_deref(),
            is_active: am.is_active,
            updated_by: actor,
        }
    }
}

/// The AMs listed: the active ones, or all.
fn listed_ams(include_inactive: bool) -> account_manager::BoxedQuery<'static, Pg> {
    let query = account_manager::table.into_boxed();
    if include_inactive {
        query
    } else {
        query.filter(account_manager::is_active)
    }
}

impl AmRow {
    pub(crate) fn into_am(self) -> Result<AccountManager, StoreError> {
        Ok(AccountManager {
            id: AmId::new(self.id).map_err(|e| StoreError::Unknown(anyhow::anyhow!(e)))?,
            name: self.name,
            email: self.email,
            is_active: self.is_active,
        })
    }
}

impl AccountManagerStore for PgStore {
    fn create_am(&self, am: &AccountManager, actor: &str) -> Result<AccountManager, StoreError> {
        let mut conn = self.conn()?;
        let row = diesel::insert_into(account_manager::table)
            .values((
                account_manager::id.eq(am.id.get()),
                account_manager::created_by.eq(actor),
                AmWrite::new(am, actor),
            ))
            .returning(AmRow::as_returning())
            .get_result(&mut *conn)
            .map_err(|e| match db_err(e) {
                StoreError::Conflict(_) => {
                    StoreError::Conflict(format!("account manager {} already exists", am.id))
                }
                other => other,
            })?;
        row.into_am()
    }

    fn update_am(&self, am: &AccountManager, actor: &str) -> Result<AccountManager, StoreError> {
        let mut conn = self.conn()?;
        let row = diesel::update(account_manager::table.find(am.id.get()))
            .set((AmWrite::new(am, actor), account_manager::updated_at.eq(now)))
            .returning(AmRow::as_returning())
            .get_result(&mut *conn)
            .map_err(db_err)?;
        row.into_am()
    }

    fn get_am(&self, id: AmId) -> Result<AccountManager, StoreError> {
        let mut conn = self.conn()?;
        let row = account_manager::table
            .find(id.get())
            .select(AmRow::as_select())
            .get_result(&mut *conn)
            .map_err(db_err)?;
        row.into_am()
    }

    fn highest_am_id(&self) -> Result<Option<AmId>, StoreError> {
        let mut conn = self.conn()?;
        let highest: Option<i64> = account_manager::table
            .select(diesel::dsl::max(account_manager::id))
            .get_result(&mut *conn)
            .map_err(db_err)?;
        highest
            .map(|id| AmId::new(id).map_err(|m| StoreError::Unknown(anyhow::anyhow!(m))))
            .transpose()
    }

    fn list_ams(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<AccountManager>, StoreError> {
        let mut conn = self.conn()?;
        let n: i64 = listed_ams(include_inactive)
            .count()
            .get_result(&mut *conn)
            .map_err(db_err)?;
        let rows = listed_ams(include_inactive)
            .order(account_manager::id)
            .limit(i64::from(page.limit))
            .offset(offset(page))
            .select(AmRow::as_select())
            .load(&mut *conn)
            .map_err(db_err)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(AmRow::into_am)
                .collect::<Result<_, _>>()?,
            page: page.page,
            limit: page.limit,
            total: total(n),
        })
    }
}
