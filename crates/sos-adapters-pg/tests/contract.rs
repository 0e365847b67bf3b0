//! The port contract suite on PostgreSQL: each test gets its own freshly migrated database
//! (`TestDb`), kept alive until the test ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sos_adapters_pg::PgStore;
use sos_pg_local::testing::TestDb;

fn fresh_store() -> (PgStore, TestDb) {
    let db = TestDb::new();
    let store = PgStore::connect(db.url(), 4).expect("pool");
    store.migrate().expect("migrations");
    (store, db)
}

sos_contract_tests::contract_tests!(setup = fresh_store);
