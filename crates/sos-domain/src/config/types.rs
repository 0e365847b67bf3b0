//! The 12 config types as one set of values: the type slugs of the API, the row bodies wrapped
//! in one enum, drafts (what a user writes) and records (what is stored).
//!
//! Storage adapters keep [`ConfigBody::to_json`] (secrets included) and read it back with
//! [`ConfigBody::parse`]; the API answers with [`ConfigRecord::to_json`], where helpdesk secrets
//! are masked. `Debug` masks them too, so a logged record never leaks a secret.

use super::params::{
    AmBonusPenaltyConfig, AmKpiWeightConfig, FScoreTierConfig, GracePeriodConfig, HelpdeskConfig,
    IScoreConfig, OScoreConfig, PScoreConfig, ScoreWeightConfig, SurchargeConfig, TScoreTierConfig,
    TierConfig,
};
use super::resolved::ConfigId;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use std::{fmt, str::FromStr};

/// What the API shows instead of a helpdesk `api_key` or `api_secret`: they are write-only.
pub const MASKED_SECRET: &str = "********";

/// One of the 12 config types, named by its API slug (`/api/config/{type}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConfigType {
    /// `score-weights`: one weight per score component.
    ScoreWeights,
    /// `tiers`: the tier ladder.
    Tiers,
    /// `p-score`: planning rules per campaign type.
    PScore,
    /// `o-score`: order push rules.
    OScore,
    /// `t-score`: ticket response bands.
    TScore,
    /// `f-score`: invoice lateness bands.
    FScore,
    /// `i-score`: inventory health rules.
    IScore,
    /// `surcharge`: surcharge rules.
    Surcharge,
    /// `am-bonus-penalty`: AM bonus and penalty bands.
    AmBonusPenalty,
    /// `am-kpi-weight`: AM KPI weights.
    AmKpiWeight,
    /// `grace-period`: grace for new and low-volume sellers.
    GracePeriod,
    /// `helpdesk`: the helpdesk instance of a country.
    Helpdesk,
}

/// How the rows of a type combine into the configuration of a date (scoring-rules.md,
/// "Periods and configuration versions").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigKind {
    /// One row wins: the effective row with the latest `effective_from`.
    Single,
    /// One row wins per key (score component, campaign type, country).
    Keyed,
    /// The effective rows sharing the latest `effective_from` form a set.
    Set,
    /// Every effective row applies.
    Rules,
}

impl ConfigType {
    /// Every type, in the order the seed lists them.
    pub const ALL: [ConfigType; 12] = [
        ConfigType::ScoreWeights,
        ConfigType::Tiers,
        ConfigType::PScore,
        ConfigType::OScore,
        ConfigType::TScore,
        ConfigType::FScore,
        ConfigType::IScore,
        ConfigType::Surcharge,
        ConfigType::AmBonusPenalty,
        ConfigType::AmKpiWeight,
        ConfigType::GracePeriod,
        ConfigType::Helpdesk,
    ];

    /// The API slug, e.g. `"score-weights"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigType::ScoreWeights => "score-weights",
            ConfigType::Tiers => "tiers",
            ConfigType::PScore => "p-score",
            ConfigType::OScore => "o-score",
            ConfigType::TScore => "t-score",
            ConfigType::FScore => "f-score",
            ConfigType::IScore => "i-score",
            ConfigType::Surcharge => "surcharge",
            ConfigType::AmBonusPenalty => "am-bonus-penalty",
            ConfigType::AmKpiWeight => "am-kpi-weight",
            ConfigType::GracePeriod => "grace-period",
            ConfigType::Helpdesk => "helpdesk",
        }
    }

    /// How rows of the type are picked for a date.
    pub fn kind(self) -> ConfigKind {
        match self {
            ConfigType::OScore | ConfigType::IScore | ConfigType::GracePeriod => ConfigKind::Single,
            ConfigType::ScoreWeights | ConfigType::PScore | ConfigType::Helpdesk => {
                ConfigKind::Keyed
            }
            ConfigType::Tiers
            | ConfigType::TScore
            | ConfigType::FScore
            | ConfigType::AmKpiWeight
            | ConfigType::AmBonusPenalty => ConfigKind::Set,
            ConfigType::Surcharge => ConfigKind::Rules,
        }
    }

    /// True when rows carry `effective_from`/`effective_to`. `p-score` and `helpdesk` rows have
    /// none: the latest active row applies.
    pub fn has_effective_dates(self) -> bool {
        !matches!(self, ConfigType::PScore | ConfigType::Helpdesk)
    }
}

