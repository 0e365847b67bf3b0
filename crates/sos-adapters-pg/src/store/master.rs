//! Sellers, campaigns and AMs on PostgreSQL.

use super::{db_err, PgStore};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    sql_query,
    sql_types::{BigInt, Bool, Date, Nullable, Text, Timestamptz},
    QueryableByName, RunQueryDsl,
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

const SELLER_COLUMNS: &str =
    "seller_code, company_name, contract_type, country_code, warehouse_id, status, \
     onboarded_at, am_id, created_at, updated_at, created_by, updated_by";

#[derive(QueryableByName)]
pub(crate) struct SellerRow {
    #[diesel(sql_type = Text)]
    pub seller_code: String,
    #[diesel(sql_type = Text)]
    company_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    contract_type: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    country_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    warehouse_id: Option<String>,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Date>)]
    onboarded_at: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<BigInt>)]
    am_id: Option<i64>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    created_by: String,
    #[diesel(sql_type = Text)]
    updated_by: String,
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

pub(crate) fn seller_columns() -> &'static str {
    SELLER_COLUMNS
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = BigInt)]
    n: i64,
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

impl SellerStore for PgStore {
    fn create_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, StoreError> {
        let mut conn = self.conn()?;
        let row: SellerRow = sql_query(format!(
            "INSERT INTO seller (seller_code, company_name, contract_type, country_code, warehouse_id, status, \
             onboarded_at, am_id, created_by, updated_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING {SELLER_COLUMNS}"
        ))
        .bind::<Text, _>(seller.seller_code.as_str())
        .bind::<Text, _>(&seller.company_name)
        .bind::<Nullable<Text>, _>(seller.contract_type.as_deref())
        .bind::<Nullable<Text>, _>(seller.country_code.as_deref())
        .bind::<Nullable<Text>, _>(seller.warehouse_id.as_deref())
        .bind::<Text, _>(seller.status.as_str())
        .bind::<Nullable<Date>, _>(seller.onboarded_at)
        .bind::<Nullable<BigInt>, _>(seller.am_id.map(AmId::get))
        .bind::<Text, _>(actor)
        .get_result(&mut conn)
        .map_err(|e| am_conflict(db_err(e), seller.am_id))?;
        row.into_record()
    }

    fn update_seller(&self, seller: &Seller, actor: &str) -> Result<SellerRecord, StoreError> {
        let mut conn = self.conn()?;
        let row: SellerRow = sql_query(format!(
            "UPDATE seller SET company_name = $2, contract_type = $3, country_code = $4, warehouse_id = $5, \
             status = $6, onboarded_at = $7, am_id = $8, updated_by = $9, updated_at = now() \
             WHERE seller_code = $1 RETURNING {SELLER_COLUMNS}"
        ))
        .bind::<Text, _>(seller.seller_code.as_str())
        .bind::<Text, _>(&seller.company_name)
        .bind::<Nullable<Text>, _>(seller.contract_type.as_deref())
        .bind::<Nullable<Text>, _>(seller.country_code.as_deref())
        .bind::<Nullable<Text>, _>(seller.warehouse_id.as_deref())
        .bind::<Text, _>(seller.status.as_str())
        .bind::<Nullable<Date>, _>(seller.onboarded_at)
        .bind::<Nullable<BigInt>, _>(seller.am_id.map(AmId::get))
        .bind::<Text, _>(actor)
        .get_result(&mut conn)
        .map_err(|e| am_conflict(db_err(e), seller.am_id))?;
        row.into_record()
    }

    fn get_seller(&self, code: &SellerCode) -> Result<SellerRecord, StoreError> {
        let mut conn = self.conn()?;
        let row: SellerRow = sql_query(format!(
            "SELECT {SELLER_COLUMNS} FROM seller WHERE seller_code = $1"
        ))
        .bind::<Text, _>(code.as_str())
        .get_result(&mut conn)
        .map_err(db_err)?;
        row.into_record()
    }

