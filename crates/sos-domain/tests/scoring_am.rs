//! The account manager KPI and bonus bands, with figures worked by hand.

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sos_domain::{
    am::AmPortfolioScore, config::ConfigId, inputs::RevenueRecord, score_am_portfolio, AmId,
    SellerCode,
};

fn am() -> AmId {
    AmId::new(1).unwrap()
}

fn sellers(scores: &[Option<Decimal>]) -> Vec<(SellerCode, Option<Decimal>)> {
    scores
        .iter()
        .enumerate()
        .map(|(i, s)| (SellerCode::parse(format!("SEL{i:03}")).unwrap(), *s))
        .collect()
}

fn revenue(target: Decimal, actual: Decimal) -> RevenueRecord {
    RevenueRecord::new(am(), period("2026-02"), target, actual).unwrap()
}

fn kpi(
    scores: &[Option<Decimal>],
    previous: Option<Decimal>,
    revenue: Option<&RevenueRecord>,
) -> AmPortfolioScore {
    score_am_portfolio(
        am(),
        period("2026-02"),
        &sellers(scores),
        previous,
        revenue,
        &config_with_ids(),
    )
}

#[test]
fn seed_like_portfolio() {
    // scored sellers 89.96 and 75.50 (a third has no total): avg = 165.46 / 2 = 82.73
    // delta = 82.73 - 80.00 = 2.73 -> band [2, 5) -> +2,000,000 VND
    // revenue 450M / 500M = 90% -> revenue part 90
    // growth = clamp(50 + 5 * 2.73, 0, 100) = 63.65
    // kpi = (50*82.73 + 30*90 + 20*63.65) / 100 = (4136.5 + 2700 + 1273) / 100 = 81.095 -> 81.10
    let rev = revenue(dec!(500000000), dec!(450000000));
    let r = kpi(
        &[Some(dec!(89.96)), Some(dec!(75.50)), None],
        Some(dec!(80.00)),
        Some(&rev),
    );
    assert_eq!(r.seller_count, 3);
    assert_eq!(r.scored_seller_count, 2);
    assert_eq!(r.avg_sos, Some(dec!(82.73)));
    assert_eq!(r.sos_delta, Some(dec!(2.73)));
    assert_eq!(r.revenue_achievement_pct, Some(dec!(90)));
    assert_eq!(r.kpi_parts.revenue.value, Some(dec!(90)));
    assert_eq!(r.kpi_parts.growth.value, Some(dec!(63.65)));
    assert_eq!(r.kpi_parts.avg_sos.weight_pct, Some(dec!(50)));
    assert_eq!(r.kpi, Some(dec!(81.10)));
    assert_eq!(r.kpi.unwrap().to_string(), "81.10");
    let bonus = r.bonus_penalty.unwrap();
    assert_eq!(bonus.amount, dec!(2000000));
    assert_eq!(bonus.currency, "VND");
    assert_eq!(bonus.sos_delta_min, dec!(2));
    assert!(bonus.config_id.is_some());
}

#[test]
fn bands_include_their_minimum_and_exclude_their_maximum() {
    // one seller at 85.00; the previous average sets the delta
    let amount = |delta: Decimal| {
        kpi(&[Some(dec!(85.00))], Some(dec!(85.00) - delta), None)
            .bonus_penalty
            .map(|b| b.amount)
    };
    assert_eq!(amount(dec!(5)), Some(dec!(5000000)));
    assert_eq!(amount(dec!(4.99)), Some(dec!(2000000)));
    assert_eq!(amount(dec!(2)), Some(dec!(2000000)));
    assert_eq!(amount(dec!(1.99)), Some(dec!(0)));
    assert_eq!(amount(dec!(-2)), Some(dec!(0)));
    assert_eq!(amount(dec!(-2.01)), Some(dec!(-1000000)));
    assert_eq!(amount(dec!(-5)), Some(dec!(-1000000)));
    assert_eq!(amount(dec!(-5.01)), Some(dec!(-3000000)));
    // below every band (-100 is the lowest minimum)
    assert_eq!(amount(dec!(-100.01)), None);
}

