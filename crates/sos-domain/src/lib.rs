#![doc = include_str!("../README.md")]

pub mod am;
pub mod appeal;
pub mod codes;
pub mod component;
pub mod config;
pub mod decimal;
pub mod enforcement;
pub mod error;
pub mod exception;
pub mod inputs;
pub mod master;
pub mod period;
pub mod scoring;
pub mod surcharge;
pub mod text;
pub mod webhook;

pub use codes::{AmId, CampaignCode, SellerCode, TierName};
pub use component::{Component, PerComponent};
pub use error::{FieldError, ValidationErrors};
pub use period::Period;
pub use rust_decimal::Decimal;

pub use am::{score_am_portfolio, AmPortfolioScore};
pub use scoring::{score_seller, ScoreResult, Scorer};
