//! Parsing and checking the JSON a user writes for each config type.
//!
//! A hand-written field walker rather than `serde` derive, for two reasons: it reports every
//! problem of a body at once, each with its field name, and it reads numbers exactly (serde_json
//! keeps their text under `arbitrary_precision`), so `1e400` or a 40-decimal figure is a field
//! error instead of a silently rounded value or a panic.
//!
//! Rules enforced beyond the seed's "required" column (scoring-rules.md and api.md ask for
//! ranges, enums and `min <= max`):
//! - percentages (`weight_pct`, `acceptable_late_pct`, `base_good_pct`,
//!   `severe_aging_pct_threshold`, `min_score_floor`, SOS scores of tiers) lie in 0-100; the
//!   p-score accuracy range bounds lie in -100..100 and the AM `sos_delta` bounds too (SOS is
//!   0-100, so its change is too);
//! - points are 0..[`MAX_POINTS`]; `max_points > 0`; `severe_storage_multiplier` is 1..100;
//! - every min/max pair is ordered; half-open bands (`t-score` hours, AM `sos_delta`) need
//!   `min < max` since an empty band can hold nothing; inclusive bands (`f-score` days,
//!   tier SOS scores, accuracy range) need `min <= max`; the error names the max field;
//! - integers are whole numbers within the range of their column;
//! - text has no control characters (PostgreSQL rejects NUL) and a maximum length;
//! - server-set fields (`id`, `is_active`, `created_at`, ...) cannot be written;
//! - a helpdesk secret equal to [`MASKED_SECRET`] is refused: it is what a read returned,
//!   not a real secret.

use super::params::{
    AgingBasis, AmBonusPenaltyConfig, AmKpiComponent, AmKpiWeightConfig, FScoreTierConfig,
    GracePeriodConfig, HelpdeskConfig, IScoreConfig, OScoreConfig, PScoreConfig, ScoreWeightConfig,
    SurchargeConfig, SyncMethod, TScoreTierConfig, TierConfig,
};
use super::types::{ConfigBody, ConfigDraft, ConfigType, MASKED_SECRET};
use crate::{
    codes::TierName,
    component::Component,
    error::ValidationErrors,
    inputs::CampaignType,
    surcharge::{Condition, SurchargeAction},
};
use chrono::{NaiveDate, NaiveTime};
use rust_decimal::Decimal;
use serde_json::{Map, Number, Value};
use std::str::FromStr;

/// Highest value of any points field (`points`, `base_points`, penalties, ...): generous, yet
/// small enough that scoring arithmetic on it can never overflow.
pub const MAX_POINTS: i64 = 1_000_000;

/// Longest free text (`description`, `benefits`, `restrictions`), in characters.
pub const MAX_DESCRIPTION_LEN: usize = 2000;

/// Largest absolute AM bonus or penalty amount.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// Fields the server sets on every row; writing them is refused.
const SERVER_FIELDS: [&str; 6] = [
    "id",
    "is_active",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
];

/// Reads a JSON number as an exact [`Decimal`], or `None` when it cannot be held exactly
/// (more than 28 significant digits or decimal places, `1e400`, ...). Plain and scientific
/// notation are both read; nothing is rounded.
pub fn exact_decimal(n: &Number) -> Option<Decimal> {
    let text = n.to_string();
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text.as_str(), None),
    };
    let mut value = Decimal::from_str_exact(mantissa).ok()?;
    let Some(exponent) = exponent else {
        return Some(value);
    };
    let exponent: i64 = exponent
        .strip_prefix('+')
        .unwrap_or(exponent)
        .parse()
        .ok()?;
    if exponent >= 0 {
        if value.is_zero() {
            return Some(Decimal::ZERO);
        }
        for _ in 0..exponent.min(40) {
            value = value.checked_mul(Decimal::TEN)?;
        }
        // More than 40 factors of ten overflow any non-zero decimal.
        (exponent <= 40).then_some(value)
    } else {
        let scale = i64::from(value.scale()) + exponent.checked_neg()?;
        let scale = u32::try_from(scale).ok().filter(|s| *s <= 28)?;
        value.set_scale(scale).ok()?;
        Some(value)
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A field as read: absent (or null), present and valid, or invalid (already reported).
enum Got<T> {
    Absent,
    Present(T),
    Invalid,
}

impl<T> Got<T> {
    /// The value, or `default` when absent; `None` when invalid.
    fn or(self, default: T) -> Option<T> {
        match self {
            Got::Absent => Some(default),
            Got::Present(v) => Some(v),
            Got::Invalid => None,
        }
    }

    /// `Some(None)` when absent, `Some(Some(v))` when present, `None` when invalid.
    fn optional(self) -> Option<Option<T>> {
        match self {
            Got::Absent => Some(None),
            Got::Present(v) => Some(Some(v)),
            Got::Invalid => None,
        }
    }
}

/// Text shape rules.
#[derive(Clone, Copy)]
struct TextRule {
    max_chars: usize,
    non_blank: bool,
    multiline: bool,
}

const LINE: TextRule = TextRule {
    max_chars: 64,
    non_blank: true,
    multiline: false,
};
const PROSE: TextRule = TextRule {
    max_chars: MAX_DESCRIPTION_LEN,
    non_blank: false,
    multiline: true,
};

/// Walks one JSON object, collecting every problem.
struct Reader<'a> {
    obj: &'a Map<String, Value>,
    errors: ValidationErrors,
}

