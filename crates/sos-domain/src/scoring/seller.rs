//! The entry point: one seller, one period, one resolved config, one explained result.

use super::{
    f::{self, FBucket},
    grace::apply_grace,
    i::{score_i, IExplanation},
    ids::{ConfigIds, PScoreIds},
    o::{score_o, OExplanation},
    p::score_p,
    result::{ComponentExplanation, ComponentResult, ComponentStatus, NextTier},
    t::{self, TBand},
    total::{normalized, tier_and_next, weighted_total},
    Outcome, ScoreResult, ScoreStatus,
};
use crate::{
    codes::SellerCode,
    component::{Component, PerComponent},
    config::ResolvedConfig,
    exception::apply_exceptions,
    inputs::SellerInputs,
    surcharge::{evaluate_rules, MetricValues},
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

/// The figures surcharge rules may test that come from the inputs and the O and I
/// explanations; the scorer adds the scores after grace, the total and the tier.
fn metrics(o: &OExplanation, i: &IExplanation, inputs: &SellerInputs) -> MetricValues {
    let payments = inputs.payments.as_ref();
    MetricValues {
        sos_score: None,
        p_score: None,
        o_score: None,
        t_score: None,
        f_score: None,
        i_score: None,
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
pub fn score_seller(
    seller_code: Option<&SellerCode>,
    inputs: &SellerInputs,
    config: &ResolvedConfig,
) -> ScoreResult {
    Scorer::new(config).score(seller_code, inputs)
}

/// A resolved config, ready to score many sellers with [`Scorer::score`].
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
    // What depends on the config alone, looked up once for every seller.
    config_ids: ConfigIds,
    ticket_bands: [TBand; 4],
    invoice_bands: [FBucket; 5],
}

impl<'c> Scorer<'c> {
    /// Prepares `config` for scoring.
    pub fn new(config: &'c ResolvedConfig) -> Self {
        Self {
            config,
            config_ids: config_ids(config),
            ticket_bands: t::bucket_bands(&config.t_score),
            invoice_bands: f::bucket_bands(&config.f_score),
        }
    }

    /// The config this scorer uses.
    pub fn config(&self) -> &'c ResolvedConfig {
        self.config
    }

    /// Scores one seller, exactly as [`score_seller`] does with this scorer's config.
    pub fn score(&self, seller_code: Option<&SellerCode>, inputs: &SellerInputs) -> ScoreResult {
        let config = self.config;
        let max = |c: Component| config.weights.get(c).value.max_points;

        // The five components.
        let p = score_p(&inputs.campaigns, inputs.period, config, max(Component::P));
        let o = score_o(inputs.orders.as_ref(), &config.o_score, max(Component::O));
        let t = t::score_t_with(
            inputs.tickets.as_ref(),
            &config.t_score,
            &self.ticket_bands,
            max(Component::T),
        );
        let f = f::score_f_with(
            inputs.payments.as_ref(),
            &self.invoice_bands,
            max(Component::F),
        );
        let i = score_i(
            inputs.inventory.as_ref(),
            &config.i_score,
            max(Component::I),
        );
        let metrics = metrics(&o.explanation, &i.explanation, inputs);
        let mut components = PerComponent {
            p_score: component(
                config,
                Component::P,
                p.outcome,
                ComponentExplanation::P(p.explanation),
            ),
            o_score: component(
                config,
                Component::O,
                o.outcome,
                ComponentExplanation::O(o.explanation),
            ),
            t_score: component(
                config,
                Component::T,
                t.outcome,
                ComponentExplanation::T(t.explanation),
            ),
            f_score: component(
                config,
                Component::F,
                f.outcome,
                ComponentExplanation::F(f.explanation),
            ),
            i_score: component(
                config,
                Component::I,
                i.outcome,
                ComponentExplanation::I(i.explanation),
            ),
        };

        // Exceptions ops made for the period, then grace, then each component on the 0-100
        // scale and the weighted total.
        apply_exceptions(&mut components, &inputs.exceptions);
        let grace = apply_grace(inputs, &config.grace.value, &mut components);
        for c in Component::ALL {
            let part = components.get_mut(c);
            part.normalized = part.score.map(|s| normalized(s, part.max_points));
        }
        let sos_score = weighted_total(&components);

        // The tier, the next one up, and the surcharges.
        let (tier, next) = sos_score.map_or((None, None), |s| tier_and_next(s, &config.tiers));
        let next_tier = next.zip(sos_score).map(|(t, s)| NextTier {
            tier: t.value.tier_name.clone(),
            min_sos_score: t.value.min_sos_score,
            points_needed: t.value.min_sos_score.saturating_sub(s),
        });
        let tier = tier.map(|t| t.value.tier_name.clone());
        let surcharges = evaluate_rules(
            &config.surcharges,
            &MetricValues {
                sos_score,
                p_score: components.p_score.score,
                o_score: components.o_score.score,
                t_score: components.t_score.score,
                f_score: components.f_score.score,
                i_score: components.i_score.score,
                tier: tier.clone(),
                month_index: grace.month_index.map(Decimal::from),
                ..metrics
            },
        );

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
            components,
            grace,
            surcharges,
            next_tier,
            config_ids: self.config_ids.clone(),
        }
    }
}

/// A component as the rule scored it, before grace (which may raise `score`) and before it is
/// normalized.
fn component(
    config: &ResolvedConfig,
    c: Component,
    outcome: Outcome,
    explanation: ComponentExplanation,
) -> ComponentResult {
    let weight = &config.weights.get(c).value;
    let (status, reason) = match outcome {
        Outcome::Scored(_) => (ComponentStatus::Scored, None),
        Outcome::NotApplicable(r) => (ComponentStatus::NotApplicable, Some(r)),
    };
    ComponentResult {
        status,
        score: outcome.score(),
        score_before_grace: outcome.score(),
        normalized: None,
        weight_pct: weight.weight_pct,
        max_points: weight.max_points,
        not_applicable_reason: reason,
        explanation,
        exception: None,
    }
}
