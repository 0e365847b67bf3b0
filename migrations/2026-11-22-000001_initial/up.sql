-- SOS initial schema. Sync tables keep the seed's names and upsert keys.
-- Periods are 'YYYY-MM' text; money and figures are NUMERIC (exact).

CREATE DOMAIN sos_period AS text CHECK (VALUE ~ '^[2-9][0-9]{3}-(0[1-9]|1[0-2])$');

CREATE TABLE account_manager (
    id          bigint PRIMARY KEY CHECK (id > 0),
    name        text NOT NULL CHECK (btrim(name) <> ''),
    email       text,
    is_active   boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL,
    updated_by  text NOT NULL
);

CREATE TABLE seller (
    id            bigserial PRIMARY KEY,
    seller_code   text NOT NULL UNIQUE CHECK (btrim(seller_code) <> ''),
    company_name  text NOT NULL,
    contract_type text,
    country_code  text CHECK (country_code ~ '^[A-Z]{2}$'),
    warehouse_id  text,
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'terminated')),
    onboarded_at  date,
    am_id         bigint REFERENCES account_manager (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL,
    updated_by    text NOT NULL
);
CREATE INDEX seller_status_code_idx ON seller (status, seller_code);
CREATE INDEX seller_am_idx ON seller (am_id);

CREATE TABLE campaign (
    id            bigserial PRIMARY KEY,
    campaign_code text NOT NULL UNIQUE CHECK (btrim(campaign_code) <> ''),
    name          text NOT NULL,
    campaign_type text NOT NULL CHECK (campaign_type IN ('major_campaign', 'mini_campaign')),
    start_date    date NOT NULL,
    end_date      date NOT NULL,
    is_active     boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL,
    updated_by    text NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX campaign_start_idx ON campaign (start_date);

-- 1. OMS -> orders (O-score)
CREATE TABLE sos_order_operation_raw (
    id                    bigserial PRIMARY KEY,
    seller_id             bigint NOT NULL REFERENCES seller (id),
    period                sos_period NOT NULL,
    total_orders          bigint NOT NULL CHECK (total_orders >= 0),
    orders_within_30min   bigint CHECK (orders_within_30min >= 0),
    orders_late           bigint CHECK (orders_late >= 0),
    avg_push_time_minutes numeric CHECK (avg_push_time_minutes >= 0),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, period),
    CHECK (coalesce(orders_within_30min, 0) + coalesce(orders_late, 0) <= total_orders)
);
CREATE INDEX sos_order_operation_raw_period_idx ON sos_order_operation_raw (period, seller_id);

-- Raw orders, kept by order_id; the aggregate above is recomputed from them.
CREATE TABLE sos_order_raw (
    seller_id  bigint NOT NULL REFERENCES seller (id),
    order_id   text NOT NULL,
    period     sos_period NOT NULL,
    created_at timestamptz NOT NULL,
    pushed_at  timestamptz,
    status     text NOT NULL CHECK (status IN ('pending', 'pushed', 'fulfilled', 'cancelled')),
    PRIMARY KEY (seller_id, order_id)
);
CREATE INDEX sos_order_raw_period_idx ON sos_order_raw (seller_id, period);

-- 2. OMS -> forecasts (P-score), versioned per seller and campaign.
CREATE TABLE seller_forecast_submission (
    id                       bigserial PRIMARY KEY,
    seller_id                bigint NOT NULL REFERENCES seller (id),
    campaign_id              bigint NOT NULL REFERENCES campaign (id),
    submission_version       integer NOT NULL CHECK (submission_version >= 1),
    is_first_submission      boolean NOT NULL,
    submitted_at             timestamptz NOT NULL,
    forecasted_order_volume  bigint NOT NULL CHECK (forecasted_order_volume >= 0),
    forecasted_sku_breakdown jsonb,
    notes                    text,
    updated_at               timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, campaign_id, submitted_at),
    UNIQUE (seller_id, campaign_id, submission_version),
    CHECK (is_first_submission = (submission_version = 1))
);
CREATE INDEX seller_forecast_submission_campaign_idx ON seller_forecast_submission (campaign_id, seller_id);

