//! F-score: invoices paid late, scored by the f-score day bands.

use super::{
    band_for, finish_score, sum_of_count_times_points, Calculated, NotApplicableReason, Outcome,
};
use crate::{
    config::{ConfigId, FScoreTierConfig, Resolved},
    inputs::PaymentStats,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A lateness bucket of the payment aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceBucket {
    /// Paid on time (stands for 0 days).
    InvoicesOnTime,
    /// 1-7 days late (stands for 1 day).
    #[serde(rename = "invoices_late_1_7")]
    InvoicesLate1_7,
    /// 8-15 days late (stands for 8 days).
    #[serde(rename = "invoices_late_7_15")]
    InvoicesLate7_15,
    /// 16-20 days late (stands for 16 days).
    #[serde(rename = "invoices_late_15_20")]
    InvoicesLate15_20,
    /// 21 or more days late (stands for 21 days).
    #[serde(rename = "invoices_late_over_20")]
    InvoicesLateOver20,
}

impl InvoiceBucket {
    /// The five buckets, on time first, in the order of [`PaymentStats::buckets`].
    pub const ALL: [InvoiceBucket; 5] = [
        InvoiceBucket::InvoicesOnTime,
        InvoiceBucket::InvoicesLate1_7,
        InvoiceBucket::InvoicesLate7_15,
        InvoiceBucket::InvoicesLate15_20,
        InvoiceBucket::InvoicesLateOver20,
    ];
}

/// One bucket and what it scored. No band holding its days means 0 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FBucket {
    /// Which bucket.
    pub bucket: InvoiceBucket,
    /// The days late the bucket stands for.
    pub days: i32,
    /// Invoices in it.
    pub count: u32,
    /// The band's row id (`None`: built-in default, or no band held the days).
    pub tier_id: Option<ConfigId>,
    /// The band's rank; `None` when no band held the days.
    pub tier_index: Option<u32>,
    /// The points the band gives.
    pub points: Decimal,
}

/// Every figure behind an F-score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FExplanation {
    /// Invoices in the period, as received.
    pub total_invoices: Option<u32>,
    /// The worst lateness in days (informative; a surcharge metric).
    pub worst_days_late: Option<i32>,
    /// Amount outstanding (informative; a surcharge metric).
    pub total_outstanding_amount: Option<Decimal>,
    /// Per bucket: days, band, points and count. `invoices_on_time` already holds the derived
    /// count when the sender left it out.
    pub buckets: Option<[FBucket; 5]>,
    /// `sum(count)` over the buckets.
    pub counted_invoices: Option<u64>,
    /// `sum(count * points)` over the buckets.
    pub weighted_points: Option<Decimal>,
}

/// Scores invoice payments per the F-score rule; N/A when no invoice is counted.
pub fn score_f(
    payments: Option<&PaymentStats>,
    bands: &[Resolved<FScoreTierConfig>],
    max_points: Decimal,
) -> Calculated<FExplanation> {
    score_f_with(payments, &bucket_bands(bands), max_points)
}

/// The days late each bucket stands for, as in [`PaymentStats::buckets`].
const BUCKET_DAYS: [i32; 5] = [0, 1, 8, 16, 21];

/// The band each bucket's days fall in, as an [`FBucket`] with no count yet. It depends on the
/// config alone, so a [`Scorer`](super::Scorer) looks the five up once for every seller.
pub(crate) fn bucket_bands(bands: &[Resolved<FScoreTierConfig>]) -> [FBucket; 5] {
    std::array::from_fn(|i| {
        let days = BUCKET_DAYS[i];
        let band = band_for(bands, |b| b.holds(days), |b| b.tier_index);
        FBucket {
            bucket: InvoiceBucket::ALL[i],
            days,
            count: 0,
            tier_id: band.and_then(|b| b.id),
            tier_index: band.map(|b| b.value.tier_index),
            points: band.map_or(Decimal::ZERO, |b| b.value.points),
        }
    })
}

/// [`score_f`] with the buckets' bands already looked up ([`bucket_bands`]).
pub(crate) fn score_f_with(
    payments: Option<&PaymentStats>,
    bucket_bands: &[FBucket; 5],
    max_points: Decimal,
) -> Calculated<FExplanation> {
    let mut explanation = FExplanation {
        total_invoices: payments.map(PaymentStats::total_invoices),
        worst_days_late: payments.and_then(PaymentStats::worst_days_late),
        total_outstanding_amount: payments.and_then(PaymentStats::total_outstanding_amount),
        buckets: None,
        counted_invoices: None,
        weighted_points: None,
    };
    let Some(payments) = payments else {
        return Calculated {
            outcome: Outcome::NotApplicable(NotApplicableReason::NoData),
            explanation,
        };
    };
    let raw_buckets = payments.buckets();
    let buckets: [FBucket; 5] = std::array::from_fn(|i| {
        let (_, _, count) = raw_buckets[i];
        FBucket {
            count,
            ..bucket_bands[i]
        }
    });
    let counted: u64 = buckets.iter().map(|b| u64::from(b.count)).sum();
    let weighted = sum_of_count_times_points(buckets.map(|b| (b.count, b.points)));
    explanation.buckets = Some(buckets);
    explanation.counted_invoices = Some(counted);
    if counted == 0 {
        return Calculated {
            outcome: Outcome::NotApplicable(NotApplicableReason::ZeroTotal),
            explanation,
        };
    }
    let raw = weighted
        .checked_div(Decimal::from(counted))
        .unwrap_or(Decimal::ZERO);
    explanation.weighted_points = Some(weighted);
    Calculated {
        outcome: Outcome::Scored(finish_score(raw, max_points)),
        explanation,
    }
}
