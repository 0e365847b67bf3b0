//! The five component rules of scoring-rules.md, each checked against figures worked by hand.

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sos_domain::{
    config::{AgingBasis, ConfigId, IScoreConfig, OScoreConfig, Resolved, TScoreTierConfig},
    decimal::round2,
    inputs::{
        CampaignInput, CampaignType, InventorySnapshotDraft, OrderStats, PaymentStats,
        PaymentStatsDraft, TicketBreakdown, TicketStats,
    },
    scoring::{
        f::{score_f, FExplanation},
        i::{score_i, IExplanation},
        o::{score_o, OExplanation},
        p::{score_p, CampaignStatus, PExplanation},
        t::{score_t, TExplanation, TMethod},
        Calculated, NotApplicableReason, Outcome,
    },
};

const MAX: Decimal = Decimal::ONE_HUNDRED;

fn scored(outcome: Outcome) -> Decimal {
    match outcome {
        Outcome::Scored(s) => s,
        Outcome::NotApplicable(r) => panic!("expected a score, got N/A ({r:?})"),
    }
}

// ---------------------------------------------------------------- O

fn o(stats: Option<OrderStats>) -> Calculated<OExplanation> {
    score_o(stats.as_ref(), &default_config().o_score, MAX)
}

#[test]
fn o_seed_150_orders_10_late_is_85() {
    // late_pct = 10/150*100 = 6.666..; over = 6.666.. - 3 = 3.666..; floor = 3; penalty = 3*5 = 15
    // O = 100 - 15 = 85.00
    let r = o(Some(orders(150, 10)));
    assert_eq!(scored(r.outcome), dec!(85.00));
    assert_eq!(scored(r.outcome).to_string(), "85.00");
    let e = r.explanation;
    assert_eq!(e.late, Some(10));
    assert_eq!(e.late_pct.map(round2), Some(dec!(6.67)));
    assert_eq!(e.over.map(round2), Some(dec!(3.67)));
    assert_eq!(e.whole_points_over, Some(dec!(3)));
    assert_eq!(e.penalty, Some(dec!(15)));
    assert_eq!(e.config.id, None);
    assert_eq!(e.config.value, OScoreConfig::default());
}

#[test]
fn o_is_not_applicable_without_orders_or_a_late_count() {
    assert_eq!(
        o(None).outcome,
        Outcome::NotApplicable(NotApplicableReason::NoData)
    );
    let zero = OrderStats::new(0, Some(0), Some(0), None).unwrap();
    assert_eq!(
        o(Some(zero)).outcome,
        Outcome::NotApplicable(NotApplicableReason::ZeroTotal)
    );
    let no_counts = OrderStats::new(100, None, None, None).unwrap();
    assert_eq!(
        o(Some(no_counts)).outcome,
        Outcome::NotApplicable(NotApplicableReason::MissingFigures)
    );
}

#[test]
fn o_derives_late_from_orders_within_the_limit() {
    // late = 100 - 96 = 4 -> 4% -> over 1 -> 1 whole point -> 100 - 5 = 95.00
    let stats = OrderStats::new(100, Some(96), None, None).unwrap();
    let r = o(Some(stats));
    assert_eq!(r.explanation.late, Some(4));
    assert_eq!(scored(r.outcome), dec!(95.00));
}

#[test]
fn o_counts_only_whole_points_over_the_limit() {
    // 3 of 100 late: exactly the tolerated 3% -> over 0 -> 100.00
    assert_eq!(scored(o(Some(orders(100, 3))).outcome), dec!(100.00));
    // 7 of 200 late: 3.5% -> over 0.5 -> floor 0 -> 100.00
    assert_eq!(scored(o(Some(orders(200, 7))).outcome), dec!(100.00));
    // 8 of 200 late: 4% -> over 1 -> 95.00
    assert_eq!(scored(o(Some(orders(200, 8))).outcome), dec!(95.00));
}