impl<'a> Reader<'a> {
    fn raw(&self, key: &str) -> Option<&'a Value> {
        match self.obj.get(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    fn push(&mut self, key: &str, message: impl Into<String>) {
        self.errors.push(key, message);
    }

    fn wrong_type<T>(&mut self, key: &str, expected: &str, got: &Value) -> Got<T> {
        self.push(key, format!("must be {expected}, got {}", describe(got)));
        Got::Invalid
    }

    /// Records "is required" when absent.
    fn require<T>(&mut self, key: &str, got: Got<T>) -> Option<T> {
        match got {
            Got::Absent => {
                self.push(key, "is required");
                None
            }
            Got::Present(v) => Some(v),
            Got::Invalid => None,
        }
    }

    fn number(&mut self, key: &str, expected: &str) -> Got<Decimal> {
        match self.raw(key) {
            None => Got::Absent,
            Some(Value::Number(n)) => match exact_decimal(n) {
                Some(d) => Got::Present(d),
                None => {
                    let mut text = n.to_string();
                    if text.len() > 40 {
                        text.truncate(37);
                        text.push_str("...");
                    }
                    self.push(
                        key,
                        format!(
                            "number {text} cannot be held exactly (at most 28 significant digits \
                             and 28 decimal places)"
                        ),
                    );
                    Got::Invalid
                }
            },
            Some(other) => self.wrong_type(key, expected, other),
        }
    }

    fn decimal(&mut self, key: &str) -> Got<Decimal> {
        self.number(key, "a number")
    }

    /// A decimal within `lo..=hi`.
    fn decimal_in(&mut self, key: &str, lo: Decimal, hi: Decimal) -> Got<Decimal> {
        match self.decimal(key) {
            Got::Present(d) if d < lo || d > hi => {
                self.push(key, format!("must be between {lo} and {hi}"));
                Got::Invalid
            }
            other => other,
        }
    }

    fn percent(&mut self, key: &str) -> Got<Decimal> {
        self.decimal_in(key, Decimal::ZERO, Decimal::ONE_HUNDRED)
    }

    fn points(&mut self, key: &str) -> Got<Decimal> {
        self.decimal_in(key, Decimal::ZERO, Decimal::from(MAX_POINTS))
    }

    fn non_negative(&mut self, key: &str) -> Got<Decimal> {
        match self.decimal(key) {
            Got::Present(d) if d < Decimal::ZERO => {
                self.push(key, "must be >= 0");
                Got::Invalid
            }
            other => other,
        }
    }

    /// A whole number within `lo..=hi`.
    fn integer(&mut self, key: &str, lo: i64, hi: i64) -> Got<i64> {
        match self.number(key, "a whole number") {
            Got::Present(d) if !d.fract().is_zero() => {
                self.push(key, "must be a whole number");
                Got::Invalid
            }
            Got::Present(d) if d < Decimal::from(lo) || d > Decimal::from(hi) => {
                self.push(key, format!("must be between {lo} and {hi}"));
                Got::Invalid
            }
            Got::Present(d) => match i64::try_from(d) {
                Ok(v) => Got::Present(v),
                Err(_) => {
                    self.push(key, format!("must be between {lo} and {hi}"));
                    Got::Invalid
                }
            },
            Got::Absent => Got::Absent,
            Got::Invalid => Got::Invalid,
        }
    }

    fn u32_in(&mut self, key: &str, lo: u32, hi: u32) -> Got<u32> {
        match self.integer(key, i64::from(lo), i64::from(hi)) {
            Got::Present(v) => u32::try_from(v).map_or(Got::Invalid, Got::Present),
            Got::Absent => Got::Absent,
            Got::Invalid => Got::Invalid,
        }
    }

    fn i32_in(&mut self, key: &str, lo: i32, hi: i32) -> Got<i32> {
        match self.integer(key, i64::from(lo), i64::from(hi)) {
            Got::Present(v) => i32::try_from(v).map_or(Got::Invalid, Got::Present),
            Got::Absent => Got::Absent,
            Got::Invalid => Got::Invalid,
        }
    }

    /// Checks `value` against `rule`; true when it passes.
    fn check_text(&mut self, key: &str, value: &str, rule: TextRule) -> bool {
        let before = self.errors.errors().len();
        if rule.non_blank && value.trim().is_empty() {
            self.push(key, "must not be blank");
        }
        if value.chars().count() > rule.max_chars {
            self.push(
                key,
                format!("must be at most {} characters", rule.max_chars),
            );
        }
        let bad_control =
            |c: char| c.is_control() && !(rule.multiline && matches!(c, '\n' | '\t' | '\r'));
        if value.chars().any(bad_control) {
            self.push(key, "must not contain control characters");
        }
        self.errors.errors().len() == before
    }

    fn text(&mut self, key: &str, rule: TextRule) -> Got<String> {
        match self.raw(key) {
            None => Got::Absent,
            Some(Value::String(s)) => {
                if self.check_text(key, s, rule) {
                    Got::Present(s.clone())
                } else {
                    Got::Invalid
                }
            }
            Some(other) => self.wrong_type(key, "a string", other),
        }
    }

    /// A value from a closed list of names.
    fn choice<T: Copy>(&mut self, key: &str, options: &[(&str, T)]) -> Got<T> {
        match self.raw(key) {
            None => Got::Absent,
            Some(Value::String(s)) => match options.iter().find(|(name, _)| name == s) {
                Some((_, v)) => Got::Present(*v),
                None => {
                    let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
                    let shown: String = s.chars().take(64).collect();
                    self.push(
                        key,
                        format!(
                            "unknown value `{shown}`; expected one of {}",
                            names.join(", ")
                        ),
                    );
                    Got::Invalid
                }
            },
            Some(other) => self.wrong_type(key, "a string", other),
        }
    }

    /// A calendar date written `YYYY-MM-DD`.
    fn date(&mut self, key: &str) -> Got<NaiveDate> {
        match self.raw(key) {
            None => Got::Absent,
            Some(Value::String(s)) => {
                let b = s.as_bytes();
                let shaped = b.len() == 10
                    && b[4] == b'-'
                    && b[7] == b'-'
                    && b.iter()
                        .enumerate()
                        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
                match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                    Ok(d) if shaped => Got::Present(d),
                    _ => {
                        self.push(key, "must be a date written YYYY-MM-DD");
                        Got::Invalid
                    }
                }
            }
            Some(other) => self.wrong_type(key, "a date string (YYYY-MM-DD)", other),
        }
    }

