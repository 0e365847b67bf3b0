#![doc = include_str!("../README.md")]
// This crate is test code shipped as a library so every adapter's test crate can run it:
// a failed `unwrap`/`expect` is a failed check, exactly as in a `#[test]`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod appeals;
mod calc;
mod config;
mod enforcement;
mod exceptions;
pub mod fixtures;
mod master;
mod sync;
mod webhooks;

pub use appeals::{
    an_approved_appeal_rescores_the_finalized_period,
    rejected_and_expired_appeals_close_with_their_event,
};
pub use calc::{
    a_write_replaces_the_same_sellers_earlier_result, calculation_is_atomic_when_abandoned,
    calculation_lock_refuses_a_second_writer, calculation_scores_and_records_the_run,
    dry_run_writes_nothing_but_counts_the_same, finalize_during_calculation_freezes_whole_results,
    finalized_period_refuses_calculation,
    results_of_sellers_never_loaded_are_written_and_read_back_exactly,
    subset_calculation_replaces_only_those_sellers, FinalizeDuringCalculation,
};
pub use config::{
    config_rows_are_soft_deleted_and_seeding_never_overwrites,
    effective_dates_pick_the_config_of_a_period,
};
pub use enforcement::{
    a_calculation_blocks_and_a_manual_unblock_holds_until_the_next,
    a_payments_sync_blocks_and_unblocks_on_the_latest_month,
    a_payments_sync_leaves_rules_on_other_metrics_to_calculations,
};
pub use exceptions::{
    calculation_applies_the_periods_exceptions, exceptions_are_kept_one_active_per_component,
};
pub use master::{
    account_managers_crud, account_managers_without_an_id_get_the_next_free_one,
    api_keys_lifecycle, audit_log_appends_and_lists_newest_first, campaigns_crud,
    seller_listing_filters_and_pages, sellers_create_update_and_conflicts,
};
pub use sync::{
    batch_with_unknown_seller_writes_nothing_of_any_kind, failed_batch_writes_nothing,
    forecasts_are_versioned_and_retries_update_their_version,
    inventory_late_older_snapshot_does_not_replace_newer,
    sync_campaign_actuals_upsert_is_idempotent, sync_inventory_upsert_is_idempotent,
    sync_orders_upsert_is_idempotent, sync_payment_aggregate_upsert_is_idempotent,
    sync_payment_invoices_are_kept_by_invoice_id, sync_raw_orders_are_kept_by_order_id,
    sync_revenue_upsert_is_idempotent, sync_tickets_upsert_is_idempotent,
    unknown_references_are_listed_and_nothing_is_written,
};
pub use webhooks::{
    concurrent_workers_never_lease_the_same_delivery, deliveries_are_leased_retried_and_recorded,
    events_exist_only_when_their_cause_commits, finalize_emits_seller_events_once,
    subscriptions_filter_disable_rotate_replay_and_delete,
};

use sos_ports::AllPorts;

/// Every port at once (the adapter's [`AllPorts`]), cloneable so a check can hand copies to
/// threads: what each check takes.
pub trait Ports: AllPorts + Clone + 'static {}

impl<T: AllPorts + Clone + 'static> Ports for T {}

/// Expands to one `#[test]` per contract check, each on a fresh, empty, migrated store.
///
/// - `contract_tests!(MemoryStore::new(), finalize_during_calculation = |_| ...)`: the
///   expression is evaluated once per test.
/// - `contract_tests!(setup = || (store, guard), finalize_during_calculation = |guard| ...)`:
///   the closure runs once per test; `guard` is kept alive until the test ends (a test
///   database, say) and dropped after the store.
///
/// `finalize_during_calculation` states which of the two allowed behaviours the adapter has
/// (a [`FinalizeDuringCalculation`], made from the test's guard): there is no default, so an
/// adapter cannot pass that check by doing either.
#[macro_export]
macro_rules! contract_tests {
    (@checks $setup:expr; $($check:ident),* $(,)?) => {
        $(
            #[test]
            fn $check() {
                let (store, _guard) = ($setup)();
                $crate::$check(store);
            }
        )*
    };
    (setup = $setup:expr, finalize_during_calculation = $finalize:expr $(,)?) => {
        #[test]
        fn finalize_during_calculation_freezes_whole_results() {
            let (store, guard) = ($setup)();
            let expected: $crate::FinalizeDuringCalculation = ($finalize)(&guard);
            $crate::finalize_during_calculation_freezes_whole_results(store, expected);
        }
        $crate::contract_tests!(@checks $setup;
            sync_orders_upsert_is_idempotent,
            sync_raw_orders_are_kept_by_order_id,
            sync_campaign_actuals_upsert_is_idempotent,
            sync_tickets_upsert_is_idempotent,
            sync_payment_aggregate_upsert_is_idempotent,
            sync_payment_invoices_are_kept_by_invoice_id,
            sync_inventory_upsert_is_idempotent,
            sync_revenue_upsert_is_idempotent,
            inventory_late_older_snapshot_does_not_replace_newer,
            forecasts_are_versioned_and_retries_update_their_version,
            unknown_references_are_listed_and_nothing_is_written,
            batch_with_unknown_seller_writes_nothing_of_any_kind,
            failed_batch_writes_nothing,
            config_rows_are_soft_deleted_and_seeding_never_overwrites,
            effective_dates_pick_the_config_of_a_period,
            calculation_scores_and_records_the_run,
            dry_run_writes_nothing_but_counts_the_same,
            calculation_is_atomic_when_abandoned,
            finalized_period_refuses_calculation,
            calculation_lock_refuses_a_second_writer,
            subset_calculation_replaces_only_those_sellers,
            results_of_sellers_never_loaded_are_written_and_read_back_exactly,
            a_write_replaces_the_same_sellers_earlier_result,
            sellers_create_update_and_conflicts,
            seller_listing_filters_and_pages,
            campaigns_crud,
            account_managers_crud,
            account_managers_without_an_id_get_the_next_free_one,
            api_keys_lifecycle,
            audit_log_appends_and_lists_newest_first,
            events_exist_only_when_their_cause_commits,
            finalize_emits_seller_events_once,
            deliveries_are_leased_retried_and_recorded,
            concurrent_workers_never_lease_the_same_delivery,
            subscriptions_filter_disable_rotate_replay_and_delete,
            exceptions_are_kept_one_active_per_component,
            calculation_applies_the_periods_exceptions,
            an_approved_appeal_rescores_the_finalized_period,
            rejected_and_expired_appeals_close_with_their_event,
            a_payments_sync_blocks_and_unblocks_on_the_latest_month,
            a_calculation_blocks_and_a_manual_unblock_holds_until_the_next,
            a_payments_sync_leaves_rules_on_other_metrics_to_calculations,
        );
    };
    ($make:expr, finalize_during_calculation = $finalize:expr $(,)?) => {
        $crate::contract_tests!(
            setup = || ($make, ()),
            finalize_during_calculation = $finalize,
        );
    };
}