impl fmt::Display for ConfigType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text named no config type; the message lists the valid slugs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown config type `{0}`: expected one of score-weights, tiers, p-score, o-score, t-score, f-score, i-score, surcharge, am-bonus-penalty, am-kpi-weight, grace-period, helpdesk")]
pub struct UnknownConfigType(pub String);

impl FromStr for ConfigType {
    type Err = UnknownConfigType;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ConfigType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownConfigType(s.to_owned()))
    }
}

impl Serialize for ConfigType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ConfigType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        raw.parse().map_err(serde::de::Error::custom)
    }
}

/// The body of a config row: the fields of one of the 12 types, without id, dates or audit
/// fields. One enum so storage and the API handle every type the same way.
#[derive(Clone, PartialEq)]
pub enum ConfigBody {
    /// `score-weights`
    ScoreWeights(ScoreWeightConfig),
    /// `tiers`
    Tier(TierConfig),
    /// `p-score`
    PScore(PScoreConfig),
    /// `o-score`
    OScore(OScoreConfig),
    /// `t-score`
    TScore(TScoreTierConfig),
    /// `f-score`
    FScore(FScoreTierConfig),
    /// `i-score`
    IScore(IScoreConfig),
    /// `surcharge`
    Surcharge(SurchargeConfig),
    /// `am-bonus-penalty`
    AmBonusPenalty(AmBonusPenaltyConfig),
    /// `am-kpi-weight`
    AmKpiWeight(AmKpiWeightConfig),
    /// `grace-period`
    GracePeriod(GracePeriodConfig),
    /// `helpdesk` (holds secrets: see [`ConfigBody::masked`]).
    Helpdesk(HelpdeskConfig),
}

impl ConfigBody {
    /// The type of the row.
    pub fn config_type(&self) -> ConfigType {
        match self {
            ConfigBody::ScoreWeights(_) => ConfigType::ScoreWeights,
            ConfigBody::Tier(_) => ConfigType::Tiers,
            ConfigBody::PScore(_) => ConfigType::PScore,
            ConfigBody::OScore(_) => ConfigType::OScore,
            ConfigBody::TScore(_) => ConfigType::TScore,
            ConfigBody::FScore(_) => ConfigType::FScore,
            ConfigBody::IScore(_) => ConfigType::IScore,
            ConfigBody::Surcharge(_) => ConfigType::Surcharge,
            ConfigBody::AmBonusPenalty(_) => ConfigType::AmBonusPenalty,
            ConfigBody::AmKpiWeight(_) => ConfigType::AmKpiWeight,
            ConfigBody::GracePeriod(_) => ConfigType::GracePeriod,
            ConfigBody::Helpdesk(_) => ConfigType::Helpdesk,
        }
    }

    /// The key a keyed type is resolved per (`p_score`, `major_campaign`, `VN`); `None` for the
    /// other kinds. Lets storage and the API group rows the way resolution does.
    pub fn key(&self) -> Option<String> {
        match self {
            ConfigBody::ScoreWeights(w) => Some(w.score_component.as_str().to_owned()),
            ConfigBody::PScore(p) => Some(p.campaign_type.as_str().to_owned()),
            ConfigBody::Helpdesk(h) => Some(h.country_code.clone()),
            _ => None,
        }
    }