    /// A time of day written `HH:MM` or `HH:MM:SS`.
    fn time(&mut self, key: &str) -> Got<NaiveTime> {
        match self.raw(key) {
            None => Got::Absent,
            Some(Value::String(s)) => {
                let parsed = match s.len() {
                    5 => NaiveTime::parse_from_str(s, "%H:%M").ok(),
                    8 => NaiveTime::parse_from_str(s, "%H:%M:%S").ok(),
                    _ => None,
                };
                match parsed {
                    Some(t) => Got::Present(t),
                    None => {
                        self.push(key, "must be a time of day written HH:MM or HH:MM:SS");
                        Got::Invalid
                    }
                }
            }
            Some(other) => self.wrong_type(key, "a time string (HH:MM)", other),
        }
    }

    /// A JSON value of any shape that must be present (used for the rule grammar).
    fn any(&mut self, key: &str) -> Got<&'a Value> {
        match self.raw(key) {
            None => Got::Absent,
            Some(v) => Got::Present(v),
        }
    }
}

fn component_options() -> [(&'static str, Component); 5] {
    Component::ALL.map(|c| (c.as_str(), c))
}

fn campaign_type_options() -> [(&'static str, CampaignType); 2] {
    CampaignType::ALL.map(|t| (t.as_str(), t))
}

fn kpi_options() -> [(&'static str, AmKpiComponent); 3] {
    AmKpiComponent::ALL.map(|c| (c.as_str(), c))
}

const AGING_BASES: [(&str, AgingBasis); 3] = [
    ("cbm", AgingBasis::Cbm),
    ("qty", AgingBasis::Qty),
    ("max", AgingBasis::Max),
];

const SYNC_METHODS: [(&str, SyncMethod); 2] =
    [("pull", SyncMethod::Pull), ("push", SyncMethod::Push)];

/// The body fields each type accepts, in the seed's order.
fn body_fields(config_type: ConfigType) -> &'static [&'static str] {
    match config_type {
        ConfigType::ScoreWeights => &["score_component", "weight_pct", "max_points"],
        ConfigType::Tiers => &[
            "tier_name",
            "tier_order",
            "min_sos_score",
            "max_sos_score",
            "color_code",
            "benefits",
            "restrictions",
        ],
        ConfigType::PScore => &[
            "campaign_type",
            "required_lead_days",
            "on_time_points",
            "late_penalty_per_day",
            "accuracy_base_points",
            "accuracy_good_range_min",
            "accuracy_good_range_max",
            "accuracy_penalty_per_10pct",
        ],
        ConfigType::OScore => &[
            "max_delay_minutes",
            "acceptable_late_pct",
            "penalty_per_1pct_over",
            "base_points",
        ],
        ConfigType::TScore => &[
            "tier_index",
            "response_hours_min",
            "response_hours_max",
            "points",
        ],
        ConfigType::FScore => &["tier_index", "days_late_min", "days_late_max", "points"],
        ConfigType::IScore => &[
            "aging_threshold_days",
            "base_good_pct",
            "penalty_per_5pct",
            "base_points",
            "severe_aging_days",
            "severe_aging_pct_threshold",
            "severe_storage_multiplier",
            "calculation_basis",
        ],
        ConfigType::Surcharge => &[
            "surcharge_type",
            "trigger_condition",
            "action",
            "description",
        ],
        ConfigType::AmBonusPenalty => &[
            "sos_delta_min",
            "sos_delta_max",
            "bonus_or_penalty_amount",
            "currency",
            "description",
        ],
        ConfigType::AmKpiWeight => &["component", "weight_pct"],
        ConfigType::GracePeriod => &[
            "grace_period_months",
            "min_score_floor",
            "min_orders_threshold",
            "apply_to_components",
        ],
        ConfigType::Helpdesk => &[
            "country_code",
            "helpdesk_url",
            "api_key",
            "api_secret",
            "sync_method",
            "pull_cron",
            "seller_field_mapping",
            "business_hours_start",
            "business_hours_end",
            "timezone",
        ],
    }
}

const DATE_FIELDS: [&str; 2] = ["effective_from", "effective_to"];

impl ConfigDraft {
    /// Parses and checks the JSON object a user writes for `config_type` (POST, or PUT of the
    /// full row): the body fields plus `effective_from` (required) and `effective_to` for
    /// dated types. Optional fields left out (or null) take the spec's defaults.
    ///
    /// # Errors
    /// Every problem at once, each with its field: not an object, unknown or server-set fields,
    /// missing required fields, wrong JSON types, unknown enum values, out-of-range or
    /// unordered values, bad text, and surcharge grammar errors with their paths
    /// (`trigger_condition.all[0].metric`, `action.type`).
    pub fn parse(config_type: ConfigType, value: &Value) -> Result<ConfigDraft, ValidationErrors> {
        parse_object(config_type, value, config_type.has_effective_dates())
    }
}

impl ConfigBody {
    /// Parses and checks the body fields alone (no dates, no server fields): the form
    /// [`ConfigBody::to_json`] writes and storage keeps.
    ///
    /// # Errors
    /// As [`ConfigDraft::parse`]; effective dates count as unknown fields here.
    pub fn parse(config_type: ConfigType, value: &Value) -> Result<ConfigBody, ValidationErrors> {
        parse_object(config_type, value, false).map(|draft| draft.body)
    }
}

fn parse_object(
    config_type: ConfigType,
    value: &Value,
    with_dates: bool,
) -> Result<ConfigDraft, ValidationErrors> {
    let Value::Object(obj) = value else {
        return Err(ValidationErrors::single(
            "body",
            format!("must be a JSON object, got {}", describe(value)),
        ));
    };
    let mut r = Reader {
        obj,
        errors: ValidationErrors::new(),
    };
    let fields = body_fields(config_type);
    for key in obj.keys() {
        let k = key.as_str();
        if fields.contains(&k) || (with_dates && DATE_FIELDS.contains(&k)) {
            continue;
        }
        let message = if SERVER_FIELDS.contains(&k) {
            "is set by the server and cannot be written".to_owned()
        } else if DATE_FIELDS.contains(&k) && !config_type.has_effective_dates() {
            format!("unknown field: {config_type} rows have no effective dates")
        } else {
            let mut accepted: Vec<&str> = fields.to_vec();
            if with_dates {
                accepted.extend(DATE_FIELDS);
            }
            format!(
                "unknown field; {config_type} accepts {}",
                accepted.join(", ")
            )
        };
        let shown: String = k.chars().filter(|c| !c.is_control()).take(64).collect();
        r.push(&shown, message);
    }

    let (effective_from, effective_to) = if with_dates {
        let from = r.date("effective_from");
        let from = r.require("effective_from", from);
        let to = r.date("effective_to").optional().flatten();
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                r.push(
                    "effective_to",
                    format!("must be on or after effective_from ({f})"),
                );
            }
        }
        (from, to)
    } else {
        (None, None)
    };

    let body = match config_type {
        ConfigType::ScoreWeights => score_weights(&mut r),
        ConfigType::Tiers => tier(&mut r),
        ConfigType::PScore => p_score(&mut r),
        ConfigType::OScore => o_score(&mut r),
        ConfigType::TScore => t_score(&mut r),
        ConfigType::FScore => f_score(&mut r),
        ConfigType::IScore => i_score(&mut r),
        ConfigType::Surcharge => surcharge(&mut r),
        ConfigType::AmBonusPenalty => am_bonus_penalty(&mut r),
        ConfigType::AmKpiWeight => am_kpi_weight(&mut r),
        ConfigType::GracePeriod => grace_period(&mut r),
        ConfigType::Helpdesk => helpdesk(&mut r),
    };
    let mut errors = r.errors;
    match body {
        Some(body) if errors.is_empty() => Ok(ConfigDraft {
            effective_from,
            effective_to,
            body,
        }),
        _ => {
            if errors.is_empty() {
                errors.push("body", "is invalid");
            }
            Err(errors)
        }
    }
}

