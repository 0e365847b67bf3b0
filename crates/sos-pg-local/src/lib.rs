#![doc = include_str!("../README.md")]

pub mod cluster;
#[cfg(feature = "testing")]
pub mod testing;
