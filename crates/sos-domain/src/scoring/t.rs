//! T-score: how fast tickets get a first answer, scored by the t-score hour bands.

use super::{
    band_for, finish_score, sum_of_count_times_points, Calculated, NotApplicableReason, Outcome,
};
use crate::{
    config::{ConfigId, Resolved, TScoreTierConfig},
    inputs::TicketStats,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Which figure the T-score came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TMethod {
    /// The per-bucket ticket counts (preferred when they count anything).
    Breakdown,
    /// The average first-answer time.
    Average,
}

/// A first-answer bucket of the helpdesk breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TicketBucket {
    /// Under 4 hours (stands for 0 h).
    #[serde(rename = "under_4h")]
    Under4h,
    /// 4 to 8 hours (stands for 4 h).
    #[serde(rename = "4h_8h")]
    From4hTo8h,
    /// 8 to 16 hours (stands for 8 h).
    #[serde(rename = "8h_16h")]
    From8hTo16h,
    /// 16 hours or more (stands for 16 h).
    #[serde(rename = "over_16h")]
    Over16h,
}

impl TicketBucket {
    /// The four buckets, best first, in the order of [`crate::inputs::TicketBreakdown::buckets`].
    pub const ALL: [TicketBucket; 4] = [
        TicketBucket::Under4h,
        TicketBucket::From4hTo8h,
        TicketBucket::From8hTo16h,
        TicketBucket::Over16h,
    ];
}

/// The t-score band an hour value fell in. No band holding it means 0 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TBand {
    /// The band's row id (`None`: built-in default, or no band held the value).
    pub tier_id: Option<ConfigId>,
    /// The band's rank; `None` when no band held the value.
    pub tier_index: Option<u32>,
    /// The points it gives.
    pub points: Decimal,
}

/// One bucket of the breakdown and what it scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TBucket {
    /// Which bucket.
    pub bucket: TicketBucket,
    /// The hour value the bucket stands for.
    pub hours: Decimal,
    /// Tickets in it.
    pub count: u32,
    /// The band holding `hours`.
    pub band: TBand,
}

/// Every figure behind a T-score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TExplanation {
    /// The ticket statistics as received.
    pub inputs: Option<TicketStats>,
    /// Breakdown or average; `None` when N/A.
    pub method: Option<TMethod>,
    /// Per bucket: hour value, band, points and count (breakdown method).
    pub buckets: Option<[TBucket; 4]>,
    /// `sum(count)` over the buckets (breakdown method).
    pub counted_tickets: Option<u64>,
    /// `sum(count * points)` over the buckets (breakdown method).
    pub weighted_points: Option<Decimal>,
    /// The band holding the average (average method).
    pub average_band: Option<TBand>,
}

/// The hour values the breakdown buckets stand for, as in
/// [`TicketBreakdown::buckets`](crate::inputs::TicketBreakdown::buckets).
const BUCKET_HOURS: [i64; 4] = [0, 4, 8, 16];

/// The band each breakdown bucket falls in. It depends on the config alone, so a
/// [`Scorer`](super::Scorer) looks the four up once for every seller.
pub(crate) fn bucket_bands(rows: &[Resolved<TScoreTierConfig>]) -> [TBand; 4] {
    BUCKET_HOURS.map(|hours| band(rows, Decimal::from(hours)))
}

fn band(rows: &[Resolved<TScoreTierConfig>], hours: Decimal) -> TBand {
    to_band(band_for(rows, |t| t.holds(hours), |t| t.tier_index))
}

fn to_band(row: Option<&Resolved<TScoreTierConfig>>) -> TBand {
    match row {
        Some(row) => TBand {
            tier_id: row.id,
            tier_index: Some(row.value.tier_index),
            points: row.value.points,
        },
        None => TBand {
            tier_id: None,
            tier_index: None,
            points: Decimal::ZERO,
        },
    }
}

/// Scores ticket answers per the T-score rule: the breakdown when it counts tickets, else the
/// average's band when tickets exist, else N/A.
pub fn score_t(
    tickets: Option<&TicketStats>,
    bands: &[Resolved<TScoreTierConfig>],
    max_points: Decimal,
) -> Calculated<TExplanation> {
    score_t_with(tickets, bands, &bucket_bands(bands), max_points)
}

/// [`score_t`] with the buckets' bands already looked up ([`bucket_bands`]).
pub(crate) fn score_t_with(
    tickets: Option<&TicketStats>,
    bands: &[Resolved<TScoreTierConfig>],
    bucket_bands: &[TBand; 4],
    max_points: Decimal,
) -> Calculated<TExplanation> {
    let mut explanation = TExplanation {
        inputs: tickets.cloned(),
        method: None,
        buckets: None,
        counted_tickets: None,
        weighted_points: None,
        average_band: None,
    };
    let Some(tickets) = tickets else {
        return Calculated {
            outcome: Outcome::NotApplicable(NotApplicableReason::NoData),
            explanation,
        };
    };
    let raw = if let Some(breakdown) = tickets.breakdown().filter(|b| b.total() > 0) {
        let counted = breakdown.total();
        let raw_buckets = breakdown.buckets();
        // Each bucket stands for an hour value and takes the points of the band holding it.
        let buckets: [TBucket; 4] = std::array::from_fn(|i| {
            let (_, hours, count) = raw_buckets[i];
            TBucket {
                bucket: TicketBucket::ALL[i],
                hours,
                count,
                band: bucket_bands[i],
            }
        });
        let weighted = sum_of_count_times_points(buckets.map(|b| (b.count, b.band.points)));
        explanation.buckets = Some(buckets);
        explanation.method = Some(TMethod::Breakdown);
        explanation.counted_tickets = Some(counted);
        explanation.weighted_points = Some(weighted);
        weighted
            .checked_div(Decimal::from(counted))
            .unwrap_or(Decimal::ZERO)
    } else if let Some(avg) = tickets
        .avg_response_time_hours()
        .filter(|_| tickets.total_tickets() != Some(0))
    {
        let band = band(bands, avg);
        explanation.method = Some(TMethod::Average);
        explanation.average_band = Some(band);
        band.points
    } else {
        let reason = if tickets.total_tickets() == Some(0) || tickets.breakdown().is_some() {
            NotApplicableReason::ZeroTotal
        } else {
            NotApplicableReason::MissingFigures
        };
        return Calculated {
            outcome: Outcome::NotApplicable(reason),
            explanation,
        };
    };
    Calculated {
        outcome: Outcome::Scored(finish_score(raw, max_points)),
        explanation,
    }
}
