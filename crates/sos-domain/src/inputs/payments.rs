use crate::error::ValidationErrors;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One invoice as accounting sends it (seed Format B), kept by `invoice_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawInvoice {
    /// Accounting's invoice id.
    pub invoice_id: String,
    /// Days paid after the due date; 0 or less is on time.
    pub days_late: i32,
    /// Amount still outstanding.
    pub amount: Decimal,
}

/// The seed's Format A aggregate as received, before its rules are checked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PaymentStatsDraft {
    /// Invoices in the period.
    pub total_invoices: u32,
    /// Paid on time; when absent, `total_invoices` minus the late buckets.
    pub invoices_on_time: Option<u32>,
    /// Paid 1-7 days late.
    pub invoices_late_1_7: u32,
    /// Paid 8-15 days late.
    pub invoices_late_7_15: u32,
    /// Paid 16-20 days late.
    pub invoices_late_15_20: u32,
    /// Paid 21 or more days late.
    pub invoices_late_over_20: u32,
    /// The worst lateness in days.
    pub worst_days_late: Option<i32>,
    /// Amount outstanding.
    pub total_outstanding_amount: Option<Decimal>,
    /// ISO currency of the amount.
    pub currency: Option<String>,
}

/// Invoice payment statistics for one seller and period: the stored form of the F-score input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentStats {
    total_invoices: u32,
    invoices_on_time: u32,
    invoices_late_1_7: u32,
    invoices_late_7_15: u32,
    invoices_late_15_20: u32,
    invoices_late_over_20: u32,
    worst_days_late: Option<i32>,
    total_outstanding_amount: Option<Decimal>,
    currency: Option<String>,
}

impl PaymentStats {
    /// Validates a Format A aggregate, deriving `invoices_on_time` when absent.
    ///
    /// # Errors
    /// When the buckets add up to more than `total_invoices`, the amount is outside
    /// `0..=MAX_MONEY`, or the currency is not three letters. Every problem is listed.
    pub fn new(draft: PaymentStatsDraft) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let late = u64::from(draft.invoices_late_1_7)
            + u64::from(draft.invoices_late_7_15)
            + u64::from(draft.invoices_late_15_20)
            + u64::from(draft.invoices_late_over_20);
        let total = u64::from(draft.total_invoices);
        let on_time = match draft.invoices_on_time {
            Some(on_time) => {
                if late + u64::from(on_time) > total {
                    errors.push(
                        "total_invoices",
                        format!(
                            "invoices_on_time + late buckets ({}) must not exceed total_invoices ({total})",
                            late + u64::from(on_time)
                        ),
                    );
                }
                on_time
            }
            None => {
                if late > total {
                    errors.push(
                        "total_invoices",
                        format!("late buckets ({late}) must not exceed total_invoices ({total})"),
                    );
                }
                u32::try_from(total.saturating_sub(late)).unwrap_or(0)
            }
        };
        super::check_money(
            &mut errors,
            "total_outstanding_amount",
            draft.total_outstanding_amount,
        );
        if let Some(c) = &draft.currency {
            if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_uppercase()) {
                errors.push("currency", "must be a 3-letter ISO 4217 code such as VND");
            }
        }
        errors.into_result(Self {
            total_invoices: draft.total_invoices,
            invoices_on_time: on_time,
            invoices_late_1_7: draft.invoices_late_1_7,
            invoices_late_7_15: draft.invoices_late_7_15,
            invoices_late_15_20: draft.invoices_late_15_20,
            invoices_late_over_20: draft.invoices_late_over_20,
            worst_days_late: draft.worst_days_late,
            total_outstanding_amount: draft.total_outstanding_amount,
            currency: draft.currency,
        })
    }

    /// Aggregates raw invoices (Format B): days <= 0 on time; 1-7; 8-15; 16-20; 21 and more.
    ///
    /// # Errors
    /// When an invoice id is blank or repeated, or an amount is outside `0..=MAX_MONEY` (their
    /// sum, the period's outstanding total, may be larger). Fields are named
    /// `invoices[i].field`.
    pub fn from_invoices(
        invoices: &[RawInvoice],
        currency: Option<String>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut seen = HashSet::new();
        let mut draft = PaymentStatsDraft {
            total_invoices: 0,
            invoices_on_time: Some(0),
            currency,
            ..PaymentStatsDraft::default()
        };
        let mut on_time = 0u32;
        let mut amount = Decimal::ZERO;
        for (i, inv) in invoices.iter().enumerate() {
            if inv.invoice_id.trim().is_empty() || inv.invoice_id.chars().any(char::is_control) {
                errors.push(
                    format!("invoices[{i}].invoice_id"),
                    "must be non-blank text without control characters",
                );
            } else if !seen.insert(inv.invoice_id.as_str()) {
                errors.push(
                    format!("invoices[{i}].invoice_id"),
                    format!("duplicate invoice_id {}", inv.invoice_id),
                );
            }
            super::check_money(
                &mut errors,
                &format!("invoices[{i}].amount"),
                Some(inv.amount),
            );
            draft.total_invoices = draft.total_invoices.saturating_add(1);
            match inv.days_late {
                d if d <= 0 => on_time += 1,
                1..=7 => draft.invoices_late_1_7 += 1,
                8..=15 => draft.invoices_late_7_15 += 1,
                16..=20 => draft.invoices_late_15_20 += 1,
                _ => draft.invoices_late_over_20 += 1,
            }
            draft.worst_days_late = Some(
                draft
                    .worst_days_late
                    .map_or(inv.days_late, |w| w.max(inv.days_late)),
            );
            match amount.checked_add(inv.amount) {
                Some(sum) => amount = sum,
                None => errors.push(
                    format!("invoices[{i}].amount"),
                    "brings the outstanding total past the largest decimal",
                ),
            }
        }
        draft.invoices_on_time = Some(on_time);
        if !errors.is_empty() {
            return Err(errors);
        }
        // Each amount is checked; their sum, a period's total, may pass `MAX_MONEY`.
        Self::new(draft).map(|stats| Self {
            total_outstanding_amount: Some(amount),
            ..stats
        })
    }

    /// Invoices in the period.
    pub fn total_invoices(&self) -> u32 {
        self.total_invoices
    }
    /// Paid on time.
    pub fn invoices_on_time(&self) -> u32 {
        self.invoices_on_time
    }
    /// Paid 1-7 days late.
    pub fn invoices_late_1_7(&self) -> u32 {
        self.invoices_late_1_7
    }
    /// Paid 8-15 days late.
    pub fn invoices_late_7_15(&self) -> u32 {
        self.invoices_late_7_15
    }
    /// Paid 16-20 days late.
    pub fn invoices_late_15_20(&self) -> u32 {
        self.invoices_late_15_20
    }
    /// Paid 21 or more days late.
    pub fn invoices_late_over_20(&self) -> u32 {
        self.invoices_late_over_20
    }
    /// The worst lateness in days.
    pub fn worst_days_late(&self) -> Option<i32> {
        self.worst_days_late
    }
    /// Amount outstanding.
    pub fn total_outstanding_amount(&self) -> Option<Decimal> {
        self.total_outstanding_amount
    }
    /// ISO currency of the amount.
    pub fn currency(&self) -> Option<&str> {
        self.currency.as_deref()
    }

    /// `(bucket name, days the bucket stands for, count)`, on time first.
    pub fn buckets(&self) -> [(&'static str, i32, u32); 5] {
        [
            ("invoices_on_time", 0, self.invoices_on_time),
            ("invoices_late_1_7", 1, self.invoices_late_1_7),
            ("invoices_late_7_15", 8, self.invoices_late_7_15),
            ("invoices_late_15_20", 16, self.invoices_late_15_20),
            ("invoices_late_over_20", 21, self.invoices_late_over_20),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn raw_seed_invoices_match_the_seed_aggregate() {
        let invoices = vec![
            RawInvoice {
                invoice_id: "INV001".into(),
                days_late: 0,
                amount: dec!(5000000),
            },
            RawInvoice {
                invoice_id: "INV002".into(),
                days_late: 5,
                amount: dec!(3000000),
            },
            RawInvoice {
                invoice_id: "INV003".into(),
                days_late: 12,
                amount: dec!(7000000),
            },
        ];
        let s = PaymentStats::from_invoices(&invoices, Some("VND".into())).unwrap();
        assert_eq!(s.total_invoices(), 3);
        assert_eq!(s.invoices_on_time(), 1);
        assert_eq!(s.invoices_late_1_7(), 1);
        assert_eq!(s.invoices_late_7_15(), 1);
        assert_eq!(s.worst_days_late(), Some(12));
        assert_eq!(s.total_outstanding_amount(), Some(dec!(15000000)));
    }

    #[test]
    fn invoice_day_bands_have_inclusive_edges() {
        let inv = |id: &str, d| RawInvoice {
            invoice_id: id.into(),
            days_late: d,
            amount: dec!(1),
        };
        let s = PaymentStats::from_invoices(
            &[
                inv("a", -3),
                inv("b", 0),
                inv("c", 1),
                inv("d", 7),
                inv("e", 8),
                inv("f", 15),
                inv("g", 16),
                inv("h", 20),
                inv("i", 21),
            ],
            None,
        )
        .unwrap();
        assert_eq!(
            [
                s.invoices_on_time(),
                s.invoices_late_1_7(),
                s.invoices_late_7_15(),
                s.invoices_late_15_20(),
                s.invoices_late_over_20()
            ],
            [2, 2, 2, 2, 1]
        );
    }

    #[test]
    fn on_time_is_derived_and_overfull_buckets_are_rejected() {
        let s = PaymentStats::new(PaymentStatsDraft {
            total_invoices: 10,
            invoices_late_1_7: 2,
            invoices_late_7_15: 1,
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.invoices_on_time(), 7);
        let err = PaymentStats::new(PaymentStatsDraft {
            total_invoices: 2,
            invoices_late_1_7: 2,
            invoices_late_over_20: 1,
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.errors()[0].field, "total_invoices");
        let err = PaymentStats::new(PaymentStatsDraft {
            total_invoices: 2,
            invoices_on_time: Some(2),
            invoices_late_1_7: 1,
            ..Default::default()
        })
        .unwrap_err();
        assert!(err.errors()[0]
            .message
            .contains("(3) must not exceed total_invoices (2)"));
    }

    #[test]
    fn duplicate_and_negative_invoices_are_each_reported() {
        let invoices = vec![
            RawInvoice {
                invoice_id: "A".into(),
                days_late: 0,
                amount: dec!(-1),
            },
            RawInvoice {
                invoice_id: "A".into(),
                days_late: 0,
                amount: dec!(1),
            },
        ];
        let err = PaymentStats::from_invoices(&invoices, None).unwrap_err();
        let fields: Vec<_> = err.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["invoices[0].amount", "invoices[1].invoice_id"]);
    }
}
