use crate::{decimal::percent_of, error::ValidationErrors, period::Period};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A warehouse stock snapshot as received (seed fields), before its rules are checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventorySnapshotDraft {
    /// The day the snapshot was taken; its month is the snapshot's period.
    pub snapshot_date: NaiveDate,
    /// Stored volume in cubic metres.
    pub total_cbm: Option<Decimal>,
    /// Stored units.
    pub total_sku_qty: Option<Decimal>,
    /// Volume older than 90 days.
    pub aging_over_90d_cbm: Option<Decimal>,
    /// Units older than 90 days.
    pub aging_over_90d_sku_qty: Option<Decimal>,
    /// Volume older than 180 days.
    pub aging_over_180d_cbm: Option<Decimal>,
    /// Share of stock older than 180 days, in percent, when the WMS computes it.
    pub aging_over_180d_pct: Option<Decimal>,
}

/// A validated stock snapshot for one seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InventorySnapshot {
    draft: InventorySnapshotDraft,
}

/// The aging shares derived from a snapshot, kept at full precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingPercentages {
    /// `aging_over_90d_cbm / total_cbm * 100`; `None` without volume data.
    pub by_cbm: Option<Decimal>,
    /// `aging_over_90d_sku_qty / total_sku_qty * 100`; `None` without unit data.
    pub by_qty: Option<Decimal>,
    /// The larger of the two that exist.
    pub max: Option<Decimal>,
}