fn d(v: i64) -> Decimal {
    Decimal::from(v)
}

fn score_weights(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let component = r.choice("score_component", &component_options());
    let component = r.require("score_component", component);
    let weight = r.percent("weight_pct");
    let weight = r.require("weight_pct", weight);
    let max_points = match r.points("max_points") {
        Got::Present(m) if m.is_zero() => {
            r.push("max_points", "must be greater than 0");
            None
        }
        other => other.or(Decimal::ONE_HUNDRED),
    };
    Some(ConfigBody::ScoreWeights(ScoreWeightConfig {
        score_component: component?,
        weight_pct: weight?,
        max_points: max_points?,
    }))
}

fn tier(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let name = match r.text("tier_name", LINE) {
        Got::Present(s) => match TierName::parse(s) {
            Ok(n) => Got::Present(n),
            Err(msg) => {
                let msg = msg.strip_prefix("tier_name ").unwrap_or(&msg).to_owned();
                r.push("tier_name", msg);
                Got::Invalid
            }
        },
        Got::Absent => Got::Absent,
        Got::Invalid => Got::Invalid,
    };
    let name = r.require("tier_name", name);
    let order = r.u32_in("tier_order", 1, 1000);
    let order = r.require("tier_order", order);
    let min = r.percent("min_sos_score");
    let min = r.require("min_sos_score", min);
    let max = r.percent("max_sos_score");
    let max = r.require("max_sos_score", max);
    if let (Some(lo), Some(hi)) = (min, max) {
        if hi < lo {
            r.push("max_sos_score", format!("must be >= min_sos_score ({lo})"));
        }
    }
    let color = match r.text("color_code", LINE) {
        Got::Present(c) => {
            let b = c.as_bytes();
            if b.len() == 7 && b[0] == b'#' && b[1..].iter().all(u8::is_ascii_hexdigit) {
                Got::Present(c)
            } else {
                r.push("color_code", "must be a hex colour written #RRGGBB");
                Got::Invalid
            }
        }
        other => other,
    };
    let color = color.optional();
    let benefits = r.text("benefits", PROSE).optional();
    let restrictions = r.text("restrictions", PROSE).optional();
    Some(ConfigBody::Tier(TierConfig {
        tier_name: name?,
        tier_order: order?,
        min_sos_score: min?,
        max_sos_score: max?,
        color_code: color?,
        benefits: benefits?,
        restrictions: restrictions?,
    }))
}

