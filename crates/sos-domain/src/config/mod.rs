//! The 12 config types: their rows, validation, the defaults, and the rules that pick the rows
//! effective for a period.

mod defaults;
mod params;
mod resolve;
mod resolved;
mod sets;
mod types;
mod validate;

pub use defaults::{
    default_config_drafts, default_drafts_for, default_drafts_to_seed, default_score_weights,
    default_surcharge_rules, DEFAULT_EFFECTIVE_FROM,
};
pub use params::*;
pub use resolve::{
    resolve_config, resolve_helpdesk, resolve_surcharges, select_rows, ResolveError, ResolveProblem,
};
pub use resolved::{ConfigId, Resolved, ResolvedConfig};
pub use sets::{
    check_am_bonus_bands, check_am_kpi_weights, check_f_bands, check_set_conflicts, check_t_bands,
    check_tier_set, check_weights,
};
pub use types::{
    ConfigBody, ConfigDraft, ConfigKind, ConfigRecord, ConfigType, UnknownConfigType, MASKED_SECRET,
};
pub use validate::{exact_decimal, MAX_AMOUNT, MAX_DESCRIPTION_LEN, MAX_POINTS};
