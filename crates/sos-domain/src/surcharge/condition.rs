use super::{metrics::MetricValue, MetricValues, MAX_CONDITION_DEPTH};
use crate::error::ValidationErrors;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{json, Map, Value};

/// A metric a condition may test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// `sos_score`
    SosScore,
    /// `p_score`
    PScore,
    /// `o_score`
    OScore,
    /// `t_score`
    TScore,
    /// `f_score`
    FScore,
    /// `i_score`
    IScore,
    /// `tier`
    Tier,
    /// `previous_tier`
    PreviousTier,
    /// `late_pct`
    LatePct,
    /// `aging_pct_used`
    AgingPctUsed,
    /// `aging_over_180d_pct`
    AgingOver180dPct,
    /// `worst_days_late`
    WorstDaysLate,
    /// `total_outstanding_amount`
    TotalOutstandingAmount,
    /// `month_index`
    MonthIndex,
}

impl Metric {
    /// Every metric.
    pub const ALL: [Metric; 14] = [
        Metric::SosScore,
        Metric::PScore,
        Metric::OScore,
        Metric::TScore,
        Metric::FScore,
        Metric::IScore,
        Metric::Tier,
        Metric::PreviousTier,
        Metric::LatePct,
        Metric::AgingPctUsed,
        Metric::AgingOver180dPct,
        Metric::WorstDaysLate,
        Metric::TotalOutstandingAmount,
        Metric::MonthIndex,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::SosScore => "sos_score",
            Metric::PScore => "p_score",
            Metric::OScore => "o_score",
            Metric::TScore => "t_score",
            Metric::FScore => "f_score",
            Metric::IScore => "i_score",
            Metric::Tier => "tier",
            Metric::PreviousTier => "previous_tier",
            Metric::LatePct => "late_pct",
            Metric::AgingPctUsed => "aging_pct_used",
            Metric::AgingOver180dPct => "aging_over_180d_pct",
            Metric::WorstDaysLate => "worst_days_late",
            Metric::TotalOutstandingAmount => "total_outstanding_amount",
            Metric::MonthIndex => "month_index",
        }
    }

    /// True for the tier metrics, whose values are names rather than numbers.
    pub fn is_text(self) -> bool {
        matches!(self, Metric::Tier | Metric::PreviousTier)
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `in`: the metric equals one of a list.
    In,
}

impl CompareOp {
    /// Every operator.
    pub const ALL: [CompareOp; 7] = [
        CompareOp::Lt,
        CompareOp::Le,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::In,
    ];

    /// The wire symbol.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::In => "in",
        }
    }

    fn is_ordering(self) -> bool {
        matches!(
            self,
            CompareOp::Lt | CompareOp::Le | CompareOp::Gt | CompareOp::Ge
        )
    }
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionValue {
    /// A figure.
    Number(Decimal),
    /// A tier name.
    Text(String),
    /// The candidates of `in`.
    List(Vec<ConditionValue>),
}

/// A condition tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// True when every part holds.
    All(Vec<Condition>),
    /// True when at least one part holds.
    Any(Vec<Condition>),
    /// True when the part does not hold.
    Not(Box<Condition>),
    /// A comparison of one metric.
    Compare {
        /// The metric tested.
        metric: Metric,
        /// How it is compared.
        op: CompareOp,
        /// What it is compared with.
        value: ConditionValue,
    },
}

