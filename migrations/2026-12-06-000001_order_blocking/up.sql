-- Order blocking: the blocking state of each seller ever blocked (one row, read by the OMS
-- before it accepts an order), and every change between blocked and unblocked.

CREATE TABLE seller_enforcement (
    seller_id BIGINT PRIMARY KEY REFERENCES seller (id),
    blocked BOOLEAN NOT NULL,
    -- The rules blocking now: [{"rule_id", "reason", "payment_only"}], in rule order.
    hits JSONB NOT NULL CHECK (jsonb_typeof(hits) = 'array'),
    -- When the seller was last blocked or unblocked.
    since TIMESTAMPTZ,
    -- The payment month the payment-only hits were last evaluated on.
    payment_period TEXT CHECK (payment_period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    -- Unblocked by hand: payments syncs leave it unblocked until the next calculation.
    manual_hold BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (blocked = (jsonb_array_length(hits) > 0)),
    CHECK (NOT (blocked AND manual_hold))
);

CREATE TABLE seller_enforcement_change (
    id BIGSERIAL PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES seller (id),
    blocked BOOLEAN NOT NULL,
    cause TEXT NOT NULL CHECK (cause IN ('calculation', 'sync', 'manual')),
    period TEXT CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    -- For a block, the reasons blocking; for an unblock, those lifted.
    reasons TEXT[] NOT NULL,
    rule_ids BIGINT[] NOT NULL,
    -- The reason of a manual unblock, which only a manual unblock has.
    note TEXT,
    actor TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    CHECK ((cause = 'manual') = (note IS NOT NULL)),
    CHECK (cause <> 'manual' OR NOT blocked)
);
CREATE INDEX seller_enforcement_change_seller ON seller_enforcement_change (seller_id, id);
