//! Invariants of the scoring rules over generated inputs.

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, NaiveDate};
use common::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sos_domain::{
    inputs::{
        CampaignInput, CampaignType, ForecastVersion, InventorySnapshotDraft, OrderStats,
        SellerInputs, TicketBreakdown, TicketStats,
    },
    score_seller,
    scoring::{f::score_f, o::score_o, t::score_t, Outcome},
    Component,
};

fn cents(max: i64) -> impl Strategy<Value = Decimal> {
    (0..=max).prop_map(|c| Decimal::new(c, 2))
}

fn order_stats() -> impl Strategy<Value = OrderStats> {
    (0u32..3000)
        .prop_flat_map(|total| (Just(total), 0..=total, any::<bool>()))
        .prop_map(|(total, late, as_within)| {
            if as_within {
                OrderStats::new(total, Some(total - late), None, None).unwrap()
            } else {
                OrderStats::new(total, None, Some(late), None).unwrap()
            }
        })
}

fn ticket_stats() -> impl Strategy<Value = TicketStats> {
    (
        prop::option::of(0u32..200),
        prop::option::of(cents(4000)),
        prop::option::of(prop::array::uniform4(0u32..60)),
    )
        .prop_map(|(total, avg, counts)| {
            let breakdown =
                counts.map(
                    |[under_4h, from_4h_to_8h, from_8h_to_16h, over_16h]| TicketBreakdown {
                        under_4h,
                        from_4h_to_8h,
                        from_8h_to_16h,
                        over_16h,
                    },
                );
            TicketStats::new(total, avg, breakdown).unwrap()
        })
}

fn inventory_draft() -> impl Strategy<Value = InventorySnapshotDraft> {
    (
        prop::option::of((1i64..100_000).prop_flat_map(|t| (Just(t), 0..=t, 0..=t))),
        prop::option::of((0i64..50_000).prop_flat_map(|t| (Just(t), 0..=t))),
        prop::option::of(cents(10_000)),
    )
        .prop_map(|(cbm, qty, severe)| InventorySnapshotDraft {
            snapshot_date: date(2026, 2, 20),
            total_cbm: cbm.map(|(t, _, _)| Decimal::new(t, 1)),
            aging_over_90d_cbm: cbm.map(|(_, a, _)| Decimal::new(a, 1)),
            aging_over_180d_cbm: cbm.map(|(_, _, s)| Decimal::new(s, 1)),
            total_sku_qty: qty.map(|(t, _)| Decimal::from(t)),
            aging_over_90d_sku_qty: qty.map(|(_, a)| Decimal::from(a)),
            aging_over_180d_pct: severe,
        })
}

fn campaign() -> impl Strategy<Value = CampaignInput> {
    (
        any::<bool>(),
        0i64..40,
        prop::collection::vec((0i64..60 * 24, 0u32..20_000), 0..3),
        prop::option::of(0u32..20_000),
    )
        .prop_map(|(major, start_offset, forecasts, actual)| {
            let start =
                NaiveDate::from_ymd_opt(2026, 1, 20).unwrap() + Duration::days(start_offset);
            let base = at("2026-01-01T00:00:00Z");
            CampaignInput {
                campaign_code: None,
                campaign_type: if major {
                    CampaignType::MajorCampaign
                } else {
                    CampaignType::MiniCampaign
                },
                start_date: start,
                forecasts: forecasts
                    .into_iter()
                    .enumerate()
                    .map(|(i, (hours, volume))| ForecastVersion {
                        submission_version: i as u32 + 1,
                        submitted_at: base + Duration::hours(hours),
                        forecasted_order_volume: volume,
                    })
                    .collect(),
                actual_order_volume: actual,
            }
        })
}

fn seller_inputs() -> impl Strategy<Value = SellerInputs> {
    (
        prop::option::of(0i64..900),
        prop::option::of(order_stats()),
        prop::option::of(ticket_stats()),
        prop::option::of(prop::array::uniform5(0u32..40)),
        prop::option::of(inventory_draft()),
        prop::collection::vec(campaign(), 0..4),
    )
        .prop_map(|(onboarded, orders, tickets, invoices, stock, campaigns)| {
            let mut inputs = SellerInputs::empty(period("2026-02"));
            inputs.onboarded_at = onboarded.map(|d| date(2023, 12, 1) + Duration::days(d));
            inputs.orders = orders;
            inputs.tickets = tickets;
            inputs.payments = invoices.map(payments);
            inputs.inventory = stock.map(inventory);
            inputs.campaigns = campaigns;
            inputs
        })
}