fn p_score(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let campaign_type = r.choice("campaign_type", &campaign_type_options());
    let campaign_type = r.require("campaign_type", campaign_type);
    // Without a valid type the other fields are still checked (against major's defaults).
    let defaults = PScoreConfig::default_for(campaign_type.unwrap_or(CampaignType::MajorCampaign));
    let lead = r.u32_in("required_lead_days", 0, 365);
    let lead = r.require("required_lead_days", lead);
    let on_time = r.points("on_time_points").or(defaults.on_time_points);
    let late = r
        .points("late_penalty_per_day")
        .or(defaults.late_penalty_per_day);
    let base = r
        .points("accuracy_base_points")
        .or(defaults.accuracy_base_points);
    let range_min = r
        .decimal_in("accuracy_good_range_min", d(-100), d(100))
        .or(defaults.accuracy_good_range_min);
    let range_max = r
        .decimal_in("accuracy_good_range_max", d(-100), d(100))
        .or(defaults.accuracy_good_range_max);
    if let (Some(lo), Some(hi)) = (range_min, range_max) {
        if hi < lo {
            r.push(
                "accuracy_good_range_max",
                format!("must be >= accuracy_good_range_min ({lo})"),
            );
        }
    }
    let penalty = r
        .points("accuracy_penalty_per_10pct")
        .or(defaults.accuracy_penalty_per_10pct);
    Some(ConfigBody::PScore(PScoreConfig {
        campaign_type: campaign_type?,
        required_lead_days: lead?,
        on_time_points: on_time?,
        late_penalty_per_day: late?,
        accuracy_base_points: base?,
        accuracy_good_range_min: range_min?,
        accuracy_good_range_max: range_max?,
        accuracy_penalty_per_10pct: penalty?,
    }))
}

