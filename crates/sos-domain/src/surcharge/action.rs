use super::condition::decimal_from_json;
use crate::error::ValidationErrors;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

/// The longest `reason` a `block_orders` action takes, in characters.
pub const MAX_BLOCK_REASON_CHARS: usize = 200;

/// What a triggered surcharge rule does. SOS records it; billing applies the fees, and the OMS
/// stops taking the orders of a seller a `block_orders` rule blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurchargeAction {
    /// Multiply a fee: `{"type":"fee_multiplier","fee":"storage","value":1.5}`.
    FeeMultiplier {
        /// Which fee.
        fee: String,
        /// The multiplier, > 0.
        value: Decimal,
    },
    /// Charge a fixed amount: `{"type":"fixed_fee","amount":500000,"currency":"VND"}`.
    FixedFee {
        /// The amount, >= 0.
        amount: Decimal,
        /// ISO currency.
        currency: String,
    },
    /// Add a percentage to a fee: `{"type":"percent_fee","fee":"fulfillment","pct":5}`.
    PercentFee {
        /// Which fee.
        fee: String,
        /// The percentage, 0-100.
        pct: Decimal,
    },
    /// Block the seller's orders while the condition holds:
    /// `{"type":"block_orders","reason":"Invoices more than 30 days late"}`.
    BlockOrders {
        /// Why, as the OMS and the seller see it: non-blank, at most
        /// [`MAX_BLOCK_REASON_CHARS`] characters, no control characters.
        reason: String,
    },
}

fn number(obj: &Map<String, Value>, key: &str, errors: &mut ValidationErrors) -> Option<Decimal> {
    match obj.get(key) {
        Some(Value::Number(n)) => {
            let d = decimal_from_json(n);
            if d.is_none() {
                errors.push(
                    key,
                    format!("number {n} is outside the supported decimal range"),
                );
            }
            d
        }
        Some(_) => {
            errors.push(key, "must be a number");
            None
        }
        None => {
            errors.push(key, "is required");
            None
        }
    }
}

fn text(obj: &Map<String, Value>, key: &str, errors: &mut ValidationErrors) -> Option<String> {
    match obj.get(key) {
        Some(Value::String(s))
            if !s.trim().is_empty()
                && !s.chars().any(char::is_control)
                && s.chars().count() <= 64 =>
        {
            Some(s.clone())
        }
        Some(Value::String(_)) => {
            errors.push(
                key,
                "must be non-blank text of at most 64 characters without control characters",
            );
            None
        }
        Some(_) => {
            errors.push(key, "must be a string");
            None
        }
        None => {
            errors.push(key, "is required");
            None
        }
    }
}

fn reason(obj: &Map<String, Value>, key: &str, errors: &mut ValidationErrors) -> Option<String> {
    match obj.get(key) {
        Some(Value::String(s))
            if !s.trim().is_empty()
                && !s.chars().any(char::is_control)
                && s.chars().count() <= MAX_BLOCK_REASON_CHARS =>
        {
            Some(s.clone())
        }
        Some(Value::String(_)) => {
            errors.push(
                key,
                format!(
                    "must be non-blank text of at most {MAX_BLOCK_REASON_CHARS} characters without control characters"
                ),
            );
            None
        }
        Some(_) => {
            errors.push(key, "must be a string");
            None
        }
        None => {
            errors.push(key, "is required");
            None
        }
    }
}

/// The action types, as the errors list them.
const TYPES: &str = "fee_multiplier, fixed_fee, percent_fee, block_orders";