#[test]
fn kpi_without_revenue_or_with_a_zero_target() {
    // avg 85, previous 80 -> delta 5 -> growth 75; no revenue part:
    // (50*85 + 20*75) / 70 = 5750 / 70 = 82.142857.. -> 82.14
    let r = kpi(&[Some(dec!(85.00))], Some(dec!(80.00)), None);
    assert_eq!(r.revenue_achievement_pct, None);
    assert_eq!(r.kpi_parts.revenue.value, None);
    assert_eq!(r.kpi, Some(dec!(82.14)));
    let zero = revenue(dec!(0), dec!(1000));
    let r = kpi(&[Some(dec!(85.00))], Some(dec!(80.00)), Some(&zero));
    assert_eq!(r.revenue_target, Some(dec!(0)));
    assert_eq!(r.revenue_achievement_pct, None);
    assert_eq!(r.kpi, Some(dec!(82.14)));
}

#[test]
fn kpi_without_a_previous_period() {
    // no delta -> no growth part, no bonus: (50*85 + 30*90) / 80 = 6950 / 80 = 86.875 -> 86.88
    let rev = revenue(dec!(100), dec!(90));
    let r = kpi(&[Some(dec!(85.00))], None, Some(&rev));
    assert_eq!(r.sos_delta, None);
    assert_eq!(r.kpi_parts.growth.value, None);
    assert_eq!(r.bonus_penalty, None);
    assert_eq!(r.kpi, Some(dec!(86.88)));
}

#[test]
fn no_scored_sellers_leaves_only_revenue() {
    let rev = revenue(dec!(100), dec!(90));
    let r = kpi(&[None, None], Some(dec!(80)), Some(&rev));
    assert_eq!(r.seller_count, 2);
    assert_eq!(r.avg_sos, None);
    assert_eq!(r.sos_delta, None);
    assert_eq!(r.kpi, Some(dec!(90.00)));
    let r = kpi(&[], None, None);
    assert_eq!(r.seller_count, 0);
    assert_eq!(r.kpi, None);
}

#[test]
fn growth_and_revenue_are_capped() {
    // delta +12 -> 50 + 60 = 110 -> 100; revenue 120% -> 100
    let rev = revenue(dec!(500), dec!(600));
    let r = kpi(&[Some(dec!(92.00))], Some(dec!(80.00)), Some(&rev));
    assert_eq!(r.kpi_parts.growth.value, Some(dec!(100)));
    assert_eq!(r.revenue_achievement_pct, Some(dec!(120)));
    assert_eq!(r.kpi_parts.revenue.value, Some(dec!(100)));
    // delta -12 -> 50 - 60 = -10 -> 0
    let r = kpi(&[Some(dec!(68.00))], Some(dec!(80.00)), None);
    assert_eq!(r.kpi_parts.growth.value, Some(dec!(0)));
}

#[test]
fn avg_sos_is_rounded_to_two_places() {
    // (80 + 80 + 81) / 3 = 80.333.. -> 80.33
    let r = kpi(
        &[Some(dec!(80)), Some(dec!(80)), Some(dec!(81))],
        None,
        None,
    );
    assert_eq!(r.avg_sos, Some(dec!(80.33)));
    assert_eq!(r.sum_of_sos, dec!(241));
}

#[test]
fn portfolio_reads_back_from_json() {
    let rev = revenue(dec!(500000000), dec!(450000000));
    let r = kpi(&[Some(dec!(89.96)), None], Some(dec!(80.00)), Some(&rev));
    let text = serde_json::to_string(&r).unwrap();
    let back: AmPortfolioScore = serde_json::from_str(&text).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.kpi_parts.avg_sos.config_id, Some(ConfigId(25)));
}