fn o_score(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let defaults = OScoreConfig::default();
    let delay = r
        .u32_in("max_delay_minutes", 1, 10_080)
        .or(defaults.max_delay_minutes);
    let acceptable = r
        .percent("acceptable_late_pct")
        .or(defaults.acceptable_late_pct);
    let penalty = r
        .points("penalty_per_1pct_over")
        .or(defaults.penalty_per_1pct_over);
    let base = r.points("base_points").or(defaults.base_points);
    Some(ConfigBody::OScore(OScoreConfig {
        max_delay_minutes: delay?,
        acceptable_late_pct: acceptable?,
        penalty_per_1pct_over: penalty?,
        base_points: base?,
    }))
}

fn t_score(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let index = r.u32_in("tier_index", 1, 1000);
    let index = r.require("tier_index", index);
    let min = r.non_negative("response_hours_min");
    let min = r.require("response_hours_min", min);
    let max = r.non_negative("response_hours_max").optional();
    if let (Some(lo), Some(Some(hi))) = (min, max) {
        if hi <= lo {
            r.push(
                "response_hours_max",
                format!("must be greater than response_hours_min ({lo}): the band is [min, max)"),
            );
        }
    }
    let points = r.points("points");
    let points = r.require("points", points);
    Some(ConfigBody::TScore(TScoreTierConfig {
        tier_index: index?,
        response_hours_min: min?,
        response_hours_max: max?,
        points: points?,
    }))
}

fn f_score(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let index = r.u32_in("tier_index", 1, 1000);
    let index = r.require("tier_index", index);
    let min = r.i32_in("days_late_min", 0, 36_500);
    let min = r.require("days_late_min", min);
    let max = r.i32_in("days_late_max", 0, 36_500).optional();
    if let (Some(lo), Some(Some(hi))) = (min, max) {
        if hi < lo {
            r.push("days_late_max", format!("must be >= days_late_min ({lo})"));
        }
    }
    let points = r.points("points");
    let points = r.require("points", points);
    Some(ConfigBody::FScore(FScoreTierConfig {
        tier_index: index?,
        days_late_min: min?,
        days_late_max: max?,
        points: points?,
    }))
}

fn i_score(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let defaults = IScoreConfig::default();
    let aging = r
        .u32_in("aging_threshold_days", 1, 3650)
        .or(defaults.aging_threshold_days);
    let base_good = r.percent("base_good_pct").or(defaults.base_good_pct);
    let penalty = r.points("penalty_per_5pct").or(defaults.penalty_per_5pct);
    let base = r.points("base_points").or(defaults.base_points);
    let severe_days = r
        .u32_in("severe_aging_days", 1, 3650)
        .or(defaults.severe_aging_days);
    if let (Some(a), Some(s)) = (aging, severe_days) {
        if s < a {
            r.push(
                "severe_aging_days",
                format!("must be >= aging_threshold_days ({a})"),
            );
        }
    }
    let severe_pct = r
        .percent("severe_aging_pct_threshold")
        .or(defaults.severe_aging_pct_threshold);
    let multiplier = r
        .decimal_in("severe_storage_multiplier", Decimal::ONE, d(100))
        .or(defaults.severe_storage_multiplier);
    let basis = r
        .choice("calculation_basis", &AGING_BASES)
        .or(defaults.calculation_basis);
    Some(ConfigBody::IScore(IScoreConfig {
        aging_threshold_days: aging?,
        base_good_pct: base_good?,
        penalty_per_5pct: penalty?,
        base_points: base?,
        severe_aging_days: severe_days?,
        severe_aging_pct_threshold: severe_pct?,
        severe_storage_multiplier: multiplier?,
        calculation_basis: basis?,
    }))
}

/// Moves the errors of a sub-parser under `prefix`; its root error (reported as `root`, or
/// with an empty field) becomes `prefix` itself.
fn extend_under(errors: &mut ValidationErrors, prefix: &str, root: &str, other: ValidationErrors) {
    let mut nested = ValidationErrors::new();
    for e in other {
        if e.field == root || e.field.is_empty() {
            errors.push(prefix, e.message);
        } else {
            nested.push(e.field, e.message);
        }
    }
    let mut prefixed = ValidationErrors::new();
    prefixed.extend_prefixed(prefix, nested);
    for e in prefixed {
        // A number already reported as inexact is not reported again as out of range.
        let dup = errors
            .errors()
            .iter()
            .any(|x| x.field == e.field && x.message.contains("cannot be held exactly"));
        if !dup {
            errors.push(e.field, e.message);
        }
    }
}

/// Records every number inside `value` that no decimal holds exactly, by its path. The rule
/// grammar would round such a number; config must store what the user wrote or refuse it.
fn check_exact_numbers(
    errors: &mut ValidationErrors,
    value: &Value,
    path: &str,
    depth: usize,
) -> bool {
    let mut ok = true;
    match value {
        Value::Number(n) if exact_decimal(n).is_none() => {
            errors.push(
                path,
                "number cannot be held exactly (at most 28 significant digits and 28 decimal places)",
            );
            ok = false;
        }
        // Deeper trees are refused by the grammar's own nesting limit.
        _ if depth > 64 => {}
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                ok &= check_exact_numbers(errors, item, &format!("{path}[{i}]"), depth + 1);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                ok &= check_exact_numbers(errors, v, &format!("{path}.{k}"), depth + 1);
            }
        }
        _ => {}
    }
    ok
}