#[test]
fn o_clamps_at_zero_and_at_max_points() {
    // 100 of 100 late: over 97 -> penalty 485 -> raw -385 -> 0.00
    let r = o(Some(orders(100, 100)));
    assert_eq!(r.explanation.raw_score, Some(dec!(-385)));
    assert_eq!(scored(r.outcome), dec!(0.00));
    // base_points 120 with nothing late: raw 120, max_points 100 -> 100.00
    let generous = Resolved::default_value(OScoreConfig {
        base_points: dec!(120),
        ..OScoreConfig::default()
    });
    assert_eq!(
        scored(score_o(Some(&orders(100, 0)), &generous, MAX).outcome),
        dec!(100.00)
    );
    // max_points 80 from the weight row caps a perfect 100 at 80.00
    let r = score_o(Some(&orders(100, 0)), &default_config().o_score, dec!(80));
    assert_eq!(scored(r.outcome), dec!(80.00));
}

// ---------------------------------------------------------------- T

fn t(stats: TicketStats) -> Calculated<TExplanation> {
    score_t(Some(&stats), &default_config().t_score, MAX)
}

#[test]
fn t_seed_breakdown_18_4_2_1_is_88_80() {
    // (18*100 + 4*80 + 2*50 + 1*0) / 25 = 2220 / 25 = 88.80
    let r = t(breakdown([18, 4, 2, 1]));
    assert_eq!(scored(r.outcome), dec!(88.80));
    let e = r.explanation;
    assert_eq!(e.method, Some(TMethod::Breakdown));
    assert_eq!(e.counted_tickets, Some(25));
    assert_eq!(e.weighted_points, Some(dec!(2220)));
    let buckets = e.buckets.unwrap();
    let hours: Vec<_> = buckets.iter().map(|b| b.hours).collect();
    let points: Vec<_> = buckets.iter().map(|b| b.band.points).collect();
    assert_eq!(hours, [dec!(0), dec!(4), dec!(8), dec!(16)]);
    assert_eq!(points, [dec!(100), dec!(80), dec!(50), dec!(0)]);
    assert_eq!(buckets[1].band.tier_index, Some(2));
}

#[test]
fn t_rounds_half_away_from_zero() {
    // (78*100 + 1*80 + 1*50) / 80 = 7930 / 80 = 99.125 exactly -> 99.13 (banker's would say 99.12)
    let r = t(breakdown([78, 1, 1, 0]));
    assert_eq!(r.explanation.weighted_points, Some(dec!(7930)));
    assert_eq!(r.explanation.counted_tickets, Some(80));
    assert_eq!(scored(r.outcome), dec!(99.13));
}

#[test]
fn t_uses_the_average_band_without_a_breakdown() {
    let avg = |h: Decimal| TicketStats::new(Some(10), Some(h), None).unwrap();
    // 5.5 h is in [4,8) -> 80.00
    let r = t(avg(dec!(5.5)));
    assert_eq!(r.explanation.method, Some(TMethod::Average));
    assert_eq!(r.explanation.average_band.unwrap().points, dec!(80));
    assert_eq!(scored(r.outcome), dec!(80.00));
    // band edges: min inclusive, max exclusive
    assert_eq!(scored(t(avg(dec!(3.99))).outcome), dec!(100.00));
    assert_eq!(scored(t(avg(dec!(4))).outcome), dec!(80.00));
    assert_eq!(scored(t(avg(dec!(16))).outcome), dec!(0.00));
    // total_tickets not sent is "not 0": the average still counts
    let no_total = TicketStats::new(None, Some(dec!(2)), None).unwrap();
    assert_eq!(scored(t(no_total).outcome), dec!(100.00));
}

#[test]
fn t_breakdown_with_zero_counts_falls_back_to_the_average() {
    let stats = TicketStats::new(Some(5), Some(dec!(9)), Some(TicketBreakdown::default())).unwrap();
    let r = t(stats);
    assert_eq!(r.explanation.method, Some(TMethod::Average));
    assert_eq!(r.explanation.buckets, None);
    // 9 h is in [8,16) -> 50.00
    assert_eq!(scored(r.outcome), dec!(50.00));
}