-- 3. WMS/OMS -> campaign actuals (P-score)
CREATE TABLE campaign_actual_result (
    id                   bigserial PRIMARY KEY,
    seller_id            bigint NOT NULL REFERENCES seller (id),
    campaign_id          bigint NOT NULL REFERENCES campaign (id),
    actual_order_volume  bigint NOT NULL CHECK (actual_order_volume >= 0),
    actual_sku_breakdown jsonb,
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, campaign_id)
);
CREATE INDEX campaign_actual_result_campaign_idx ON campaign_actual_result (campaign_id, seller_id);

-- 4. Helpdesk -> tickets (T-score)
CREATE TABLE sos_ticket_sla_raw (
    id                      bigserial PRIMARY KEY,
    seller_id               bigint NOT NULL REFERENCES seller (id),
    period                  sos_period NOT NULL,
    total_tickets           bigint CHECK (total_tickets >= 0),
    avg_response_time_hours numeric CHECK (avg_response_time_hours >= 0),
    under_4h                bigint CHECK (under_4h >= 0),
    h4_8h                   bigint CHECK (h4_8h >= 0),
    h8_16h                  bigint CHECK (h8_16h >= 0),
    over_16h                bigint CHECK (over_16h >= 0),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, period),
    -- the breakdown is all four buckets or none
    CHECK ((under_4h IS NULL) = (h4_8h IS NULL) AND (h4_8h IS NULL) = (h8_16h IS NULL) AND (h8_16h IS NULL) = (over_16h IS NULL))
);
CREATE INDEX sos_ticket_sla_raw_period_idx ON sos_ticket_sla_raw (period, seller_id);

-- 5. Accounting -> payments (F-score), the aggregate ...
CREATE TABLE sos_payment_raw (
    id                       bigserial PRIMARY KEY,
    seller_id                bigint NOT NULL REFERENCES seller (id),
    period                   sos_period NOT NULL,
    total_invoices           bigint NOT NULL CHECK (total_invoices >= 0),
    invoices_on_time         bigint NOT NULL CHECK (invoices_on_time >= 0),
    invoices_late_1_7        bigint NOT NULL CHECK (invoices_late_1_7 >= 0),
    invoices_late_7_15       bigint NOT NULL CHECK (invoices_late_7_15 >= 0),
    invoices_late_15_20      bigint NOT NULL CHECK (invoices_late_15_20 >= 0),
    invoices_late_over_20    bigint NOT NULL CHECK (invoices_late_over_20 >= 0),
    worst_days_late          integer,
    total_outstanding_amount numeric CHECK (total_outstanding_amount >= 0),
    currency                 text CHECK (currency ~ '^[A-Z]{3}$'),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, period),
    CHECK (invoices_on_time + invoices_late_1_7 + invoices_late_7_15 + invoices_late_15_20 + invoices_late_over_20 <= total_invoices)
);
CREATE INDEX sos_payment_raw_period_idx ON sos_payment_raw (period, seller_id);

