//! The entry point: one seller, one period, one resolved config, one explained result.

use super::{
    f::{self, score_f_with, FBucket},
    grace::raise_to_floor,
    i::{score_i, IExplanation},
    ids::{ConfigIds, PScoreIds},
    o::{score_o, OExplanation},
    p::{score_p_with, WholeRules},
    result::{ComponentExplanation, ComponentResult, ComponentStatus, NextTier},
    t::{self, score_t_with, TBand},
    total::{weighted_total_of, HundredthsTotal, Normalization, TierLadder},
    Outcome, ScoreResult, ScoreStatus,
};
use crate::{
    codes::{SellerCode, TierName},
    component::{Component, PerComponent},
    config::ResolvedConfig,
    decimal::hundredths,
    inputs::SellerInputs,
    surcharge::{evaluate_rules, MetricValues, TriggeredSurcharge},
};
use rust_decimal::Decimal;

fn config_ids(config: &ResolvedConfig) -> ConfigIds {
    ConfigIds {
        score_weights: PerComponent::from_fn(|c| config.weights.get(c).id),
        tiers: config.tiers.iter().filter_map(|r| r.id).collect(),
        p_score: PScoreIds {
            major_campaign: config.p_score_major.id,
            mini_campaign: config.p_score_mini.id,
        },
        o_score: config.o_score.id,
        t_score: config.t_score.iter().filter_map(|r| r.id).collect(),
        f_score: config.f_score.iter().filter_map(|r| r.id).collect(),
        i_score: config.i_score.id,
        grace_period: config.grace.id,
        surcharges: config.surcharges.iter().filter_map(|r| r.id).collect(),
    }
}

/// The figures surcharge rules may test: the scores after grace and the figures of the O and
/// I explanations.
fn metrics(
    scores: &PerComponent<Option<Decimal>>,
    o: &OExplanation,
    i: &IExplanation,
    inputs: &SellerInputs,
) -> MetricValues {
    let payments = inputs.payments.as_ref();
    MetricValues {
        sos_score: None,
        p_score: scores.p_score,
        o_score: scores.o_score,
        t_score: scores.t_score,
        f_score: scores.f_score,
        i_score: scores.i_score,
        tier: None,
        previous_tier: inputs.previous_tier.clone(),
        late_pct: o.late_pct,
        aging_pct_used: i.aging_pct_used,
        aging_over_180d_pct: i.severe_pct,
        worst_days_late: payments
            .and_then(|p| p.worst_days_late())
            .map(Decimal::from),
        total_outstanding_amount: payments.and_then(|p| p.total_outstanding_amount()),
        month_index: None,
    }
}

/// Scores one seller for one period: the five components, grace, the weighted total, the tier
/// and the next one up, and the surcharges that trigger, each with the figures and config rows
/// behind it. Pure and infallible: missing data makes components not applicable, and a config
/// that passed validation always yields a result.
///
/// To score many sellers with one config, build a [`Scorer`] once: it gives the same results
/// without redoing the config's share of the work for each seller.
pub fn score_seller(
    seller_code: Option<&SellerCode>,
    inputs: &SellerInputs,
    config: &ResolvedConfig,
) -> ScoreResult {
    Scorer::new(config).score(seller_code, inputs)
}

/// A resolved config made ready to score many sellers. What depends on the config alone (the
/// row ids every result records, the band each ticket and invoice bucket falls in) is worked
/// out once here rather than once per seller.
///
/// ```
/// use sos_domain::{config::ResolvedConfig, inputs::SellerInputs, Period, Scorer, SellerCode};
///
/// let period = Period::parse("2026-02").unwrap();
/// let config = ResolvedConfig::defaults(period.last_day());
/// let scorer = Scorer::new(&config);
/// for code in ["SEL001", "SEL002"] {
///     let code = SellerCode::parse(code).unwrap();
///     let result = scorer.score(Some(&code), &SellerInputs::empty(period));
///     // No data at all: every component is not applicable, so there is no total.
///     assert_eq!(result.sos_score(), None);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Scorer<'c> {
    config: &'c ResolvedConfig,
    config_ids: ConfigIds,
    ticket_bands: [TBand; 4],
    invoice_bands: [FBucket; 5],
    p_rules: WholeRules,
    /// Each component's `max_points`, which grace needs for every seller.
    max_points: PerComponent<Decimal>,
    normalization: PerComponent<Normalization>,
    /// Each weight in hundredths, when it has at most two decimals.
    weight_hundredths: PerComponent<Option<i128>>,
    tiers: TierLadder<'c>,
}

impl<'c> Scorer<'c> {
    /// Prepares `config` for scoring.
    pub fn new(config: &'c ResolvedConfig) -> Self {
        Self {
            config,
            config_ids: config_ids(config),
            ticket_bands: t::bucket_bands(&config.t_score),
            invoice_bands: f::bucket_bands(&config.f_score),
            p_rules: WholeRules::of(config, config.weights.get(Component::P).value.max_points),
            max_points: PerComponent::from_fn(|c| config.weights.get(c).value.max_points),
            normalization: PerComponent::from_fn(|c| {
                Normalization::for_max(config.weights.get(c).value.max_points)
            }),
            weight_hundredths: PerComponent::from_fn(|c| {
                hundredths(config.weights.get(c).value.weight_pct)
            }),
            tiers: TierLadder::new(&config.tiers),
        }
    }