impl SurchargeAction {
    /// Parses and checks an action, reporting every problem by key.
    ///
    /// # Errors
    /// An unknown `type`, missing or mistyped keys, unexpected keys, a multiplier `<= 0`, a
    /// negative amount, a percentage outside 0-100, a currency that is not 3 letters, or a
    /// blocking reason that is blank, too long or holds control characters.
    pub fn parse(value: &Value) -> Result<SurchargeAction, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let Value::Object(obj) = value else {
            return Err(ValidationErrors::single(
                "action",
                "must be an object with a `type`",
            ));
        };
        let kind = match obj.get("type") {
            Some(Value::String(t)) => t.as_str(),
            Some(_) => return Err(ValidationErrors::single("type", "must be a string")),
            None => {
                return Err(ValidationErrors::single(
                    "type",
                    format!("is required: one of {TYPES}"),
                ))
            }
        };
        let allowed: &[&str] = match kind {
            "fee_multiplier" => &["type", "fee", "value"],
            "fixed_fee" => &["type", "amount", "currency"],
            "percent_fee" => &["type", "fee", "pct"],
            "block_orders" => &["type", "reason"],
            other => {
                return Err(ValidationErrors::single(
                    "type",
                    format!("unknown action type `{other}`; expected one of {TYPES}"),
                ))
            }
        };
        for key in obj.keys() {
            if !allowed.contains(&key.as_str()) {
                errors.push(
                    key.as_str(),
                    format!(
                        "unknown key for {kind}; expected {}",
                        allowed[1..].join(", ")
                    ),
                );
            }
        }
        let action = match kind {
            "fee_multiplier" => {
                let fee = text(obj, "fee", &mut errors);
                let value = number(obj, "value", &mut errors);
                if value.is_some_and(|v| v <= Decimal::ZERO) {
                    errors.push("value", "must be greater than 0");
                }
                fee.zip(value)
                    .map(|(fee, value)| SurchargeAction::FeeMultiplier { fee, value })
            }
            "fixed_fee" => {
                let amount = number(obj, "amount", &mut errors);
                if amount.is_some_and(|a| a < Decimal::ZERO) {
                    errors.push("amount", "must be >= 0");
                }
                let currency = text(obj, "currency", &mut errors);
                if currency
                    .as_ref()
                    .is_some_and(|c| c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_uppercase()))
                {
                    errors.push("currency", "must be a 3-letter ISO 4217 code such as VND");
                }
                amount
                    .zip(currency)
                    .map(|(amount, currency)| SurchargeAction::FixedFee { amount, currency })
            }
            "block_orders" => reason(obj, "reason", &mut errors)
                .map(|reason| SurchargeAction::BlockOrders { reason }),
            _ => {
                let fee = text(obj, "fee", &mut errors);
                let pct = number(obj, "pct", &mut errors);
                if pct.is_some_and(|p| p < Decimal::ZERO || p > Decimal::ONE_HUNDRED) {
                    errors.push("pct", "must be between 0 and 100");
                }
                fee.zip(pct)
                    .map(|(fee, pct)| SurchargeAction::PercentFee { fee, pct })
            }
        };
        match action {
            Some(a) if errors.is_empty() => Ok(a),
            _ => Err(errors),
        }
    }

    /// The action as JSON, in the form [`SurchargeAction::parse`] reads.
    pub fn to_json(&self) -> Value {
        match self {
            SurchargeAction::FeeMultiplier { fee, value } => {
                json!({"type": "fee_multiplier", "fee": fee, "value": value})
            }
            SurchargeAction::FixedFee { amount, currency } => {
                json!({"type": "fixed_fee", "amount": amount, "currency": currency})
            }
            SurchargeAction::PercentFee { fee, pct } => {
                json!({"type": "percent_fee", "fee": fee, "pct": pct})
            }
            SurchargeAction::BlockOrders { reason } => {
                json!({"type": "block_orders", "reason": reason})
            }
        }
    }
}

impl SurchargeAction {
    /// The blocking reason of a `block_orders` action; `None` for the fee actions.
    pub fn block_reason(&self) -> Option<&str> {
        match self {
            SurchargeAction::BlockOrders { reason } => Some(reason),
            _ => None,
        }
    }
}

impl Serialize for SurchargeAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for SurchargeAction {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(d)?;
        SurchargeAction::parse(&raw).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}
