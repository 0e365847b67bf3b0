//! The five component calculators, the total, the tier and grace.