    /// The body fields as a JSON object, secrets included: the form storage keeps and
    /// [`ConfigBody::parse`] reads back. Never send it to a client; use
    /// [`ConfigBody::to_masked_json`].
    pub fn to_json(&self) -> Value {
        let value = match self {
            ConfigBody::ScoreWeights(b) => serde_json::to_value(b),
            ConfigBody::Tier(b) => serde_json::to_value(b),
            ConfigBody::PScore(b) => serde_json::to_value(b),
            ConfigBody::OScore(b) => serde_json::to_value(b),
            ConfigBody::TScore(b) => serde_json::to_value(b),
            ConfigBody::FScore(b) => serde_json::to_value(b),
            ConfigBody::IScore(b) => serde_json::to_value(b),
            ConfigBody::Surcharge(b) => serde_json::to_value(b),
            ConfigBody::AmBonusPenalty(b) => serde_json::to_value(b),
            ConfigBody::AmKpiWeight(b) => serde_json::to_value(b),
            ConfigBody::GracePeriod(b) => serde_json::to_value(b),
            ConfigBody::Helpdesk(b) => serde_json::to_value(b),
        };
        // The bodies are plain structs with string keys: serializing them cannot fail.
        value.unwrap_or_else(|_| Value::Object(Map::new()))
    }

    /// The body with the helpdesk `api_key` and `api_secret` replaced by [`MASKED_SECRET`];
    /// other types are returned unchanged. Secrets are write-only.
    pub fn masked(&self) -> ConfigBody {
        match self {
            ConfigBody::Helpdesk(h) => ConfigBody::Helpdesk(HelpdeskConfig {
                api_key: MASKED_SECRET.to_owned(),
                api_secret: MASKED_SECRET.to_owned(),
                ..h.clone()
            }),
            other => other.clone(),
        }
    }

    /// The body fields as JSON with secrets masked: what the API may show.
    pub fn to_masked_json(&self) -> Value {
        self.masked().to_json()
    }
}

impl fmt::Debug for ConfigBody {
    /// Masks helpdesk secrets so a logged row never leaks them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.masked() {
            ConfigBody::ScoreWeights(b) => f.debug_tuple("ScoreWeights").field(&b).finish(),
            ConfigBody::Tier(b) => f.debug_tuple("Tier").field(&b).finish(),
            ConfigBody::PScore(b) => f.debug_tuple("PScore").field(&b).finish(),
            ConfigBody::OScore(b) => f.debug_tuple("OScore").field(&b).finish(),
            ConfigBody::TScore(b) => f.debug_tuple("TScore").field(&b).finish(),
            ConfigBody::FScore(b) => f.debug_tuple("FScore").field(&b).finish(),
            ConfigBody::IScore(b) => f.debug_tuple("IScore").field(&b).finish(),
            ConfigBody::Surcharge(b) => f.debug_tuple("Surcharge").field(&b).finish(),
            ConfigBody::AmBonusPenalty(b) => f.debug_tuple("AmBonusPenalty").field(&b).finish(),
            ConfigBody::AmKpiWeight(b) => f.debug_tuple("AmKpiWeight").field(&b).finish(),
            ConfigBody::GracePeriod(b) => f.debug_tuple("GracePeriod").field(&b).finish(),
            ConfigBody::Helpdesk(b) => f.debug_tuple("Helpdesk").field(&b).finish(),
        }
    }
}

/// A validated row as a user writes it (POST, or PUT of the full row) and as seeding inserts
/// it. Built by [`ConfigDraft::parse`]; the storage layer adds id and audit fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigDraft {
    /// First day the row applies; `None` only for types without dates (`p-score`, `helpdesk`).
    pub effective_from: Option<NaiveDate>,
    /// Last day the row applies (inclusive); `None` = open-ended.
    pub effective_to: Option<NaiveDate>,
    /// The fields of the type.
    pub body: ConfigBody,
}

impl ConfigDraft {
    /// The type of the row.
    pub fn config_type(&self) -> ConfigType {
        self.body.config_type()
    }

    /// The draft as the JSON a user would write (body fields plus the dates of dated types):
    /// [`ConfigDraft::parse`] of it gives the draft back. Secrets included.
    pub fn to_json(&self) -> Value {
        let mut value = self.body.to_json();
        if self.config_type().has_effective_dates() {
            if let Value::Object(map) = &mut value {
                insert_dates(map, self.effective_from, self.effective_to);
            }
        }
        value
    }
}