#[test]
fn t_is_not_applicable_without_usable_figures() {
    let cfg = default_config();
    assert_eq!(
        score_t(None, &cfg.t_score, MAX).outcome,
        Outcome::NotApplicable(NotApplicableReason::NoData)
    );
    let empty = TicketStats::new(Some(0), None, Some(TicketBreakdown::default())).unwrap();
    assert_eq!(
        t(empty).outcome,
        Outcome::NotApplicable(NotApplicableReason::ZeroTotal)
    );
    // an average with total_tickets 0 does not count
    let zero_total = TicketStats::new(Some(0), Some(dec!(2)), None).unwrap();
    assert_eq!(
        t(zero_total).outcome,
        Outcome::NotApplicable(NotApplicableReason::ZeroTotal)
    );
    let nothing = TicketStats::new(Some(4), None, None).unwrap();
    assert_eq!(
        t(nothing).outcome,
        Outcome::NotApplicable(NotApplicableReason::MissingFigures)
    );
}

#[test]
fn t_all_slow_is_zero_and_unheld_hours_give_zero_points() {
    assert_eq!(scored(t(breakdown([0, 0, 0, 7])).outcome), dec!(0.00));
    // Only a [0,4) band exists: the 4 h bucket is in no band -> 0 points.
    // (1*100 + 1*0) / 2 = 50.00
    let only_fast = vec![Resolved::from_row(
        ConfigId(9),
        TScoreTierConfig {
            tier_index: 1,
            response_hours_min: dec!(0),
            response_hours_max: Some(dec!(4)),
            points: dec!(100),
        },
    )];
    let r = score_t(Some(&breakdown([1, 1, 0, 0])), &only_fast, MAX);
    assert_eq!(scored(r.outcome), dec!(50.00));
    let buckets = r.explanation.buckets.unwrap();
    assert_eq!(buckets[0].band.tier_id, Some(ConfigId(9)));
    assert_eq!(buckets[1].band.tier_id, None);
    assert_eq!(buckets[1].band.points, dec!(0));
}

// ---------------------------------------------------------------- F

fn f(stats: PaymentStats) -> Calculated<FExplanation> {
    score_f(Some(&stats), &default_config().f_score, MAX)
}

#[test]
fn f_seed_7_2_1_0_0_is_91() {
    // (7*100 + 2*80 + 1*50) / 10 = 910 / 10 = 91.00
    let r = f(payments([7, 2, 1, 0, 0]));
    assert_eq!(scored(r.outcome), dec!(91.00));
    assert_eq!(r.explanation.counted_invoices, Some(10));
    assert_eq!(r.explanation.weighted_points, Some(dec!(910)));
    let days: Vec<_> = r
        .explanation
        .buckets
        .unwrap()
        .iter()
        .map(|b| b.days)
        .collect();
    assert_eq!(days, [0, 1, 8, 16, 21]);
}

#[test]
fn f_derives_on_time_when_absent() {
    // on time = 10 - (2 + 1) = 7 -> the seed's 91.00
    let stats = PaymentStats::new(PaymentStatsDraft {
        total_invoices: 10,
        invoices_late_1_7: 2,
        invoices_late_7_15: 1,
        ..PaymentStatsDraft::default()
    })
    .unwrap();
    let r = f(stats);
    assert_eq!(r.explanation.buckets.unwrap()[0].count, 7);
    assert_eq!(scored(r.outcome), dec!(91.00));
}

#[test]
fn f_every_bucket_and_repeating_decimals() {
    // (100 + 80 + 50 + 20 + 0) / 5 = 50.00
    assert_eq!(scored(f(payments([1, 1, 1, 1, 1])).outcome), dec!(50.00));
    // (100 + 80 + 50) / 3 = 76.666.. -> 76.67
    assert_eq!(scored(f(payments([1, 1, 1, 0, 0])).outcome), dec!(76.67));
    // all over 20 days -> 0.00
    assert_eq!(scored(f(payments([0, 0, 0, 0, 4])).outcome), dec!(0.00));
}

