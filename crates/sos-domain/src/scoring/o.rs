//! O-score: orders pushed to the warehouse late cost points per whole percentage point over the
//! tolerated share.

use super::{finish_score, Calculated, NotApplicableReason, Outcome};
use crate::{
    config::{OScoreConfig, Resolved},
    decimal::{non_negative, percent_of},
    inputs::OrderStats,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Every figure behind an O-score, so a seller can redo the sum by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OExplanation {
    /// The o-score row used and its values.
    pub config: Resolved<OScoreConfig>,
    /// The order statistics as received; `None` when the period has none.
    pub inputs: Option<OrderStats>,
    /// Late orders: `orders_late`, else `total_orders - orders_within_30min`.
    pub late: Option<u32>,
    /// `late / total_orders * 100`, full precision.
    pub late_pct: Option<Decimal>,
    /// `max(0, late_pct - acceptable_late_pct)`.
    pub over: Option<Decimal>,
    /// `floor(over)`: only whole percentage points cost points.
    pub whole_points_over: Option<Decimal>,
    /// `whole_points_over * penalty_per_1pct_over`.
    pub penalty: Option<Decimal>,
    /// `base_points - penalty`, before clamping and rounding.
    pub raw_score: Option<Decimal>,
}

/// Scores order pushes per the O-score rule; N/A without orders or without a late count.
pub fn score_o(
    orders: Option<&OrderStats>,
    config: &Resolved<OScoreConfig>,
    max_points: Decimal,
) -> Calculated<OExplanation> {
    let mut explanation = OExplanation {
        config: config.clone(),
        inputs: orders.cloned(),
        late: None,
        late_pct: None,
        over: None,
        whole_points_over: None,
        penalty: None,
        raw_score: None,
    };
    let na = |reason, explanation| Calculated {
        outcome: Outcome::NotApplicable(reason),
        explanation,
    };
    let Some(orders) = orders else {
        return na(NotApplicableReason::NoData, explanation);
    };
    if orders.total_orders() == 0 {
        return na(NotApplicableReason::ZeroTotal, explanation);
    }
    let Some(late) = orders.late_orders() else {
        return na(NotApplicableReason::MissingFigures, explanation);
    };
    let rule = &config.value;
    let late_pct = percent_of(Decimal::from(late), Decimal::from(orders.total_orders()))
        .unwrap_or(Decimal::ZERO);
    let over = non_negative(late_pct.saturating_sub(rule.acceptable_late_pct));
    // The penalty counts whole percentage points over the limit.
    let whole_points_over = over.floor();
    let penalty = whole_points_over.saturating_mul(rule.penalty_per_1pct_over);
    let raw = rule.base_points.saturating_sub(penalty);
    explanation.late = Some(late);
    explanation.late_pct = Some(late_pct);
    explanation.over = Some(over);
    explanation.whole_points_over = Some(whole_points_over);
    explanation.penalty = Some(penalty);
    explanation.raw_score = Some(raw);
    Calculated {
        outcome: Outcome::Scored(finish_score(raw, max_points)),
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::OrderStats;

    fn score(total: u32, late: u32) -> (String, String) {
        let rule = Resolved::default_value(OScoreConfig::default());
        let orders = OrderStats::new(total, None, Some(late), None).unwrap();
        let r = score_o(Some(&orders), &rule, Decimal::ONE_HUNDRED);
        (
            r.explanation.whole_points_over.unwrap().to_string(),
            r.outcome.score().unwrap().to_string(),
        )
    }

    #[test]
    fn a_share_on_a_whole_point_floors_to_it() {
        // 3 late of 100: exactly 3%, nothing over an acceptable 3.
        assert_eq!(score(100, 3), ("0".into(), "100.00".into()));
        // 123 of 1548: 7.945...%, 4.945... over, 4 whole points at 5: 80.
        assert_eq!(score(1548, 123), ("4".into(), "80.00".into()));
    }
}
