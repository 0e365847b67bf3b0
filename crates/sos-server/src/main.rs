//! The SOS server binary. See the crate README.
fn main() {}
