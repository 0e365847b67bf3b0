use crate::{codes::AmId, decimal::percent_of, error::ValidationErrors, period::Period};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// An account manager's revenue target and result for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevenueRecord {
    am_id: AmId,
    period: Period,
    revenue_target: Decimal,
    revenue_actual: Decimal,
}

impl RevenueRecord {
    /// Validates the figures: both within `0..=MAX_MONEY`.
    ///
    /// # Errors
    /// Every figure out of range, by field.
    pub fn new(
        am_id: AmId,
        period: Period,
        revenue_target: Decimal,
        revenue_actual: Decimal,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        super::check_money(&mut errors, "revenue_target", Some(revenue_target));
        super::check_money(&mut errors, "revenue_actual", Some(revenue_actual));
        errors.into_result(Self {
            am_id,
            period,
            revenue_target,
            revenue_actual,
        })
    }

    /// The AM.
    pub fn am_id(&self) -> AmId {
        self.am_id
    }
    /// The period.
    pub fn period(&self) -> Period {
        self.period
    }
    /// The target.
    pub fn revenue_target(&self) -> Decimal {
        self.revenue_target
    }
    /// The result.
    pub fn revenue_actual(&self) -> Decimal {
        self.revenue_actual
    }

    /// `actual / target * 100` at full precision; `None` when the target is 0.
    pub fn achievement_pct(&self) -> Option<Decimal> {
        percent_of(self.revenue_actual, self.revenue_target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn seed_revenue_achievement_is_90_pct() {
        let r = RevenueRecord::new(
            AmId::new(1).unwrap(),
            Period::parse("2026-02").unwrap(),
            dec!(500000000),
            dec!(450000000),
        )
        .unwrap();
        assert_eq!(r.achievement_pct(), Some(dec!(90)));
        let zero = RevenueRecord::new(
            AmId::new(1).unwrap(),
            Period::parse("2026-02").unwrap(),
            dec!(0),
            dec!(5),
        )
        .unwrap();
        assert_eq!(zero.achievement_pct(), None);
        assert!(RevenueRecord::new(
            AmId::new(1).unwrap(),
            Period::parse("2026-02").unwrap(),
            dec!(-1),
            dec!(5)
        )
        .is_err());
    }
}
