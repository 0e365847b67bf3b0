//! The port contract suite on PostgreSQL: each test gets its own freshly migrated database
//! (`TestDb`), kept alive until the test ends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::{
    sql_query,
    sql_types::{Integer, Text},
    Connection, PgConnection, QueryableByName, RunQueryDsl,
};
use sos_adapters_pg::PgStore;
use sos_contract_tests::FinalizeDuringCalculation;
use sos_pg_local::testing::TestDb;

fn fresh_store() -> (PgStore, TestDb) {
    let db = TestDb::new();
    let store = PgStore::connect(db.url(), 4).expect("pool");
    store.migrate().expect("migrations");
    (store, db)
}

/// `finalize_period` takes the calculation's advisory lock and so waits for it: the probe finds
/// a backend of the test database in a lock wait (`pg_stat_activity.wait_event_type = 'Lock'`)
/// on an advisory lock it has not been granted (`pg_locks`).
fn finalizer_waits_for_the_lock(db: &TestDb) -> FinalizeDuringCalculation {
    #[derive(QueryableByName)]
    struct Waiter {
        #[diesel(sql_type = Integer)]
        pid: i32,
        #[diesel(sql_type = Text)]
        wait_event: String,
        #[diesel(sql_type = Text)]
        query: String,
    }
    let mut conn = PgConnection::establish(db.url()).expect("a probe connection");
    FinalizeDuringCalculation::WaitsForTheCommit(Box::new(move || {
        let waiter: Waiter = sql_query(
            "SELECT a.pid, a.wait_event, a.query FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid \
             WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' \
               AND l.locktype = 'advisory' AND NOT l.granted LIMIT 1",
        )
        .get_result(&mut conn)
        .ok()?;
        Some(format!(
            "backend {} waits on Lock/{} in `{}`",
            waiter.pid, waiter.wait_event, waiter.query
        ))
    }))
}

sos_contract_tests::contract_tests!(
    setup = fresh_store,
    finalize_during_calculation = finalizer_waits_for_the_lock,
);