-- ... and the raw invoices it may be computed from (Format B), kept by invoice_id.
CREATE TABLE sos_payment_invoice_raw (
    seller_id  bigint NOT NULL REFERENCES seller (id),
    period     sos_period NOT NULL,
    invoice_id text NOT NULL,
    days_late  integer NOT NULL,
    amount     numeric NOT NULL CHECK (amount >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (seller_id, period, invoice_id)
);

-- 6. WMS -> inventory (I-score); one snapshot per seller and month, newest wins.
CREATE TABLE sos_inventory_health_raw (
    id                     bigserial PRIMARY KEY,
    seller_id              bigint NOT NULL REFERENCES seller (id),
    period                 sos_period NOT NULL,
    snapshot_date          date NOT NULL,
    total_cbm              numeric CHECK (total_cbm >= 0),
    total_sku_qty          numeric CHECK (total_sku_qty >= 0),
    aging_over_90d_cbm     numeric CHECK (aging_over_90d_cbm >= 0),
    aging_over_90d_sku_qty numeric CHECK (aging_over_90d_sku_qty >= 0),
    aging_over_180d_cbm    numeric CHECK (aging_over_180d_cbm >= 0),
    aging_over_180d_pct    numeric CHECK (aging_over_180d_pct BETWEEN 0 AND 100),
    aging_pct_by_cbm       numeric,
    aging_pct_by_qty       numeric,
    aging_pct_used         numeric,
    updated_at             timestamptz NOT NULL DEFAULT now(),
    UNIQUE (seller_id, period),
    CHECK (to_char(snapshot_date, 'YYYY-MM') = period)
);
CREATE INDEX sos_inventory_health_raw_period_idx ON sos_inventory_health_raw (period, seller_id);

-- 7. Accounting -> AM revenue, and the AM portfolio scores of the calculation.
CREATE TABLE am_portfolio_period_score (
    id                      bigserial PRIMARY KEY,
    am_id                   bigint NOT NULL REFERENCES account_manager (id),
    period                  sos_period NOT NULL,
    revenue_target          numeric CHECK (revenue_target >= 0),
    revenue_actual          numeric CHECK (revenue_actual >= 0),
    revenue_achievement_pct numeric,
    seller_count            integer,
    avg_sos                 numeric,
    sos_delta               numeric,
    kpi_score               numeric,
    bonus_or_penalty_amount numeric,
    result                  jsonb,
    calculated_at           timestamptz,
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (am_id, period)
);
CREATE INDEX am_portfolio_period_score_period_idx ON am_portfolio_period_score (period);

-- The 12 config types, stored generically; the domain validates each body.
CREATE TABLE sos_config (
    id             bigserial PRIMARY KEY,
    config_type    text NOT NULL CHECK (config_type IN (
        'score-weights', 'tiers', 'p-score', 'o-score', 't-score', 'f-score', 'i-score',
        'surcharge', 'am-bonus-penalty', 'am-kpi-weight', 'grace-period', 'helpdesk')),
    is_active      boolean NOT NULL DEFAULT true,
    effective_from date,
    effective_to   date,
    body           jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL,
    updated_by     text NOT NULL,
    CHECK (effective_to IS NULL OR effective_from IS NULL OR effective_to >= effective_from),
    CHECK (jsonb_typeof(body) = 'object')
);
CREATE INDEX sos_config_type_idx ON sos_config (config_type, id);

-- Results.
CREATE TABLE seller_score (
    seller_id     bigint NOT NULL REFERENCES seller (id),
    period        sos_period NOT NULL,
    am_id         bigint REFERENCES account_manager (id),
    status        text NOT NULL CHECK (status IN ('scored', 'insufficient_data')),
    sos_score     numeric CHECK (sos_score BETWEEN 0 AND 100),
    tier          text,
    p_score       numeric,
    o_score       numeric,
    t_score       numeric,
    f_score       numeric,
    i_score       numeric,
    result        jsonb NOT NULL,
    calculated_at timestamptz NOT NULL,
    PRIMARY KEY (seller_id, period),
    CHECK ((status = 'scored') = (sos_score IS NOT NULL))
);
CREATE INDEX seller_score_period_idx ON seller_score (period, tier);
CREATE INDEX seller_score_period_am_idx ON seller_score (period, am_id);

CREATE TABLE surcharge_event (
    id             bigserial PRIMARY KEY,
    seller_id      bigint NOT NULL REFERENCES seller (id),
    period         sos_period NOT NULL,
    rule_id        bigint REFERENCES sos_config (id),
    surcharge_type text NOT NULL,
    action         jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX surcharge_event_seller_period_idx ON surcharge_event (period, seller_id);

CREATE TABLE calculation_run (
    id                   bigserial PRIMARY KEY,
    period               sos_period NOT NULL,
    seller_codes         jsonb,
    status               text NOT NULL CHECK (status IN ('succeeded', 'failed', 'dry_run')),
    started_at           timestamptz NOT NULL,
    finished_at          timestamptz NOT NULL,
    duration_ms          bigint NOT NULL CHECK (duration_ms >= 0),
    sellers_scored       integer NOT NULL,
    sellers_insufficient integer NOT NULL,
    am_scored            integer NOT NULL,
    surcharges_triggered integer NOT NULL,
    config_ids           bigint[] NOT NULL,
    error                text,
    triggered_by         text NOT NULL
);
CREATE INDEX calculation_run_period_idx ON calculation_run (period, id DESC);

CREATE TABLE finalized_period (
    period       sos_period PRIMARY KEY,
    finalized_at timestamptz NOT NULL DEFAULT now(),
    finalized_by text NOT NULL
);

-- Auth.
CREATE TABLE api_key (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL UNIQUE,
    prefix       text NOT NULL UNIQUE,
    key_hash     text NOT NULL,
    scopes       text[] NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE audit_log (
    id        bigserial PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    entity    text NOT NULL,
    entity_id text NOT NULL,
    action    text NOT NULL CHECK (action IN ('create', 'update', 'deactivate', 'revoke')),
    old_value jsonb,
    new_value jsonb
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id, id DESC);

-- The audit log is append-only.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