#[test]
fn f_is_not_applicable_when_nothing_is_counted() {
    let cfg = default_config();
    assert_eq!(
        score_f(None, &cfg.f_score, MAX).outcome,
        Outcome::NotApplicable(NotApplicableReason::NoData)
    );
    let r = f(payments([0, 0, 0, 0, 0]));
    assert_eq!(
        r.outcome,
        Outcome::NotApplicable(NotApplicableReason::ZeroTotal)
    );
    // the surcharge figures are still shown
    assert_eq!(r.explanation.worst_days_late, Some(12));
}

// ---------------------------------------------------------------- I

fn i_with(draft: InventorySnapshotDraft, rule: IScoreConfig) -> Calculated<IExplanation> {
    score_i(Some(&inventory(draft)), &Resolved::default_value(rule), MAX)
}

fn i(draft: InventorySnapshotDraft) -> Calculated<IExplanation> {
    i_with(draft, IScoreConfig::default())
}

fn basis(calculation_basis: AgingBasis) -> IScoreConfig {
    IScoreConfig {
        calculation_basis,
        ..IScoreConfig::default()
    }
}

/// Stock of 100 units of which `aged` are past 90 days, `severe` percent past 180.
fn units(aged: Decimal, severe: Option<Decimal>) -> InventorySnapshotDraft {
    InventorySnapshotDraft {
        snapshot_date: date(2026, 2, 28),
        total_cbm: None,
        total_sku_qty: Some(dec!(100)),
        aging_over_90d_cbm: None,
        aging_over_90d_sku_qty: Some(aged),
        aging_over_180d_cbm: None,
        aging_over_180d_pct: severe,
    }
}

#[test]
fn i_seed_is_80() {
    // by_cbm = 22.3/150.5*100 = 14.8172..; by_qty = 1800/12000*100 = 15; basis max -> 15
    // steps = floor((15 - 5)/5) = 2; penalty = 2*10 = 20; severe 3.4 < 30; I = 100 - 20 = 80.00
    let r = i(seed_inventory_draft());
    assert_eq!(scored(r.outcome), dec!(80.00));
    let e = r.explanation;
    assert_eq!(e.by_cbm.map(round2), Some(dec!(14.82)));
    assert_eq!(e.by_qty.map(round2), Some(dec!(15.00)));
    assert_eq!(e.aging_pct_used, Some(dec!(15)));
    assert_eq!(e.steps, Some(dec!(2)));
    assert_eq!(e.penalty_before_multiplier, Some(dec!(20)));
    assert_eq!(e.severe_pct, Some(dec!(3.4)));
    assert!(!e.multiplier_applied);
    assert_eq!(e.penalty, Some(dec!(20)));
}

#[test]
fn i_basis_picks_the_share() {
    // cbm: 14.817.. -> floor(9.817../5) = 1 step -> 90.00
    assert_eq!(
        scored(i_with(seed_inventory_draft(), basis(AgingBasis::Cbm)).outcome),
        dec!(90.00)
    );
    // qty: 15 -> 2 steps -> 80.00
    assert_eq!(
        scored(i_with(seed_inventory_draft(), basis(AgingBasis::Qty)).outcome),
        dec!(80.00)
    );
    // cbm basis without volume data -> N/A
    let mut no_cbm = seed_inventory_draft();
    no_cbm.total_cbm = None;
    assert_eq!(
        i_with(no_cbm, basis(AgingBasis::Cbm)).outcome,
        Outcome::NotApplicable(NotApplicableReason::MissingFigures)
    );
}

#[test]
fn i_severe_aging_multiplies_the_penalty() {
    // severe exactly 30 (the threshold): penalty 20 * 1.5 = 30 -> 70.00
    let mut d = seed_inventory_draft();
    d.aging_over_180d_pct = Some(dec!(30));
    let r = i(d.clone());
    assert!(r.explanation.multiplier_applied);
    assert_eq!(r.explanation.penalty, Some(dec!(30.0)));
    assert_eq!(scored(r.outcome), dec!(70.00));
    // 29.99 -> no multiplier -> 80.00
    d.aging_over_180d_pct = Some(dec!(29.99));
    assert_eq!(scored(i(d.clone()).outcome), dec!(80.00));
    // no pct given: 45.15 / 150.5 * 100 = 30 -> multiplier -> 70.00
    d.aging_over_180d_pct = None;
    d.aging_over_180d_cbm = Some(dec!(45.15));
    let r = i(d);
    assert_eq!(r.explanation.severe_pct, Some(dec!(30)));
    assert_eq!(scored(r.outcome), dec!(70.00));
}

