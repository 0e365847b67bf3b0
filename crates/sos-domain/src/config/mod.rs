//! The 12 config types: their rows, validation, the defaults, and the rules that pick the rows
//! effective for a period.

mod params;
mod resolved;

pub use params::*;
pub use resolved::{ConfigId, Resolved, ResolvedConfig};