    /// The config this scorer uses.
    pub fn config(&self) -> &'c ResolvedConfig {
        self.config
    }

    /// Scores one seller, exactly as [`score_seller`] does with this scorer's config.
    pub fn score(&self, seller_code: Option<&SellerCode>, inputs: &SellerInputs) -> ScoreResult {
        let config = self.config;
        let weight = |c: Component| &config.weights.get(c).value;
        let max = |c: Component| *self.max_points.get(c);
        let p = score_p_with(
            &inputs.campaigns,
            inputs.period,
            config,
            &self.p_rules,
            max(Component::P),
        );
        let o = score_o(inputs.orders.as_ref(), &config.o_score, max(Component::O));
        let t = score_t_with(
            inputs.tickets.as_ref(),
            &config.t_score,
            &self.ticket_bands,
            max(Component::T),
        );
        let f = score_f_with(
            inputs.payments.as_ref(),
            &self.invoice_bands,
            max(Component::F),
        );
        let i = score_i(
            inputs.inventory.as_ref(),
            &config.i_score,
            max(Component::I),
        );
        let outcomes = PerComponent {
            p_score: p.outcome,
            o_score: o.outcome,
            t_score: t.outcome,
            f_score: f.outcome,
            i_score: i.outcome,
        };
        // Grace and the total work on the scores alone, and each component is built once, inside
        // the result: the five components are about 2.5 KB, and building them aside and
        // copying them in cost about 1% (change 28 in `docs/performance.md`).
        let mut scores = PerComponent::from_fn(|c| outcomes.get(c).score());
        let grace = raise_to_floor(inputs, &config.grace.value, &mut scores, &self.max_points);
        let (normalized, sos_score) = self.weighted(&scores);
        let (tier, next_tier, surcharges) = self.standing(
            sos_score,
            || metrics(&scores, &o.explanation, &i.explanation, inputs),
            grace.month_index,
        );
        let part = |c: Component, explanation| {
            let (status, reason) = match outcomes.get(c) {
                Outcome::Scored(_) => (ComponentStatus::Scored, None),
                Outcome::NotApplicable(r) => (ComponentStatus::NotApplicable, Some(*r)),
            };
            ComponentResult {
                status,
                score: *scores.get(c),
                score_before_grace: outcomes.get(c).score(),
                normalized: *normalized.get(c),
                weight_pct: weight(c).weight_pct,
                max_points: max(c),
                not_applicable_reason: reason,
                explanation,
            }
        };
        // One expression, so the result is written where the caller wants it rather than
        // built aside and copied.
        ScoreResult {
            seller_code: seller_code.cloned(),
            period: inputs.period,
            status: if sos_score.is_some() {
                ScoreStatus::Scored
            } else {
                ScoreStatus::InsufficientData
            },
            sos_score,
            tier,
            grace,
            surcharges,
            next_tier,
            config_ids: self.config_ids.clone(),
            components: PerComponent {
                p_score: part(Component::P, ComponentExplanation::P(p.explanation)),
                o_score: part(Component::O, ComponentExplanation::O(o.explanation)),
                t_score: part(Component::T, ComponentExplanation::T(t.explanation)),
                f_score: part(Component::F, ComponentExplanation::F(f.explanation)),
                i_score: part(Component::I, ComponentExplanation::I(i.explanation)),
            },
        }
    }

    /// Each scored component on the 0-100 scale, and the weighted total over them.
    ///
    /// Inlined, like [`Self::standing`]: these two only name steps of [`Self::score`], and as
    /// calls their answers would come back through memory (A/B against the one-body version:
    /// unchanged).
    #[inline(always)]
    fn weighted(
        &self,
        scores: &PerComponent<Option<Decimal>>,
    ) -> (PerComponent<Option<Decimal>>, Option<Decimal>) {
        let mut total = HundredthsTotal::default();
        let normalized = PerComponent::from_fn(|c| {
            let normalized = scores.get(c).map(|s| self.normalization.get(c).apply(s));
            if let Some(n) = normalized {
                total.add(*self.weight_hundredths.get(c), n);
            }
            normalized
        });
        let sos_score = total.finish().unwrap_or_else(|| {
            weighted_total_of(&PerComponent::from_fn(|c| {
                (
                    self.config.weights.get(c).value.weight_pct,
                    *normalized.get(c),
                )
            }))
        });
        (normalized, sos_score)
    }

    /// The tier the total reaches, the next one up, and the surcharges that trigger (which may
    /// change the tier). `metrics` gives the figures the rules test; it is called only when
    /// there are rules.
    #[inline(always)]
    fn standing(
        &self,
        sos_score: Option<Decimal>,
        metrics: impl FnOnce() -> MetricValues,
        month_index: Option<i32>,
    ) -> (Option<TierName>, Option<NextTier>, Vec<TriggeredSurcharge>) {
        let (tier, next) = sos_score.map_or((None, None), |s| self.tiers.tier_and_next(s));
        let next_tier = next.zip(sos_score).map(|(t, s)| NextTier {
            tier: t.value.tier_name.clone(),
            min_sos_score: t.value.min_sos_score,
            points_needed: t.value.min_sos_score.saturating_sub(s),
        });
        let mut tier = tier.map(|t| t.value.tier_name.clone());
        let rules = &self.config.surcharges;
        if rules.is_empty() {
            return (tier, next_tier, Vec::new());
        }
        let mut values = metrics();
        values.sos_score = sos_score;
        values.tier = tier.take();
        values.month_index = month_index.map(Decimal::from);
        let triggered = evaluate_rules(rules, &values);
        (values.tier.take(), next_tier, triggered)
    }
}