#[test]
fn i_steps_are_whole_five_point_bands() {
    // 5% = base_good_pct -> 0 steps -> 100.00
    assert_eq!(scored(i(units(dec!(5), None)).outcome), dec!(100.00));
    // 9.99% -> floor(4.99/5) = 0 -> 100.00; 10% -> 1 step -> 90.00
    assert_eq!(scored(i(units(dec!(9.99), None)).outcome), dec!(100.00));
    assert_eq!(scored(i(units(dec!(10), None)).outcome), dec!(90.00));
    // 100% aged and 100% severe: floor(95/5) = 19 steps -> 190 * 1.5 = 285 -> clamped to 0.00
    let r = i(units(dec!(100), Some(dec!(100))));
    assert_eq!(r.explanation.steps, Some(dec!(19)));
    assert_eq!(scored(r.outcome), dec!(0.00));
}

#[test]
fn i_is_not_applicable_without_a_share() {
    let cfg = default_config();
    assert_eq!(
        score_i(None, &cfg.i_score, MAX).outcome,
        Outcome::NotApplicable(NotApplicableReason::NoData)
    );
    let mut d = units(dec!(0), None);
    d.total_sku_qty = Some(dec!(0));
    assert_eq!(
        i(d).outcome,
        Outcome::NotApplicable(NotApplicableReason::MissingFigures)
    );
}

// ---------------------------------------------------------------- P

fn p(campaigns: &[CampaignInput]) -> Calculated<PExplanation> {
    score_p(campaigns, period("2026-02"), &default_config(), MAX)
}

fn one_forecast(submitted_at: &str, volume: u32, actual: u32) -> CampaignInput {
    major_campaign(vec![forecast(1, submitted_at, volume)], Some(actual))
}

#[test]
fn p_seed_forecast_5000_actual_4800_on_time_is_100() {
    // deadline = 2026-02-14 - 14 days = 2026-01-31; sent 2026-01-28 -> 0 days late -> 50
    // deviation = (5000 - 4800)/4800*100 = +4.1666..% inside [-10, 10] -> accuracy 50
    let r = p(&[one_forecast("2026-01-28T10:00:00Z", 5000, 4800)]);
    assert_eq!(scored(r.outcome), dec!(100.00));
    let c = &r.explanation.campaigns[0];
    assert_eq!(c.status, CampaignStatus::Scored);
    assert_eq!(c.deadline, Some(date(2026, 1, 31)));
    assert_eq!(c.days_late, Some(0));
    assert_eq!(c.timeliness, Some(dec!(50)));
    assert_eq!(c.deviation.map(round2), Some(dec!(4.17)));
    assert_eq!(c.distance, Some(dec!(0)));
    assert_eq!(c.accuracy, Some(dec!(50)));
    assert_eq!(c.campaign_score, Some(dec!(100)));
    assert_eq!(c.judged_version, Some(1));
    assert!(r.explanation.major_campaign_config.is_some());
    assert!(r.explanation.mini_campaign_config.is_none());
}

#[test]
fn p_deadline_day_is_on_time_and_each_day_after_costs_10() {
    // sent on the deadline day (23:59 UTC): 0 days -> 50 + 50
    let r = p(&[one_forecast("2026-01-31T23:59:00Z", 5000, 5000)]);
    assert_eq!(r.explanation.campaigns[0].timeliness, Some(dec!(50)));
    assert_eq!(scored(r.outcome), dec!(100.00));
    // one day after: 1 day -> 50 - 10 = 40 -> 90.00
    let r = p(&[one_forecast("2026-02-01T00:00:00Z", 5000, 5000)]);
    assert_eq!(r.explanation.campaigns[0].days_late, Some(1));
    assert_eq!(r.explanation.campaigns[0].timeliness, Some(dec!(40)));
    assert_eq!(scored(r.outcome), dec!(90.00));
}

