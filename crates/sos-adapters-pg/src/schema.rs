//! The diesel schema of the migrations in `/migrations`, as `diesel print-schema` writes it.
//! Do not edit by hand: `SOS_WRITE_SCHEMA=1 cargo test -p sos-adapters-pg schema_rs` rewrites
//! it from a migrated database, and that test fails while it differs.
//!
//! Array columns are declared with non-null elements (`Array<Text>`), as SOS writes them.

diesel::table! {
    account_manager (id) {
        id -> Int8,
        name -> Text,
        email -> Nullable<Text>,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        created_by -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    am_portfolio_period_score (id) {
        id -> Int8,
        am_id -> Int8,
        period -> Text,
        revenue_target -> Nullable<Numeric>,
        revenue_actual -> Nullable<Numeric>,
        revenue_achievement_pct -> Nullable<Numeric>,
        seller_count -> Nullable<Int4>,
        avg_sos -> Nullable<Numeric>,
        sos_delta -> Nullable<Numeric>,
        kpi_score -> Nullable<Numeric>,
        bonus_or_penalty_amount -> Nullable<Numeric>,
        result -> Nullable<Jsonb>,
        calculated_at -> Nullable<Timestamptz>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    api_key (id) {
        id -> Int8,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        scopes -> Array<Text>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    appeal (id) {
        id -> Int8,
        seller_id -> Int8,
        period -> Text,
        target -> Text,
        am_id -> Nullable<Int8>,
        reason_type -> Text,
        description -> Text,
        evidence -> Jsonb,
        status -> Text,
        filed_by -> Text,
        filed_at -> Timestamptz,
        ops_reviewed_by -> Nullable<Text>,
        ops_reviewed_at -> Nullable<Timestamptz>,
        am_reviewed_by -> Nullable<Text>,
        am_reviewed_at -> Nullable<Timestamptz>,
        score_adjustment -> Nullable<Numeric>,
    }
}

diesel::table! {
    appeal_step (id) {
        id -> Int8,
        appeal_id -> Int8,
        at -> Timestamptz,
        actor -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        at -> Timestamptz,
        actor -> Text,
        entity -> Text,
        entity_id -> Text,
        action -> Text,
        old_value -> Nullable<Jsonb>,
        new_value -> Nullable<Jsonb>,
    }
}

diesel::table! {
    calculation_run (id) {
        id -> Int8,
        period -> Text,
        seller_codes -> Nullable<Jsonb>,
        status -> Text,
        started_at -> Timestamptz,
        finished_at -> Timestamptz,
        duration_ms -> Int8,
        sellers_scored -> Int4,
        sellers_insufficient -> Int4,
        am_scored -> Int4,
        surcharges_triggered -> Int4,
        config_ids -> Array<Int8>,
        error -> Nullable<Text>,
        triggered_by -> Text,
    }
}

diesel::table! {
    campaign (id) {
        id -> Int8,
        campaign_code -> Text,
        name -> Text,
        campaign_type -> Text,
        start_date -> Date,
        end_date -> Date,
        is_active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        created_by -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    campaign_actual_result (id) {
        id -> Int8,
        seller_id -> Int8,
        campaign_id -> Int8,
        actual_order_volume -> Int8,
        actual_sku_breakdown -> Nullable<Jsonb>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    finalized_period (period) {
        period -> Text,
        finalized_at -> Timestamptz,
        finalized_by -> Text,
    }
}

diesel::table! {
    score_exception (id) {
        id -> Int8,
        seller_id -> Int8,
        period -> Text,
        component -> Text,
        reason_type -> Text,
        note -> Text,
        effect -> Jsonb,
        appeal_id -> Nullable<Int8>,
        created_at -> Timestamptz,
        created_by -> Text,
        revoked_at -> Nullable<Timestamptz>,
        revoked_by -> Nullable<Text>,
    }
}

diesel::table! {
    seller (id) {
        id -> Int8,
        seller_code -> Text,
        company_name -> Text,
        contract_type -> Nullable<Text>,
        country_code -> Nullable<Text>,
        warehouse_id -> Nullable<Text>,
        status -> Text,
        onboarded_at -> Nullable<Date>,
        am_id -> Nullable<Int8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        created_by -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    seller_enforcement (seller_id) {
        seller_id -> Int8,
        blocked -> Bool,
        hits -> Jsonb,
        since -> Nullable<Timestamptz>,
        payment_period -> Nullable<Text>,
        manual_hold -> Bool,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    seller_enforcement_change (id) {
        id -> Int8,
        seller_id -> Int8,
        blocked -> Bool,
        cause -> Text,
        period -> Nullable<Text>,
        reasons -> Array<Text>,
        rule_ids -> Array<Int8>,
        note -> Nullable<Text>,
        actor -> Text,
        at -> Timestamptz,
    }
}

diesel::table! {
    seller_forecast_submission (id) {
        id -> Int8,
        seller_id -> Int8,
        campaign_id -> Int8,
        submission_version -> Int4,
        is_first_submission -> Bool,
        submitted_at -> Timestamptz,
        forecasted_order_volume -> Int8,
        forecasted_sku_breakdown -> Nullable<Jsonb>,
        notes -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    seller_score (seller_id, period) {
        seller_id -> Int8,
        period -> Text,
        am_id -> Nullable<Int8>,
        status -> Text,
        sos_score -> Nullable<Numeric>,
        tier -> Nullable<Text>,
        p_score -> Nullable<Numeric>,
        o_score -> Nullable<Numeric>,
        t_score -> Nullable<Numeric>,
        f_score -> Nullable<Numeric>,
        i_score -> Nullable<Numeric>,
        result -> Text,
        calculated_at -> Timestamptz,
    }
}

diesel::table! {
    seller_score_superseded (id) {
        id -> Int8,
        seller_id -> Int8,
        period -> Text,
        am_id -> Nullable<Int8>,
        result -> Text,
        calculated_at -> Timestamptz,
        superseded_at -> Timestamptz,
    }
}

diesel::table! {
    sos_config (id) {
        id -> Int8,
        config_type -> Text,
        is_active -> Bool,
        effective_from -> Nullable<Date>,
        effective_to -> Nullable<Date>,
        body -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        created_by -> Text,
        updated_by -> Text,
    }
}

diesel::table! {
    sos_inventory_health_raw (id) {
        id -> Int8,
        seller_id -> Int8,
        period -> Text,
        snapshot_date -> Date,
        total_cbm -> Nullable<Numeric>,
        total_sku_qty -> Nullable<Numeric>,
        aging_over_90d_cbm -> Nullable<Numeric>,
        aging_over_90d_sku_qty -> Nullable<Numeric>,
        aging_over_180d_cbm -> Nullable<Numeric>,
        aging_over_180d_pct -> Nullable<Numeric>,
        aging_pct_by_cbm -> Nullable<Numeric>,
        aging_pct_by_qty -> Nullable<Numeric>,
        aging_pct_used -> Nullable<Numeric>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sos_order_operation_raw (id) {
        id -> Int8,
        seller_id -> Int8,
        period -> Text,
        total_orders -> Int8,
        orders_within_30min -> Nullable<Int8>,
        orders_late -> Nullable<Int8>,
        avg_push_time_minutes -> Nullable<Numeric>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sos_order_raw (seller_id, order_id) {
        seller_id -> Int8,
        order_id -> Text,
        period -> Text,
        created_at -> Timestamptz,
        pushed_at -> Nullable<Timestamptz>,
        status -> Text,
    }
}

diesel::table! {
    sos_payment_invoice_raw (seller_id, period, invoice_id) {
        seller_id -> Int8,
        period -> Text,
        invoice_id -> Text,
        days_late -> Int4,
        amount -> Numeric,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sos_payment_raw (id) {
        id -> Int8,
        seller_id -> Int8,
        period -> Text,
        total_invoices -> Int8,
        invoices_on_time -> Int8,
        invoices_late_1_7 -> Int8,
        invoices_late_7_15 -> Int8,
        invoices_late_15_20 -> Int8,
        invoices_late_over_20 -> Int8,
        worst_days_late -> Nullable<Int4>,
        total_outstanding_amount -> Nullable<Numeric>,
        currency -> Nullable<Text>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    sos_ticket_sla_raw (id) {
        id -> Int8,
        seller_id -> Int8,
        period -> Text,
        total_tickets -> Nullable<Int8>,
        avg_response_time_hours -> Nullable<Numeric>,
        under_4h -> Nullable<Int8>,
        h4_8h -> Nullable<Int8>,
        h8_16h -> Nullable<Int8>,
        over_16h -> Nullable<Int8>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    surcharge_event (id) {
        id -> Int8,
        seller_id -> Int8,
        period -> Text,
        rule_id -> Nullable<Int8>,
        surcharge_type -> Text,
        action -> Jsonb,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_attempt (id) {
        id -> Int8,
        delivery_id -> Int8,
        attempt -> Int4,
        attempted_at -> Timestamptz,
        status_code -> Nullable<Int4>,
        duration_ms -> Int8,
        error -> Nullable<Text>,
        response_body -> Text,
    }
}

diesel::table! {
    webhook_delivery (id) {
        id -> Int8,
        event_id -> Int8,
        subscription_id -> Int8,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Nullable<Timestamptz>,
        lease -> Nullable<Int8>,
        leased_until -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_event (id) {
        id -> Int8,
        event_id -> Text,
        event_type -> Text,
        occurred_at -> Timestamptz,
        payload -> Text,
    }
}

diesel::table! {
    webhook_subscription (id) {
        id -> Int8,
        subscriber -> Text,
        endpoint_url -> Text,
        event_types -> Nullable<Array<Text>>,
        is_active -> Bool,
        timeout_seconds -> Int4,
        max_attempts -> Int4,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamptz>,
        disabled_reason -> Nullable<Text>,
        created_at -> Timestamptz,
        created_by -> Text,
        updated_at -> Timestamptz,
        updated_by -> Text,
    }
}

diesel::joinable!(am_portfolio_period_score -> account_manager (am_id));
diesel::joinable!(appeal -> account_manager (am_id));
diesel::joinable!(appeal -> seller (seller_id));
diesel::joinable!(appeal_step -> appeal (appeal_id));
diesel::joinable!(campaign_actual_result -> campaign (campaign_id));
diesel::joinable!(campaign_actual_result -> seller (seller_id));
diesel::joinable!(score_exception -> seller (seller_id));
diesel::joinable!(seller -> account_manager (am_id));
diesel::joinable!(seller_enforcement -> seller (seller_id));
diesel::joinable!(seller_enforcement_change -> seller (seller_id));
diesel::joinable!(seller_forecast_submission -> campaign (campaign_id));
diesel::joinable!(seller_forecast_submission -> seller (seller_id));
diesel::joinable!(seller_score -> account_manager (am_id));
diesel::joinable!(seller_score -> seller (seller_id));
diesel::joinable!(seller_score_superseded -> seller (seller_id));
diesel::joinable!(sos_inventory_health_raw -> seller (seller_id));
diesel::joinable!(sos_order_operation_raw -> seller (seller_id));
diesel::joinable!(sos_order_raw -> seller (seller_id));
diesel::joinable!(sos_payment_invoice_raw -> seller (seller_id));
diesel::joinable!(sos_payment_raw -> seller (seller_id));
diesel::joinable!(sos_ticket_sla_raw -> seller (seller_id));
diesel::joinable!(surcharge_event -> seller (seller_id));
diesel::joinable!(surcharge_event -> sos_config (rule_id));
diesel::joinable!(webhook_attempt -> webhook_delivery (delivery_id));
diesel::joinable!(webhook_delivery -> webhook_event (event_id));
diesel::joinable!(webhook_delivery -> webhook_subscription (subscription_id));

diesel::allow_tables_to_appear_in_same_query!(
    account_manager,
    am_portfolio_period_score,
    api_key,
    appeal,
    appeal_step,
    audit_log,
    calculation_run,
    campaign,
    campaign_actual_result,
    finalized_period,
    score_exception,
    seller,
    seller_enforcement,
    seller_enforcement_change,
    seller_forecast_submission,
    seller_score,
    seller_score_superseded,
    sos_config,
    sos_inventory_health_raw,
    sos_order_operation_raw,
    sos_order_raw,
    sos_payment_invoice_raw,
    sos_payment_raw,
    sos_ticket_sla_raw,
    surcharge_event,
    webhook_attempt,
    webhook_delivery,
    webhook_event,
    webhook_subscription,
);