pub(crate) fn decimal_from_json(n: &serde_json::Number) -> Option<Decimal> {
    // Exact or nothing: a rule must compare against the number that was written.
    crate::config::exact_decimal(n)
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

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl Condition {
    /// Parses and checks a condition, reporting every problem with its path
    /// (`all[1].op`).
    ///
    /// # Errors
    /// Unknown metrics or operators, values of the wrong type for the metric or operator,
    /// unexpected keys, empty `all`/`any`, and nesting deeper than
    /// [`MAX_CONDITION_DEPTH`].
    pub fn parse(value: &Value) -> Result<Condition, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let parsed = parse_node(value, "", 0, &mut errors);
        match parsed {
            Some(c) if errors.is_empty() => Ok(c),
            _ => Err(errors),
        }
    }

    /// The condition as JSON, in the grammar [`Condition::parse`] reads.
    pub fn to_json(&self) -> Value {
        match self {
            Condition::All(parts) => {
                json!({"all": parts.iter().map(Condition::to_json).collect::<Vec<_>>()})
            }
            Condition::Any(parts) => {
                json!({"any": parts.iter().map(Condition::to_json).collect::<Vec<_>>()})
            }
            Condition::Not(inner) => json!({"not": inner.to_json()}),
            Condition::Compare { metric, op, value } => {
                json!({"metric": metric.as_str(), "op": op.as_str(), "value": value_to_json(value)})
            }
        }
    }

    /// Every metric the condition tests, each once, in the order they first appear.
    pub fn metrics(&self) -> Vec<Metric> {
        fn walk(c: &Condition, out: &mut Vec<Metric>) {
            match c {
                Condition::All(parts) | Condition::Any(parts) => {
                    parts.iter().for_each(|p| walk(p, out));
                }
                Condition::Not(inner) => walk(inner, out),
                Condition::Compare { metric, .. } => {
                    if !out.contains(metric) {
                        out.push(*metric);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }

    /// True when the condition holds for `metrics`. Comparisons against an N/A metric are
    /// false (so `not` of one is true).
    pub fn evaluate(&self, metrics: &MetricValues) -> bool {
        match self {
            Condition::All(parts) => parts.iter().all(|c| c.evaluate(metrics)),
            Condition::Any(parts) => parts.iter().any(|c| c.evaluate(metrics)),
            Condition::Not(inner) => !inner.evaluate(metrics),
            Condition::Compare { metric, op, value } => match metrics.get(*metric) {
                Some(actual) => compare(actual, *op, value),
                None => false,
            },
        }
    }
}

fn value_to_json(value: &ConditionValue) -> Value {
    match value {
        // A decimal always has a JSON form; `Null` only keeps this infallible.
        ConditionValue::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        ConditionValue::Text(t) => Value::String(t.clone()),
        ConditionValue::List(items) => Value::Array(items.iter().map(value_to_json).collect()),
    }
}

fn scalar_matches(actual: MetricValue<'_>, op: CompareOp, expected: &ConditionValue) -> bool {
    match (actual, expected) {
        (MetricValue::Number(a), ConditionValue::Number(b)) => match op {
            CompareOp::Lt => a < *b,
            CompareOp::Le => a <= *b,
            CompareOp::Gt => a > *b,
            CompareOp::Ge => a >= *b,
            CompareOp::Eq | CompareOp::In => a == *b,
            CompareOp::Ne => a != *b,
        },
        (MetricValue::Text(a), ConditionValue::Text(b)) => match op {
            CompareOp::Eq | CompareOp::In => a == b,
            CompareOp::Ne => a != b,
            _ => false,
        },
        _ => false,
    }
}

fn compare(actual: MetricValue<'_>, op: CompareOp, expected: &ConditionValue) -> bool {
    match (op, expected) {
        (CompareOp::In, ConditionValue::List(items)) => items
            .iter()
            .any(|item| scalar_matches(actual, CompareOp::In, item)),
        (_, ConditionValue::List(_)) => false,
        _ => scalar_matches(actual, op, expected),
    }
}

fn single_key(obj: &Map<String, Value>) -> Option<(&str, &Value)> {
    if obj.len() == 1 {
        obj.iter().next().map(|(k, v)| (k.as_str(), v))
    } else {
        None
    }
}

fn parse_node(
    value: &Value,
    path: &str,
    depth: usize,
    errors: &mut ValidationErrors,
) -> Option<Condition> {
    let field = if path.is_empty() { "condition" } else { path };
    if depth >= MAX_CONDITION_DEPTH {
        errors.push(
            field,
            format!("conditions may nest at most {MAX_CONDITION_DEPTH} levels deep"),
        );
        return None;
    }
    let Value::Object(obj) = value else {
        errors.push(
            field,
            format!(
                "must be an object with `all`, `any`, `not` or `metric`/`op`/`value`, got {}",
                describe(value)
            ),
        );
        return None;
    };
    if let Some((key @ ("all" | "any"), inner)) = single_key(obj) {
        let here = join(path, key);
        let Value::Array(items) = inner else {
            errors.push(
                here,
                format!("must be an array of conditions, got {}", describe(inner)),
            );
            return None;
        };
        if items.is_empty() {
            errors.push(here, "must list at least one condition");
            return None;
        }
        let parts: Vec<_> = items
            .iter()
            .enumerate()
            .map(|(i, item)| parse_node(item, &format!("{here}[{i}]"), depth + 1, errors))
            .collect();
        let parts: Option<Vec<_>> = parts.into_iter().collect();
        return parts.map(|p| {
            if key == "all" {
                Condition::All(p)
            } else {
                Condition::Any(p)
            }
        });
    }
    if let Some(("not", inner)) = single_key(obj) {
        return parse_node(inner, &join(path, "not"), depth + 1, errors)
            .map(|c| Condition::Not(Box::new(c)));
    }
    if obj.contains_key("metric") || obj.contains_key("op") || obj.contains_key("value") {
        return parse_comparison(obj, path, errors);
    }
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    errors.push(
        field,
        format!(
            "must be {{\"all\": [...]}}, {{\"any\": [...]}}, {{\"not\": ...}} or {{\"metric\", \"op\", \"value\"}}; got keys [{}]",
            keys.join(", ")
        ),
    );
    None
}

fn parse_comparison(
    obj: &Map<String, Value>,
    path: &str,
    errors: &mut ValidationErrors,
) -> Option<Condition> {
    let before = errors.errors().len();
    for key in obj.keys() {
        if !matches!(key.as_str(), "metric" | "op" | "value") {
            errors.push(
                join(path, key),
                "unknown key: a comparison has only `metric`, `op` and `value`",
            );
        }
    }
    let metric = match obj.get("metric") {
        Some(Value::String(name)) => {
            let found = Metric::ALL.into_iter().find(|m| m.as_str() == name);
            if found.is_none() {
                let names: Vec<_> = Metric::ALL.iter().map(|m| m.as_str()).collect();
                errors.push(
                    join(path, "metric"),
                    format!(
                        "unknown metric `{name}`; expected one of {}",
                        names.join(", ")
                    ),
                );
            }
            found
        }
        Some(other) => {
            errors.push(
                join(path, "metric"),
                format!("must be a string, got {}", describe(other)),
            );
            None
        }
        None => {
            errors.push(join(path, "metric"), "is required");
            None
        }
    };
    let op = match obj.get("op") {
        Some(Value::String(sym)) => {
            let found = CompareOp::ALL.into_iter().find(|o| o.as_str() == sym);
            if found.is_none() {
                errors.push(
                    join(path, "op"),
                    format!("unknown operator `{sym}`; expected one of <, <=, >, >=, ==, !=, in"),
                );
            }
            found
        }
        Some(other) => {
            errors.push(
                join(path, "op"),
                format!("must be a string, got {}", describe(other)),
            );
            None
        }
        None => {
            errors.push(join(path, "op"), "is required");
            None
        }
    };
    let value = match obj.get("value") {
        None => {
            errors.push(join(path, "value"), "is required");
            None
        }
        Some(v) => parse_value(v, metric, op, path, errors),
    };
    if errors.errors().len() > before {
        return None;
    }
    Some(Condition::Compare {
        metric: metric?,
        op: op?,
        value: value?,
    })
}

fn parse_scalar(
    v: &Value,
    metric: Option<Metric>,
    field: &str,
    errors: &mut ValidationErrors,
) -> Option<ConditionValue> {
    let wants_text = metric.map(Metric::is_text);
    match (v, wants_text) {
        (Value::Number(n), Some(false) | None) => match decimal_from_json(n) {
            Some(d) => Some(ConditionValue::Number(d)),
            None => {
                errors.push(
                    field,
                    format!("number {n} is outside the supported decimal range"),
                );
                None
            }
        },
        (Value::String(s), Some(true) | None) => {
            if s.trim().is_empty() || s.chars().any(char::is_control) {
                errors.push(field, "must be a tier name without control characters");
                None
            } else {
                Some(ConditionValue::Text(s.clone()))
            }
        }
        (other, Some(true)) => {
            errors.push(
                field,
                format!(
                    "must be a tier name (string) for this metric, got {}",
                    describe(other)
                ),
            );
            None
        }
        (other, _) => {
            errors.push(
                field,
                format!("must be a number for this metric, got {}", describe(other)),
            );
            None
        }
    }
}

fn parse_value(
    v: &Value,
    metric: Option<Metric>,
    op: Option<CompareOp>,
    path: &str,
    errors: &mut ValidationErrors,
) -> Option<ConditionValue> {
    let field = &join(path, "value");
    match op {
        Some(CompareOp::In) => {
            let Value::Array(items) = v else {
                errors.push(
                    field,
                    format!("must be an array for `in`, got {}", describe(v)),
                );
                return None;
            };
            if items.is_empty() {
                errors.push(field, "must list at least one value for `in`");
                return None;
            }
            let parsed: Vec<_> = items
                .iter()
                .enumerate()
                .map(|(i, item)| parse_scalar(item, metric, &format!("{field}[{i}]"), errors))
                .collect();
            parsed
                .into_iter()
                .collect::<Option<Vec<_>>>()
                .map(ConditionValue::List)
        }
        Some(o) => {
            if let Value::Array(_) = v {
                errors.push(
                    field,
                    format!(
                        "must be a single value for `{}`; use `in` for a list",
                        o.as_str()
                    ),
                );
                return None;
            }
            if o.is_ordering() && metric.is_some_and(Metric::is_text) {
                errors.push(
                    join(path, "op"),
                    format!(
                        "`{}` compares numbers; tier metrics take ==, != or in",
                        o.as_str()
                    ),
                );
                return None;
            }
            parse_scalar(v, metric, field, errors)
        }
        None => None,
    }
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Value::deserialize(d)?;
        Condition::parse(&raw).map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}