#[test]
fn p_mini_campaign_uses_its_own_lead_time() {
    // mini: deadline = 2026-02-14 - 7 = 2026-02-07; sent 02-09 -> 2 days -> 30 + 50 = 80.00
    let mut c = one_forecast("2026-02-09T08:00:00Z", 100, 100);
    c.campaign_type = CampaignType::MiniCampaign;
    let r = p(&[c]);
    assert_eq!(r.explanation.campaigns[0].deadline, Some(date(2026, 2, 7)));
    assert_eq!(scored(r.outcome), dec!(80.00));
    assert!(r.explanation.mini_campaign_config.is_some());
}

#[test]
fn p_good_range_bounds_are_inclusive() {
    // +10% exactly: (5500 - 5000)/5000*100 = 10 -> full accuracy -> 100.00
    assert_eq!(
        scored(p(&[one_forecast("2026-01-01T00:00:00Z", 5500, 5000)]).outcome),
        dec!(100.00)
    );
    // -10% exactly: (4500 - 5000)/5000*100 = -10 -> 100.00
    assert_eq!(
        scored(p(&[one_forecast("2026-01-01T00:00:00Z", 4500, 5000)]).outcome),
        dec!(100.00)
    );
}

#[test]
fn p_accuracy_loses_10_per_whole_10_points_beyond_the_range() {
    // +29.99%: (12999 - 10000)/10000*100 = 29.99 -> distance 19.99 -> 1 band -> 50 - 10 = 40
    let r = p(&[one_forecast("2026-01-01T00:00:00Z", 12999, 10000)]);
    let c = &r.explanation.campaigns[0];
    assert_eq!(c.deviation, Some(dec!(29.99)));
    assert_eq!(c.distance, Some(dec!(19.99)));
    assert_eq!(c.accuracy, Some(dec!(40)));
    assert_eq!(scored(r.outcome), dec!(90.00));
    // +30%: distance 20 -> 2 bands -> 30 -> 80.00
    assert_eq!(
        scored(p(&[one_forecast("2026-01-01T00:00:00Z", 13000, 10000)]).outcome),
        dec!(80.00)
    );
    // -29.99%: (7001 - 10000)/10000*100 = -29.99 -> distance to -10 is 19.99 -> 40 -> 90.00
    let r = p(&[one_forecast("2026-01-01T00:00:00Z", 7001, 10000)]);
    assert_eq!(r.explanation.campaigns[0].distance, Some(dec!(19.99)));
    assert_eq!(scored(r.outcome), dec!(90.00));
    // 10x the actual: +900% -> distance 890 -> 89 bands -> max(0, 50 - 890) = 0 -> 50.00
    assert_eq!(
        scored(p(&[one_forecast("2026-01-01T00:00:00Z", 10000, 1000)]).outcome),
        dec!(50.00)
    );
}

#[test]
fn p_judges_the_latest_version_before_the_start() {
    // v1 on time (5000), v2 before the start (3000), v3 after the start (4800); actual 4800.
    // judged = v2: (3000 - 4800)/4800*100 = -37.5 -> distance 27.5 -> 2 bands -> 30
    // timeliness from v1 (2026-01-20, before the deadline) = 50 -> 80.00
    let c = major_campaign(
        vec![
            forecast(3, "2026-02-15T09:00:00Z", 4800),
            forecast(1, "2026-01-20T09:00:00Z", 5000),
            forecast(2, "2026-02-10T09:00:00Z", 3000),
        ],
        Some(4800),
    );
    let r = p(&[c]);
    let e = &r.explanation.campaigns[0];
    assert_eq!(e.judged_version, Some(2));
    assert_eq!(e.judged_forecast, Some(3000));
    assert_eq!(e.deviation, Some(dec!(-37.5)));
    assert_eq!(e.accuracy, Some(dec!(30)));
    assert_eq!(scored(r.outcome), dec!(80.00));
}

