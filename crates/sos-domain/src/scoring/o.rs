//! O-score: orders pushed to the warehouse late cost points per whole percentage point over the
//! tolerated share.

use super::{finish_score, non_negative, Calculated, NotApplicableReason, Outcome};
use crate::{
    config::{OScoreConfig, Resolved},
    decimal::{floor, percent_of, whole},
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
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub late_pct: Option<Decimal>,
    /// `max(0, late_pct - acceptable_late_pct)`.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub over: Option<Decimal>,
    /// `floor(over)`: only whole percentage points cost points.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub whole_points_over: Option<Decimal>,
    /// `whole_points_over * penalty_per_1pct_over`.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub penalty: Option<Decimal>,
    /// `base_points - penalty`, before clamping and rounding.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub raw_score: Option<Decimal>,
}

/// `max(0, share - acceptable)` for a non-negative share and a whole non-negative
/// `acceptable`, on the share's mantissa: the library's difference at the share's scale, without
/// its rescaling of the whole number. `None`: the library answers.
fn excess(share: Decimal, acceptable: Decimal) -> Option<Decimal> {
    if share.is_sign_negative() || acceptable.is_sign_negative() || acceptable.scale() != 0 {
        return None;
    }
    let scale = share.scale();
    let lowered = acceptable
        .mantissa()
        .checked_mul(10i128.checked_pow(scale)?)?;
    let difference = share.mantissa().checked_sub(lowered)?;
    if difference < 0 {
        return Some(Decimal::ZERO);
    }
    Decimal::try_from_i128_with_scale(difference, scale).ok()
}

/// `(whole_points_over, penalty, raw_score)` on integers, for a rule of non-negative whole
/// numbers (every configured one so far), written as the decimal path writes them.
///
/// `floor(late_pct - acceptable)` is `floor(late * 100 / total) - acceptable` for a whole
/// `acceptable`, and the 28-digit `late_pct` floors like the exact fraction: with `total`
/// below 2^32 the fraction is at least `1 / total` away from any whole number it is not,
/// far more than the quotient's rounding (below 10^-25 for a share under 100).
fn whole_figures(rule: &OScoreConfig, late: u32, total: u32) -> Option<(i64, i64, i64)> {
    let non_negative_whole = |d: Decimal| whole(d).filter(|v| *v >= 0);
    let acceptable = non_negative_whole(rule.acceptable_late_pct)?;
    let per_point = non_negative_whole(rule.penalty_per_1pct_over)?;
    let base = non_negative_whole(rule.base_points)?;
    let share_floor = (u64::from(late) * 100 / u64::from(total.max(1))) as i64;
    let points_over = (share_floor - acceptable).max(0);
    let penalty = points_over.checked_mul(per_point)?;
    Some((points_over, penalty, base.checked_sub(penalty)?))
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
    let over = excess(late_pct, rule.acceptable_late_pct)
        .unwrap_or_else(|| non_negative(late_pct.saturating_sub(rule.acceptable_late_pct)));
    let (whole_points_over, penalty, raw) = match whole_figures(rule, late, orders.total_orders()) {
        Some((whole, penalty, raw)) => (
            Decimal::from(whole),
            Decimal::from(penalty),
            Decimal::from(raw),
        ),
        None => {
            let whole_points_over = floor(over);
            let penalty = whole_points_over.saturating_mul(rule.penalty_per_1pct_over);
            (
                whole_points_over,
                penalty,
                rule.base_points.saturating_sub(penalty),
            )
        }
    };
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
    use proptest::prelude::*;

    /// The decimal path, as the rule reads: floor the 28-digit share's excess, then multiply
    /// and subtract.
    fn by_decimals(rule: &OScoreConfig, late: u32, total: u32) -> (Decimal, Decimal, Decimal) {
        let late_pct = percent_of(Decimal::from(late), Decimal::from(total)).unwrap_or_default();
        let over = non_negative(late_pct.saturating_sub(rule.acceptable_late_pct));
        let whole_points_over = floor(over);
        let penalty = whole_points_over.saturating_mul(rule.penalty_per_1pct_over);
        (
            whole_points_over,
            penalty,
            rule.base_points.saturating_sub(penalty),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Whole-number rules give the decimal path's figures, written the same way.
        #[test]
        fn whole_rules_give_the_decimal_figures(
            total in 1u32..5_000_000,
            late_share in 0u32..=1000,
            acceptable in 0i64..40,
            per_point in 0i64..12,
            base in 0i64..150,
        ) {
            let late = (u64::from(total) * u64::from(late_share) / 1000) as u32;
            let rule = OScoreConfig {
                max_delay_minutes: 30,
                acceptable_late_pct: Decimal::from(acceptable),
                penalty_per_1pct_over: Decimal::from(per_point),
                base_points: Decimal::from(base),
            };
            let (w, p, r) = whole_figures(&rule, late, total).unwrap();
            let shown = |(a, b, c): (Decimal, Decimal, Decimal)| (a.to_string(), b.to_string(), c.to_string());
            prop_assert_eq!(
                shown((Decimal::from(w), Decimal::from(p), Decimal::from(r))),
                shown(by_decimals(&rule, late, total))
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The excess over a whole tolerance is the library's difference, written the same way.
        #[test]
        fn excess_is_the_library_difference(late in 0u32..100_000, total in 1u32..100_000, acceptable in 0i64..100) {
            let share = percent_of(Decimal::from(late), Decimal::from(total)).unwrap();
            let acceptable = Decimal::from(acceptable);
            let ours = excess(share, acceptable).unwrap();
            let library = non_negative(share.saturating_sub(acceptable));
            prop_assert_eq!((ours, ours.to_string()), (library, library.to_string()));
        }
    }

    #[test]
    fn a_share_on_a_whole_point_floors_to_it() {
        // 3 late of 100: exactly 3%, nothing over an acceptable 3.
        let rule = OScoreConfig {
            max_delay_minutes: 30,
            acceptable_late_pct: Decimal::from(3),
            penalty_per_1pct_over: Decimal::from(5),
            base_points: Decimal::from(100),
        };
        assert_eq!(whole_figures(&rule, 3, 100), Some((0, 0, 100)));
        assert_eq!(whole_figures(&rule, 123, 1548), Some((4, 20, 80)));
    }
}