    fn list_sellers(
        &self,
        filter: &SellerFilter,
        page: PageRequest,
    ) -> Result<Page<SellerRecord>, StoreError> {
        let mut conn = self.conn()?;
        let pattern = filter.search.as_ref().map(|s| {
            let escaped = s
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        // ILIKE folds case by the collation's rules: under the C locale only ASCII letters
        // fold, so the ICU root collation is named to make "đức" find "ĐỨC" as well.
        let condition = "($1::text IS NULL OR status = $1) AND ($2::bigint IS NULL OR am_id = $2) \
             AND ($3::text IS NULL OR warehouse_id = $3) \
             AND ($4::text IS NULL OR seller_code COLLATE \"und-x-icu\" ILIKE $4 \
               OR company_name COLLATE \"und-x-icu\" ILIKE $4)";
        let status = filter.status.map(SellerStatus::as_str);
        let am = filter.am_id.map(AmId::get);
        let total: CountRow = sql_query(format!(
            "SELECT count(*) AS n FROM seller WHERE {condition}"
        ))
        .bind::<Nullable<Text>, _>(status)
        .bind::<Nullable<BigInt>, _>(am)
        .bind::<Nullable<Text>, _>(filter.warehouse_id.as_deref())
        .bind::<Nullable<Text>, _>(pattern.as_deref())
        .get_result(&mut conn)
        .map_err(db_err)?;
        let rows: Vec<SellerRow> = sql_query(format!(
            "SELECT {SELLER_COLUMNS} FROM seller WHERE {condition} ORDER BY seller_code LIMIT $5 OFFSET $6"
        ))
        .bind::<Nullable<Text>, _>(status)
        .bind::<Nullable<BigInt>, _>(am)
        .bind::<Nullable<Text>, _>(filter.warehouse_id.as_deref())
        .bind::<Nullable<Text>, _>(pattern.as_deref())
        .bind::<BigInt, _>(i64::from(page.limit))
        .bind::<BigInt, _>(i64::try_from(page.offset()).unwrap_or(i64::MAX))
        .load(&mut conn)
        .map_err(db_err)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(SellerRow::into_record)
                .collect::<Result<_, _>>()?,
            page: page.page,
            limit: page.limit,
            total: u64::try_from(total.n).unwrap_or(0),
        })
    }
}

const CAMPAIGN_COLUMNS: &str =
    "campaign_code, name, campaign_type, start_date, end_date, is_active, created_at, updated_at, created_by, updated_by";

#[derive(QueryableByName)]
struct CampaignRow {
    #[diesel(sql_type = Text)]
    campaign_code: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    campaign_type: String,
    #[diesel(sql_type = Date)]
    start_date: NaiveDate,
    #[diesel(sql_type = Date)]
    end_date: NaiveDate,
    #[diesel(sql_type = Bool)]
    is_active: bool,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    created_by: String,
    #[diesel(sql_type = Text)]
    updated_by: String,
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

impl CampaignStore for PgStore {
    fn create_campaign(
        &self,
        campaign: &Campaign,
        actor: &str,
    ) -> Result<CampaignRecord, StoreError> {
        let mut conn = self.conn()?;
        let row: CampaignRow = sql_query(format!(
            "INSERT INTO campaign (campaign_code, name, campaign_type, start_date, end_date, created_by, updated_by) \
             VALUES ($1,$2,$3,$4,$5,$6,$6) RETURNING {CAMPAIGN_COLUMNS}"
        ))
        .bind::<Text, _>(campaign.code().as_str())
        .bind::<Text, _>(campaign.name())
        .bind::<Text, _>(campaign.campaign_type().as_str())
        .bind::<Date, _>(campaign.start_date())
        .bind::<Date, _>(campaign.end_date())
        .bind::<Text, _>(actor)
        .get_result(&mut conn)
        .map_err(|e| match db_err(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("campaign {} already exists", campaign.code())),
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
        let row: CampaignRow = sql_query(format!(
            "UPDATE campaign SET name = $2, campaign_type = $3, start_date = $4, end_date = $5, is_active = $6, \
             updated_by = $7, updated_at = now() WHERE campaign_code = $1 RETURNING {CAMPAIGN_COLUMNS}"
        ))
        .bind::<Text, _>(campaign.code().as_str())
        .bind::<Text, _>(campaign.name())
        .bind::<Text, _>(campaign.campaign_type().as_str())
        .bind::<Date, _>(campaign.start_date())
        .bind::<Date, _>(campaign.end_date())
        .bind::<Bool, _>(is_active)
        .bind::<Text, _>(actor)
        .get_result(&mut conn)
        .map_err(db_err)?;
        row.into_record()
    }

    fn get_campaign(&self, code: &CampaignCode) -> Result<CampaignRecord, StoreError> {
        let mut conn = self.conn()?;
        let row: CampaignRow = sql_query(format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaign WHERE campaign_code = $1"
        ))
        .bind::<Text, _>(code.as_str())
        .get_result(&mut conn)
        .map_err(db_err)?;
        row.into_record()
    }

