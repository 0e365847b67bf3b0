-- Score exceptions: ops overriding one component of one seller's period. Revoking keeps the
-- row; at most one active exception per seller, period and component.
CREATE TABLE score_exception (
    id BIGSERIAL PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES seller (id),
    period TEXT NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    component TEXT NOT NULL CHECK (component IN ('p_score', 'o_score', 't_score', 'f_score', 'i_score')),
    reason_type TEXT NOT NULL CHECK (reason_type IN ('system_sync_error', 'force_majeure',
        'warehouse_fault', 'marketplace_algorithm_change', 'other', 'appeal')),
    note TEXT NOT NULL,
    -- {"type": "set_score", "value": 80} or {"type": "exclude"}
    effect JSONB NOT NULL,
    appeal_id BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TIMESTAMPTZ,
    revoked_by TEXT
);
CREATE UNIQUE INDEX score_exception_one_active ON score_exception (seller_id, period, component)
    WHERE revoked_at IS NULL;
CREATE INDEX score_exception_period ON score_exception (period);