impl InventorySnapshot {
    /// Validates a snapshot: figures `>= 0`, aged stock not above the total, percentages 0-100.
    ///
    /// # Errors
    /// Every broken rule, by field.
    pub fn new(draft: InventorySnapshotDraft) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        for (field, value) in [
            ("total_cbm", draft.total_cbm),
            ("total_sku_qty", draft.total_sku_qty),
            ("aging_over_90d_cbm", draft.aging_over_90d_cbm),
            ("aging_over_90d_sku_qty", draft.aging_over_90d_sku_qty),
            ("aging_over_180d_cbm", draft.aging_over_180d_cbm),
            ("aging_over_180d_pct", draft.aging_over_180d_pct),
        ] {
            super::check_non_negative(&mut errors, field, value);
        }
        let not_above = |errors: &mut ValidationErrors,
                         field: &str,
                         part: Option<Decimal>,
                         whole_name: &str,
                         whole: Option<Decimal>| {
            if let (Some(p), Some(w)) = (part, whole) {
                if p > w {
                    errors.push(field, format!("must not exceed {whole_name} ({w})"));
                }
            }
        };
        not_above(
            &mut errors,
            "aging_over_90d_cbm",
            draft.aging_over_90d_cbm,
            "total_cbm",
            draft.total_cbm,
        );
        not_above(
            &mut errors,
            "aging_over_180d_cbm",
            draft.aging_over_180d_cbm,
            "total_cbm",
            draft.total_cbm,
        );
        not_above(
            &mut errors,
            "aging_over_90d_sku_qty",
            draft.aging_over_90d_sku_qty,
            "total_sku_qty",
            draft.total_sku_qty,
        );
        if draft
            .aging_over_180d_pct
            .is_some_and(|p| p > Decimal::ONE_HUNDRED)
        {
            errors.push("aging_over_180d_pct", "must be between 0 and 100");
        }
        errors.into_result(Self { draft })
    }

    /// The day the snapshot was taken.
    pub fn snapshot_date(&self) -> NaiveDate {
        self.draft.snapshot_date
    }

    /// The period the snapshot belongs to: the month of its date.
    pub fn period(&self) -> Period {
        Period::of_date(self.draft.snapshot_date)
    }

    /// The figures as received.
    pub fn figures(&self) -> &InventorySnapshotDraft {
        &self.draft
    }

    /// The aging shares past the 90-day threshold.
    pub fn aging_percentages(&self) -> AgingPercentages {
        let share = |part: Option<Decimal>, whole: Option<Decimal>| match (part, whole) {
            (Some(p), Some(w)) => percent_of(p, w),
            _ => None,
        };
        let by_cbm = share(self.draft.aging_over_90d_cbm, self.draft.total_cbm);
        let by_qty = share(self.draft.aging_over_90d_sku_qty, self.draft.total_sku_qty);
        let max = match (by_cbm, by_qty) {
            // The second when equal, as `Ord::max` picks.
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        AgingPercentages {
            by_cbm,
            by_qty,
            max,
        }
    }

    /// The share of stock past the severe threshold: `aging_over_180d_pct` if given, else
    /// `aging_over_180d_cbm / total_cbm * 100` when both exist, else 0.
    pub fn severe_aging_pct(&self) -> Decimal {
        self.draft
            .aging_over_180d_pct
            .or_else(
                || match (self.draft.aging_over_180d_cbm, self.draft.total_cbm) {
                    (Some(p), Some(w)) => percent_of(p, w),
                    _ => None,
                },
            )
            .unwrap_or(Decimal::ZERO)
    }

    /// True when this snapshot should replace `stored` for the same seller and period: a newer
    /// (or same-day, for retries and corrections) snapshot wins; an older one arriving late
    /// does not overwrite.
    pub fn replaces(&self, stored: &InventorySnapshot) -> bool {
        self.draft.snapshot_date >= stored.draft.snapshot_date
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn seed() -> InventorySnapshotDraft {
        InventorySnapshotDraft {
            snapshot_date: NaiveDate::from_ymd_opt(2026, 2, 28).unwrap(),
            total_cbm: Some(dec!(150.5)),
            total_sku_qty: Some(dec!(12000)),
            aging_over_90d_cbm: Some(dec!(22.3)),
            aging_over_90d_sku_qty: Some(dec!(1800)),
            aging_over_180d_cbm: Some(dec!(5.1)),
            aging_over_180d_pct: Some(dec!(3.4)),
        }
    }

    #[test]
    fn seed_snapshot_derives_aging_percentages() {
        let s = InventorySnapshot::new(seed()).unwrap();
        let a = s.aging_percentages();
        assert_eq!(crate::decimal::round2(a.by_cbm.unwrap()), dec!(14.82));
        assert_eq!(a.by_qty, Some(dec!(15)));
        assert_eq!(a.max, Some(dec!(15)));
        assert_eq!(s.severe_aging_pct(), dec!(3.4));
        assert_eq!(s.period().to_string(), "2026-02");
    }

    #[test]
    fn zero_totals_give_no_percentage_and_severe_falls_back_to_cbm() {
        let mut d = seed();
        d.total_cbm = Some(dec!(0));
        d.aging_over_90d_cbm = Some(dec!(0));
        d.aging_over_180d_cbm = Some(dec!(0));
        d.aging_over_180d_pct = None;
        let s = InventorySnapshot::new(d).unwrap();
        assert_eq!(s.aging_percentages().by_cbm, None);
        assert_eq!(s.aging_percentages().max, Some(dec!(15)));
        assert_eq!(s.severe_aging_pct(), dec!(0));
        let mut d = seed();
        d.aging_over_180d_pct = None;
        d.total_cbm = Some(dec!(100));
        d.aging_over_180d_cbm = Some(dec!(31));
        assert_eq!(
            InventorySnapshot::new(d).unwrap().severe_aging_pct(),
            dec!(31)
        );
    }

    #[test]
    fn late_older_snapshot_does_not_replace_newer() {
        let newer = InventorySnapshot::new(seed()).unwrap();
        let mut d = seed();
        d.snapshot_date = NaiveDate::from_ymd_opt(2026, 2, 15).unwrap();
        let older = InventorySnapshot::new(d).unwrap();
        assert!(!older.replaces(&newer));
        assert!(newer.replaces(&older));
        assert!(newer.replaces(&newer));
    }

    #[test]
    fn inconsistent_figures_are_each_reported() {
        let mut d = seed();
        d.aging_over_90d_cbm = Some(dec!(200));
        d.total_sku_qty = Some(dec!(-1));
        d.aging_over_180d_pct = Some(dec!(101));
        let err = InventorySnapshot::new(d).unwrap_err();
        let fields: Vec<_> = err.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "total_sku_qty",
                "aging_over_90d_cbm",
                "aging_over_90d_sku_qty",
                "aging_over_180d_pct"
            ]
        );
    }
}