    fn list_campaigns(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<CampaignRecord>, StoreError> {
        let mut conn = self.conn()?;
        let total: CountRow =
            sql_query("SELECT count(*) AS n FROM campaign WHERE ($1 OR is_active)")
                .bind::<Bool, _>(include_inactive)
                .get_result(&mut conn)
                .map_err(db_err)?;
        let rows: Vec<CampaignRow> = sql_query(format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaign WHERE ($1 OR is_active) \
             ORDER BY start_date DESC, campaign_code LIMIT $2 OFFSET $3"
        ))
        .bind::<Bool, _>(include_inactive)
        .bind::<BigInt, _>(i64::from(page.limit))
        .bind::<BigInt, _>(i64::try_from(page.offset()).unwrap_or(i64::MAX))
        .load(&mut conn)
        .map_err(db_err)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(CampaignRow::into_record)
                .collect::<Result<_, _>>()?,
            page: page.page,
            limit: page.limit,
            total: u64::try_from(total.n).unwrap_or(0),
        })
    }
}

#[derive(QueryableByName)]
pub(crate) struct AmRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = Bool)]
    is_active: bool,
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
        let row: AmRow = sql_query(
            "INSERT INTO account_manager (id, name, email, is_active, created_by, updated_by) \
             VALUES ($1,$2,$3,$4,$5,$5) RETURNING id, name, email, is_active",
        )
        .bind::<BigInt, _>(am.id.get())
        .bind::<Text, _>(&am.name)
        .bind::<Nullable<Text>, _>(am.email.as_deref())
        .bind::<Bool, _>(am.is_active)
        .bind::<Text, _>(actor)
        .get_result(&mut conn)
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
        let row: AmRow = sql_query(
            "UPDATE account_manager SET name = $2, email = $3, is_active = $4, updated_by = $5, updated_at = now() \
             WHERE id = $1 RETURNING id, name, email, is_active",
        )
        .bind::<BigInt, _>(am.id.get())
        .bind::<Text, _>(&am.name)
        .bind::<Nullable<Text>, _>(am.email.as_deref())
        .bind::<Bool, _>(am.is_active)
        .bind::<Text, _>(actor)
        .get_result(&mut conn)
        .map_err(db_err)?;
        row.into_am()
    }

    fn get_am(&self, id: AmId) -> Result<AccountManager, StoreError> {
        let mut conn = self.conn()?;
        let row: AmRow =
            sql_query("SELECT id, name, email, is_active FROM account_manager WHERE id = $1")
                .bind::<BigInt, _>(id.get())
                .get_result(&mut conn)
                .map_err(db_err)?;
        row.into_am()
    }

    fn list_ams(
        &self,
        include_inactive: bool,
        page: PageRequest,
    ) -> Result<Page<AccountManager>, StoreError> {
        let mut conn = self.conn()?;
        let total: CountRow =
            sql_query("SELECT count(*) AS n FROM account_manager WHERE ($1 OR is_active)")
                .bind::<Bool, _>(include_inactive)
                .get_result(&mut conn)
                .map_err(db_err)?;
        let rows: Vec<AmRow> = sql_query(
            "SELECT id, name, email, is_active FROM account_manager WHERE ($1 OR is_active) ORDER BY id LIMIT $2 OFFSET $3",
        )
        .bind::<Bool, _>(include_inactive)
        .bind::<BigInt, _>(i64::from(page.limit))
        .bind::<BigInt, _>(i64::try_from(page.offset()).unwrap_or(i64::MAX))
        .load(&mut conn)
        .map_err(db_err)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(AmRow::into_am)
                .collect::<Result<_, _>>()?,
            page: page.page,
            limit: page.limit,
            total: u64::try_from(total.n).unwrap_or(0),
        })
    }
}