fn surcharge(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let kind = r.text("surcharge_type", LINE);
    let kind = r.require("surcharge_type", kind);
    let condition = r.any("trigger_condition");
    let condition = r.require("trigger_condition", condition).and_then(|raw| {
        let exact = check_exact_numbers(&mut r.errors, raw, "trigger_condition", 0);
        Condition::parse(raw)
            .map_err(|e| extend_under(&mut r.errors, "trigger_condition", "condition", e))
            .ok()
            .filter(|_| exact)
    });
    let action = r.any("action");
    let action = r.require("action", action).and_then(|raw| {
        let exact = check_exact_numbers(&mut r.errors, raw, "action", 0);
        SurchargeAction::parse(raw)
            .map_err(|e| extend_under(&mut r.errors, "action", "action", e))
            .ok()
            .filter(|_| exact)
    });
    let description = r.text("description", PROSE).optional();
    Some(ConfigBody::Surcharge(SurchargeConfig {
        surcharge_type: kind?,
        trigger_condition: condition?,
        action: action?,
        description: description?,
    }))
}

fn currency(r: &mut Reader<'_>, key: &str) -> Got<String> {
    match r.raw(key) {
        None => Got::Absent,
        Some(Value::String(c)) if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()) => {
            Got::Present(c.clone())
        }
        Some(Value::String(_)) => {
            r.push(key, "must be a 3-letter ISO 4217 code such as VND");
            Got::Invalid
        }
        Some(other) => r.wrong_type(key, "a string", other),
    }
}

fn am_bonus_penalty(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let min = r.decimal_in("sos_delta_min", d(-100), d(100));
    let min = r.require("sos_delta_min", min);
    let max = r.decimal_in("sos_delta_max", d(-100), d(100)).optional();
    if let (Some(lo), Some(Some(hi))) = (min, max) {
        if hi <= lo {
            r.push(
                "sos_delta_max",
                format!("must be greater than sos_delta_min ({lo}): the band is [min, max)"),
            );
        }
    }
    let amount = r.decimal_in(
        "bonus_or_penalty_amount",
        -Decimal::from(MAX_AMOUNT),
        Decimal::from(MAX_AMOUNT),
    );
    let amount = r.require("bonus_or_penalty_amount", amount);
    let currency = currency(r, "currency").or("VND".to_owned());
    let description = r.text("description", PROSE).optional();
    Some(ConfigBody::AmBonusPenalty(AmBonusPenaltyConfig {
        sos_delta_min: min?,
        sos_delta_max: max?,
        bonus_or_penalty_amount: amount?,
        currency: currency?,
        description: description?,
    }))
}

fn am_kpi_weight(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let component = r.choice("component", &kpi_options());
    let component = r.require("component", component);
    let weight = r.percent("weight_pct");
    let weight = r.require("weight_pct", weight);
    Some(ConfigBody::AmKpiWeight(AmKpiWeightConfig {
        component: component?,
        weight_pct: weight?,
    }))
}

fn components_list(r: &mut Reader<'_>, key: &str) -> Got<Vec<Component>> {
    let items = match r.raw(key) {
        None => return Got::Absent,
        Some(Value::Array(items)) => items,
        Some(other) => return r.wrong_type(key, "an array of score components or null", other),
    };
    if items.is_empty() {
        r.push(
            key,
            "must list at least one component (null means all five)",
        );
        return Got::Invalid;
    }
    let names = component_options().map(|(n, _)| n).join(", ");
    let mut list = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let field = format!("{key}[{i}]");
        match item {
            Value::String(s) => match Component::from_str(s) {
                Ok(c) if list.contains(&c) => {
                    r.push(&field, format!("{c} is listed twice"));
                    ok = false;
                }
                Ok(c) => list.push(c),
                Err(_) => {
                    let shown: String = s.chars().take(64).collect();
                    r.push(
                        &field,
                        format!("unknown value `{shown}`; expected one of {names}"),
                    );
                    ok = false;
                }
            },
            other => {
                r.push(&field, format!("must be a string, got {}", describe(other)));
                ok = false;
            }
        }
    }
    if ok {
        Got::Present(list)
    } else {
        Got::Invalid
    }
}

fn grace_period(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let defaults = GracePeriodConfig::default();
    let months = r
        .u32_in("grace_period_months", 0, 120)
        .or(defaults.grace_period_months);
    let floor = r.percent("min_score_floor").or(defaults.min_score_floor);
    let threshold = r
        .u32_in("min_orders_threshold", 0, 1_000_000)
        .or(defaults.min_orders_threshold);
    let components = components_list(r, "apply_to_components").optional();
    Some(ConfigBody::GracePeriod(GracePeriodConfig {
        grace_period_months: months?,
        min_score_floor: floor?,
        min_orders_threshold: threshold?,
        apply_to_components: components?,
    }))
}

