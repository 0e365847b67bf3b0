//! The port contract suite on the in-memory store.

use sos_contract_tests::FinalizeDuringCalculation;

// `finalize_period` never waits here: it marks the period, and the open calculation's commit
// then sees the mark and is refused.
sos_contract_tests::contract_tests!(
    sos_adapters_memory::MemoryStore::new(),
    finalize_during_calculation = |_: &()| FinalizeDuringCalculation::RefusesTheCommit,
);
