//! Request and response bodies, and their conversion into domain values.

pub mod config;
pub mod enforcement;
pub mod master;
pub mod number;
pub mod overrides;
pub mod result_schema;
pub mod scores;
pub mod shape;
pub mod sync;
pub mod webhooks;