#[test]
fn p_all_versions_after_the_start_judge_the_first() {
    // none before 2026-02-14: judged = v1 (3000) -> -37.5% -> accuracy 30
    // first sent 2026-02-15: 15 days after the deadline -> max(0, 50 - 150) = 0 -> 30.00
    let c = major_campaign(
        vec![
            forecast(1, "2026-02-15T09:00:00Z", 3000),
            forecast(2, "2026-02-16T09:00:00Z", 4800),
        ],
        Some(4800),
    );
    let r = p(&[c]);
    let e = &r.explanation.campaigns[0];
    assert_eq!(e.judged_version, Some(1));
    assert_eq!(e.days_late, Some(15));
    assert_eq!(e.timeliness, Some(dec!(0)));
    assert_eq!(scored(r.outcome), dec!(30.00));
}

#[test]
fn p_actual_zero() {
    // forecast 0, actual 0 -> accuracy 50 -> 100.00
    let r = p(&[one_forecast("2026-01-01T00:00:00Z", 0, 0)]);
    assert_eq!(r.explanation.campaigns[0].deviation, None);
    assert_eq!(scored(r.outcome), dec!(100.00));
    // forecast 100, actual 0 -> accuracy 0 -> 50.00
    assert_eq!(
        scored(p(&[one_forecast("2026-01-01T00:00:00Z", 100, 0)]).outcome),
        dec!(50.00)
    );
}

#[test]
fn p_actual_without_forecast_scores_zero() {
    let r = p(&[major_campaign(vec![], Some(4800))]);
    assert_eq!(r.explanation.campaigns[0].campaign_score, Some(dec!(0)));
    assert_eq!(scored(r.outcome), dec!(0.00));
}

#[test]
fn p_pending_campaigns_are_listed_not_counted() {
    let on_time = one_forecast("2026-01-28T10:00:00Z", 5000, 4800);
    let pending = major_campaign(vec![forecast(1, "2026-02-05T10:00:00Z", 100)], None);
    let r = p(&[on_time, pending.clone()]);
    assert_eq!(scored(r.outcome), dec!(100.00));
    assert_eq!(r.explanation.scored_campaigns, 1);
    assert_eq!(r.explanation.pending_campaigns, 1);
    assert_eq!(r.explanation.campaigns[1].status, CampaignStatus::Pending);
    assert_eq!(r.explanation.campaigns[1].campaign_score, None);
    // pending alone -> N/A
    assert_eq!(
        p(&[pending]).outcome,
        Outcome::NotApplicable(NotApplicableReason::NoScoredCampaigns)
    );
    assert_eq!(
        p(&[]).outcome,
        Outcome::NotApplicable(NotApplicableReason::NoScoredCampaigns)
    );
}

#[test]
fn p_is_the_mean_of_counted_campaigns() {
    // 100, 100, 90 -> 290 / 3 = 96.666.. -> 96.67
    let r = p(&[
        one_forecast("2026-01-28T10:00:00Z", 5000, 5000),
        one_forecast("2026-01-28T10:00:00Z", 5000, 5000),
        one_forecast("2026-02-01T10:00:00Z", 5000, 5000),
    ]);
    assert_eq!(r.explanation.sum_of_scores, dec!(290));
    assert_eq!(scored(r.outcome), dec!(96.67));
}

#[test]
fn p_ignores_campaigns_of_another_period() {
    let mut march = one_forecast("2026-02-01T10:00:00Z", 5000, 5000);
    march.start_date = date(2026, 3, 2);
    let r = p(&[march]);
    assert_eq!(
        r.explanation.campaigns[0].status,
        CampaignStatus::OutsidePeriod
    );
    assert_eq!(
        r.outcome,
        Outcome::NotApplicable(NotApplicableReason::NoScoredCampaigns)
    );
}

#[test]
fn p_campaign_score_is_clamped_to_max_points() {
    // on_time_points 80: 80 + 50 = 130 -> clamped to 100 -> 100.00
    let mut cfg = default_config();
    cfg.p_score_major.value.on_time_points = dec!(80);
    let r = score_p(
        &[one_forecast("2026-01-28T10:00:00Z", 5000, 5000)],
        period("2026-02"),
        &cfg,
        MAX,
    );
    assert_eq!(r.explanation.campaigns[0].campaign_score, Some(dec!(100)));
    assert_eq!(scored(r.outcome), dec!(100.00));
}