/// True when some string or key inside `value` holds a NUL, which PostgreSQL cannot store.
fn contains_nul(value: &Value, depth: usize) -> bool {
    if depth > 64 {
        return true;
    }
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(|v| contains_nul(v, depth + 1)),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| k.contains('\0') || contains_nul(v, depth + 1)),
        _ => false,
    }
}

fn is_http_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    !host.is_empty()
        && !host.starts_with(':')
        && !url.chars().any(char::is_whitespace)
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']' | '_'))
}

fn is_cron(cron: &str) -> bool {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    fields.len() == 5
        && fields.iter().all(|f| {
            f.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '*' | ',' | '-' | '/' | '?' | '#')
            })
        })
}

fn is_time_zone(tz: &str) -> bool {
    !tz.is_empty()
        && tz
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'))
        && tz.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
}

fn secret(r: &mut Reader<'_>, key: &str) -> Option<String> {
    let rule = TextRule {
        max_chars: 512,
        non_blank: true,
        multiline: false,
    };
    let got = match r.text(key, rule) {
        Got::Present(s) if s == MASKED_SECRET => {
            r.push(
                key,
                "must be the real secret: \"********\" is how reads mask it (write-only field)",
            );
            Got::Invalid
        }
        other => other,
    };
    r.require(key, got)
}

fn helpdesk(r: &mut Reader<'_>) -> Option<ConfigBody> {
    let country = match r.text("country_code", LINE) {
        Got::Present(c) if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()) => {
            Got::Present(c)
        }
        Got::Present(_) => {
            r.push(
                "country_code",
                "must be an ISO 3166-1 alpha-2 code: 2 uppercase letters such as VN",
            );
            Got::Invalid
        }
        other => other,
    };
    let country = r.require("country_code", country);
    let url_rule = TextRule {
        max_chars: 2048,
        non_blank: true,
        multiline: false,
    };
    let url = match r.text("helpdesk_url", url_rule) {
        Got::Present(u) if is_http_url(&u) => Got::Present(u),
        Got::Present(_) => {
            r.push(
                "helpdesk_url",
                "must be an http:// or https:// URL with a host",
            );
            Got::Invalid
        }
        other => other,
    };
    let url = r.require("helpdesk_url", url);
    let api_key = secret(r, "api_key");
    let api_secret = secret(r, "api_secret");
    let sync_method = r.choice("sync_method", &SYNC_METHODS).optional();
    let cron_rule = TextRule {
        max_chars: 128,
        non_blank: true,
        multiline: false,
    };
    let cron = match r.text("pull_cron", cron_rule) {
        Got::Present(c) if is_cron(&c) => Got::Present(c),
        Got::Present(_) => {
            r.push(
                "pull_cron",
                "must be a cron schedule of 5 fields (minute hour day-of-month month \
                 day-of-week), e.g. `0 * * * *`",
            );
            Got::Invalid
        }
        other => other,
    };
    let cron = cron.optional();
    let mapping = match r.raw("seller_field_mapping") {
        None => Some(None),
        Some(v @ Value::Object(_)) => {
            if contains_nul(v, 0) {
                r.push(
                    "seller_field_mapping",
                    "must not contain NUL characters or nest deeper than 64 levels",
                );
                None
            } else {
                Some(Some(v.clone()))
            }
        }
        Some(other) => {
            r.wrong_type::<()>("seller_field_mapping", "a JSON object", other);
            None
        }
    };
    let start = r.time("business_hours_start").optional();
    let end = r.time("business_hours_end").optional();
    if let (Some(Some(s)), Some(Some(e))) = (start, end) {
        if e <= s {
            r.push(
                "business_hours_end",
                format!(
                    "must be later than business_hours_start ({})",
                    s.format("%H:%M")
                ),
            );
        }
    }
    let tz = match r.text("timezone", LINE) {
        Got::Present(t) if is_time_zone(&t) => Got::Present(t),
        Got::Present(_) => {
            r.push(
                "timezone",
                "must be an IANA time zone name such as Asia/Ho_Chi_Minh",
            );
            Got::Invalid
        }
        other => other,
    };
    let tz = tz.or("Asia/Ho_Chi_Minh".to_owned());
    Some(ConfigBody::Helpdesk(HelpdeskConfig {
        country_code: country?,
        helpdesk_url: url?,
        api_key: api_key?,
        api_secret: api_secret?,
        sync_method: sync_method?,
        pull_cron: cron?,
        seller_field_mapping: mapping?,
        business_hours_start: start?,
        business_hours_end: end?,
        timezone: tz?,
    }))
}