fn date_json(date: Option<NaiveDate>) -> Value {
    date.map_or(Value::Null, |d| {
        Value::String(d.format("%Y-%m-%d").to_string())
    })
}

fn insert_dates(map: &mut Map<String, Value>, from: Option<NaiveDate>, to: Option<NaiveDate>) {
    map.insert("effective_from".to_owned(), date_json(from));
    map.insert("effective_to".to_owned(), date_json(to));
}

/// A stored config row: the draft plus identity, the soft-delete flag and audit fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigRecord {
    /// The row id; results record it so they can be explained later.
    pub id: ConfigId,
    /// The type (always `body.config_type()`).
    pub config_type: ConfigType,
    /// False once soft-deleted; inactive rows never apply.
    pub is_active: bool,
    /// First day the row applies; `None` for types without dates.
    pub effective_from: Option<NaiveDate>,
    /// Last day the row applies (inclusive); `None` = open-ended.
    pub effective_to: Option<NaiveDate>,
    /// The fields of the type.
    pub body: ConfigBody,
    /// When the row was created.
    pub created_at: DateTime<Utc>,
    /// When the row was last written.
    pub updated_at: DateTime<Utc>,
    /// The API key name that created it.
    pub created_by: String,
    /// The API key name that last wrote it.
    pub updated_by: String,
}

impl ConfigRecord {
    /// A new active row from `draft`, written at `at` by `by`. Storage adapters use it so
    /// every adapter builds records the same way.
    pub fn new(id: ConfigId, draft: ConfigDraft, at: DateTime<Utc>, by: &str) -> Self {
        Self {
            id,
            config_type: draft.body.config_type(),
            is_active: true,
            effective_from: draft.effective_from,
            effective_to: draft.effective_to,
            body: draft.body,
            created_at: at,
            updated_at: at,
            created_by: by.to_owned(),
            updated_by: by.to_owned(),
        }
    }

    /// The row as a draft (dates and body), e.g. to re-validate or copy it.
    pub fn draft(&self) -> ConfigDraft {
        ConfigDraft {
            effective_from: self.effective_from,
            effective_to: self.effective_to,
            body: self.body.clone(),
        }
    }

    /// True when the row applies on `date`: active, and for dated types
    /// `effective_from <= date` and (`effective_to` null or `>= date`). Types without dates
    /// only need to be active. A dated row with no `effective_from` (which validation never
    /// lets through) never applies.
    pub fn is_effective_on(&self, date: NaiveDate) -> bool {
        if !self.is_active {
            return false;
        }
        if !self.config_type.has_effective_dates() {
            return true;
        }
        self.effective_from.is_some_and(|from| from <= date)
            && self.effective_to.is_none_or(|to| to >= date)
    }

    /// The row as the API shows it: the body fields (helpdesk secrets masked) plus `id`,
    /// `is_active`, `effective_from`/`effective_to` (dated types only), `created_at`,
    /// `updated_at`, `created_by` and `updated_by`.
    pub fn to_json(&self) -> Value {
        let mut value = self.body.to_masked_json();
        if let Value::Object(map) = &mut value {
            map.insert("id".to_owned(), Value::from(self.id.0));
            map.insert("is_active".to_owned(), Value::Bool(self.is_active));
            if self.config_type.has_effective_dates() {
                insert_dates(map, self.effective_from, self.effective_to);
            }
            let instant =
                |t: &DateTime<Utc>| Value::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
            map.insert("created_at".to_owned(), instant(&self.created_at));
            map.insert("updated_at".to_owned(), instant(&self.updated_at));
            map.insert(
                "created_by".to_owned(),
                Value::String(self.created_by.clone()),
            );
            map.insert(
                "updated_by".to_owned(),
                Value::String(self.updated_by.clone()),
            );
        }
        value
    }
}

impl Serialize for ConfigRecord {
    /// The API shape of [`ConfigRecord::to_json`], secrets masked.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}
