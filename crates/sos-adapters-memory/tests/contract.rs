//! The port contract suite on the in-memory store.

sos_contract_tests::contract_tests!(sos_adapters_memory::MemoryStore::new());