/// Moves one item from bucket `from` to the worse bucket `to` (`from < to`), when it has one.
fn worsen<const N: usize>(mut counts: [u32; N], from: usize, to: usize) -> Option<[u32; N]> {
    (from < to && counts[from] > 0).then(|| {
        counts[from] -= 1;
        counts[to] += 1;
        counts
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn scores_stay_within_their_bounds(inputs in seller_inputs(), maxima in prop::array::uniform5(1i64..200)) {
        let mut cfg = default_config();
        for (c, m) in Component::ALL.into_iter().zip(maxima) {
            cfg.weights.get_mut(c).value.max_points = Decimal::from(m);
        }
        let r = score_seller(None, &inputs, &cfg);
        for c in Component::ALL {
            let part = r.component(c);
            if let Some(s) = part.score {
                prop_assert!(s >= Decimal::ZERO && s <= part.max_points, "{c}: {s}");
                prop_assert!(part.score_before_grace.is_some_and(|b| b <= s));
                prop_assert_eq!(s.scale(), 2);
            } else {
                prop_assert!(part.score_before_grace.is_none());
            }
        }
        if let Some(sos) = r.sos_score() {
            prop_assert!(sos >= Decimal::ZERO && sos <= dec!(100), "{}", sos);
            prop_assert!(r.tier().is_some());
        }
    }

    #[test]
    fn more_late_orders_never_raise_o(total in 1u32..5000, a in 0u32..5000, b in 0u32..5000) {
        let (fewer, more) = (a.min(b).min(total), a.max(b).min(total));
        let cfg = default_config();
        let o = |late| score_o(Some(&orders(total, late)), &cfg.o_score, dec!(100)).outcome.score();
        prop_assert!(o(more) <= o(fewer));
    }

    #[test]
    fn a_ticket_in_a_worse_bucket_never_raises_t(counts in prop::array::uniform4(0u32..100), from in 0usize..4, to in 0usize..4) {
        let cfg = default_config();
        let t = |c| score_t(Some(&breakdown(c)), &cfg.t_score, dec!(100)).outcome;
        if let Some(worse) = worsen(counts, from, to) {
            match (t(counts), t(worse)) {
                (Outcome::Scored(before), Outcome::Scored(after)) => prop_assert!(after <= before),
                (before, after) => prop_assert!(false, "{:?} -> {:?}", before, after),
            }
        }
    }

    #[test]
    fn an_invoice_in_a_worse_bucket_never_raises_f(counts in prop::array::uniform5(0u32..100), from in 0usize..5, to in 0usize..5) {
        let cfg = default_config();
        let f = |c| score_f(Some(&payments(c)), &cfg.f_score, dec!(100)).outcome;
        if let Some(worse) = worsen(counts, from, to) {
            match (f(counts), f(worse)) {
                (Outcome::Scored(before), Outcome::Scored(after)) => prop_assert!(after <= before),
                (before, after) => prop_assert!(false, "{:?} -> {:?}", before, after),
            }
        }
    }

    #[test]
    fn the_total_lies_between_the_present_components(inputs in seller_inputs()) {
        let r = score_seller(None, &inputs, &default_config());
        let norms: Vec<Decimal> = Component::ALL.iter().filter_map(|&c| r.component(c).normalized).collect();
        match r.sos_score() {
            Some(sos) => {
                let lo = norms.iter().min().copied().unwrap_or_default();
                let hi = norms.iter().max().copied().unwrap_or_default();
                prop_assert!(sos >= lo - dec!(0.01) && sos <= hi + dec!(0.01), "{} not in [{}, {}]", sos, lo, hi);
            }
            None => prop_assert!(norms.is_empty()),
        }
    }

    #[test]
    fn results_read_back_from_json(inputs in seller_inputs()) {
        let r = score_seller(None, &inputs, &config_with_ids());
        let text = serde_json::to_string(&r).unwrap();
        let back: sos_domain::ScoreResult = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, r);
    }
}

/// A tier set of 1-6 rows with repeated minima and orders, in any row order.
fn tier_set(
) -> impl Strategy<Value = Vec<sos_domain::config::Resolved<sos_domain::config::TierConfig>>> {
    prop::collection::vec((0i64..12, 1u32..5), 1..7).prop_map(|rows| {
        let template = default_config().tiers[0].clone();
        rows.into_iter()
            .enumerate()
            .map(|(i, (min_tenths, order))| {
                let mut row = template.clone();
                row.id = Some(sos_domain::config::ConfigId(i as i64 + 1));
                // Minima of mixed scales (50, 50.0, 50.00, 50.000) must compare as equal.
                row.value.min_sos_score =
                    Decimal::new(min_tenths * 10 * 10i64.pow(i as u32 % 4), i as u32 % 4);
                row.value.tier_order = order;
                row
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The tier reached is the largest minimum at or below the total (ties: the lowest
    /// `tier_order`), and the next one the smallest minimum above it, whatever the scales.
    #[test]
    fn the_tier_is_the_largest_minimum_reached(tiers in tier_set(), sos in 0i64..13_000) {
        use sos_domain::scoring::total::tier_and_next;
        let sos = Decimal::new(sos, 2);
        let (reached, next) = tier_and_next(sos, &tiers);
        let below: Vec<_> = tiers.iter().filter(|t| t.value.min_sos_score <= sos).collect();
        let above: Vec<_> = tiers.iter().filter(|t| t.value.min_sos_score > sos).collect();
        prop_assert_eq!(reached.is_some(), !below.is_empty());
        prop_assert_eq!(next.is_some(), !above.is_empty());
        if let Some(r) = reached {
            for t in &below {
                prop_assert!(t.value.min_sos_score <= r.value.min_sos_score);
                if t.value.min_sos_score == r.value.min_sos_score {
                    prop_assert!(t.value.tier_order >= r.value.tier_order);
                }
            }
        }
        if let Some(n) = next {
            for t in &above {
                prop_assert!(t.value.min_sos_score >= n.value.min_sos_score);
                if t.value.min_sos_score == n.value.min_sos_score {
                    prop_assert!(t.value.tier_order >= n.value.tier_order);
                }
            }
        }
    }
}

/// Weights and maxima of 0-3 decimals, a zero weight included.
fn reweighted_config() -> impl Strategy<Value = sos_domain::config::ResolvedConfig> {
    (
        prop::array::uniform5((0i64..5000, 0u32..4)),
        prop::array::uniform5(prop_oneof![
            Just(dec!(100)),
            Just(dec!(50)),
            Just(dec!(7.5))
        ]),
    )
        .prop_map(|(weights, maxima)| {
            let mut config = default_config();
            for (i, c) in Component::ALL.into_iter().enumerate() {
                let (mantissa, scale) = weights[i];
                let row = &mut config.weights.get_mut(c).value;
                row.weight_pct = Decimal::new(mantissa, scale);
                row.max_points = maxima[i];
            }
            config
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Re-weighting never leaves the range of what was scored: the total lies between the
    /// lowest and the highest normalized score of the weighted components (within the
    /// rounding), is written with two decimals, and is absent exactly when no weight was scored.
    #[test]
    fn the_total_lies_within_the_weighted_scores(inputs in seller_inputs(), config in reweighted_config()) {
        let r = score_seller(None, &inputs, &config);
        let weighted: Vec<Decimal> = Component::ALL
            .into_iter()
            .map(|c| r.component(c))
            .filter(|part| part.weight_pct > Decimal::ZERO)
            .filter_map(|part| part.normalized)
            .collect();
        match r.sos_score() {
            None => prop_assert!(weighted.is_empty()),
            Some(sos) => {
                let lowest = weighted.iter().min().copied().unwrap();
                let highest = weighted.iter().max().copied().unwrap();
                prop_assert!(sos >= lowest.min(dec!(100)) - dec!(0.005), "{} < {}", sos, lowest);
                prop_assert!(sos <= highest.min(dec!(100)) + dec!(0.005), "{} > {}", sos, highest);
                prop_assert_eq!(sos.scale(), 2);
            }
        }
    }
}

/// Grace rules and maxima that reach every branch of the floor: maxima below and above it,
/// components listed or not (or all), and thresholds that put some sellers in grace for low
/// volume and leave others out.
fn grace_config() -> impl Strategy<Value = sos_domain::config::ResolvedConfig> {
    (
        prop::array::uniform5(prop_oneof![
            Just(dec!(100)),
            Just(dec!(60)),
            Just(dec!(7.5))
        ]),
        0u32..4,
        prop_oneof![
            Just(dec!(0)),
            Just(dec!(55.5)),
            Just(dec!(70)),
            Just(dec!(100))
        ],
        0u32..60,
        prop::option::of(prop::sample::subsequence(Component::ALL.to_vec(), 0..=5)),
    )
        .prop_map(|(maxima, months, floor, threshold, listed)| {
            let mut config = default_config();
            for (i, c) in Component::ALL.into_iter().enumerate() {
                config.weights.get_mut(c).value.max_points = maxima[i];
            }
            config.grace.value = sos_domain::config::GracePeriodConfig {
                grace_period_months: months,
                min_score_floor: floor,
                min_orders_threshold: threshold,
                apply_to_components: listed,
            };
            config
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// Grace only ever lifts a listed, scored component of a seller in grace, to exactly its
    /// floor (`min_score_floor`, or `max_points` when lower), and leaves every other score as
    /// the rule gave it.
    #[test]
    fn grace_lifts_listed_components_to_their_floor(inputs in seller_inputs(), config in grace_config()) {
        let r = score_seller(None, &inputs, &config);
        let rule = &config.grace.value;
        for c in Component::ALL {
            let part = r.component(c);
            let (after, before) = (part.score, part.score_before_grace);
            prop_assert_eq!(after.is_some(), before.is_some());
            let floor = rule.min_score_floor.min(part.max_points);
            let lifted = r.grace.applied && rule.applies_to(c) && before.is_some_and(|b| b < floor);
            prop_assert_eq!(r.grace.raised_components.contains(&c), lifted, "{}", c);
            if lifted {
                prop_assert_eq!(after, Some(floor));
                prop_assert_eq!(after.unwrap().scale(), 2);
            } else {
                prop_assert_eq!(after.map(|s| s.to_string()), before.map(|s| s.to_string()));
            }
        }
    }
}

fn fractional_rule_figure() -> impl Strategy<Value = Decimal> {
    (0i64..4000, 0u32..3).prop_map(|(m, s)| Decimal::new(m, s))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// O counts whole percentage points over the tolerance: `whole_points_over` is the floor of
    /// `over`, for fractional tolerances too.
    #[test]
    fn o_counts_whole_points_over(total in 1u32..5000, late in 0u32..5000, acceptable in fractional_rule_figure()) {
        let mut cfg = default_config();
        cfg.o_score.value.acceptable_late_pct = acceptable / dec!(40);
        let late = late.min(total);
        let r = score_o(Some(&orders(total, late)), &cfg.o_score, dec!(100));
        let e = r.explanation;
        let (over, whole) = (e.over.unwrap(), e.whole_points_over.unwrap());
        prop_assert!(over >= Decimal::ZERO);
        prop_assert!(whole <= over && over < whole + Decimal::ONE, "{} vs {}", whole, over);
        prop_assert_eq!(whole.scale(), 0);
    }

    /// I counts whole 5-point bands over `base_good_pct`: `base + 5 * steps <= used <
    /// base + 5 * (steps + 1)` when the share is over the base, none otherwise; a larger aged
    /// share never raises I.
    #[test]
    fn i_counts_whole_five_point_bands(draft in inventory_draft(), base in fractional_rule_figure(), extra in 0i64..1000) {
        use sos_domain::scoring::i::score_i;
        let mut cfg = default_config();
        cfg.i_score.value.base_good_pct = base / dec!(100);
        let Ok(snapshot) = sos_domain::inputs::InventorySnapshot::new(draft.clone()) else {
            return Ok(());
        };
        let r = score_i(Some(&snapshot), &cfg.i_score, dec!(100));
        if let (Some(used), Some(steps)) = (r.explanation.aging_pct_used, r.explanation.steps) {
            let base = cfg.i_score.value.base_good_pct;
            let five = dec!(5);
            if used > base {
                prop_assert!(base + five * steps <= used && used < base + five * (steps + Decimal::ONE));
            } else {
                prop_assert_eq!(steps, Decimal::ZERO);
            }
            // More aged stock (qty), same totals: never a better score.
            let mut worse = draft;
            if let (Some(total), Some(aged)) = (worse.total_sku_qty, worse.aging_over_90d_sku_qty) {
                worse.aging_over_90d_sku_qty = Some((aged + Decimal::from(extra)).min(total));
                let worse = sos_domain::inputs::InventorySnapshot::new(worse).unwrap();
                let after = score_i(Some(&worse), &cfg.i_score, dec!(100)).outcome.score();
                prop_assert!(after <= r.outcome.score());
            }
        }
    }

    /// A later first submission never raises a campaign's score.
    #[test]
    fn a_later_forecast_never_raises_p(hours in 0i64..2000, later in 0i64..2000, volume in 0u32..20_000, actual in 0u32..20_000) {
        use sos_domain::scoring::p::score_p;
        let cfg = fractional_config();
        let score = |h: i64| {
            let sent = at("2026-01-01T00:00:00Z") + Duration::hours(h);
            let campaign = major_campaign(
                vec![ForecastVersion { submission_version: 1, submitted_at: sent, forecasted_order_volume: volume }],
                Some(actual),
            );
            score_p(&[campaign], period("2026-02"), &cfg, dec!(100)).outcome.score()
        };
        prop_assert!(score(hours + later) <= score(hours));
    }
}
