DROP TABLE IF EXISTS audit_log, api_key, finalized_period, calculation_run, surcharge_event, seller_score,
    sos_config, am_portfolio_period_score, sos_inventory_health_raw, sos_payment_invoice_raw, sos_payment_raw,
    sos_ticket_sla_raw, campaign_actual_result, seller_forecast_submission, sos_order_raw,
    sos_order_operation_raw, campaign, seller, account_manager CASCADE;
DROP FUNCTION IF EXISTS audit_log_append_only();
DROP DOMAIN IF EXISTS sos_period;
