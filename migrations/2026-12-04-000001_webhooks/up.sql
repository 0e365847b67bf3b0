-- Outbound webhooks: a transactional outbox. An event row is written in the transaction of its
-- cause (a calculation's commit, a finalize), with one delivery row per matching active
-- subscription, so an event exists if and only if its cause committed. Workers in any number
-- of server processes lease due deliveries with FOR UPDATE SKIP LOCKED.

CREATE TABLE webhook_subscription (
    id BIGSERIAL PRIMARY KEY,
    subscriber TEXT NOT NULL,
    endpoint_url TEXT NOT NULL,
    -- NULL: every event type, present and future.
    event_types TEXT[],
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    timeout_seconds INTEGER NOT NULL CHECK (timeout_seconds BETWEEN 1 AND 30),
    max_attempts INTEGER NOT NULL CHECK (max_attempts BETWEEN 1 AND 20),
    -- Sealed with the server's secret key (XChaCha20-Poly1305), never returned.
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_expires_at TIMESTAMPTZ,
    disabled_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);

CREATE TABLE webhook_event (
    id BIGSERIAL PRIMARY KEY,
    -- The `webhook-id` header: the receiver's dedupe key, the same on every attempt and replay.
    event_id TEXT NOT NULL UNIQUE DEFAULT ('evt_' || replace(gen_random_uuid()::text, '-', '')),
    event_type TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    -- The exact body sent, so every attempt signs the same bytes.
    payload TEXT NOT NULL
);
CREATE INDEX webhook_event_occurred_at ON webhook_event (occurred_at);

CREATE TABLE webhook_delivery (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES webhook_event (id),
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscription (id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    lease BIGINT,
    leased_until TIMESTAMPTZ,
    UNIQUE (event_id, subscription_id)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_delivery_subscription ON webhook_delivery (subscription_id, id);

CREATE TABLE webhook_attempt (
    id BIGSERIAL PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_delivery (id) ON DELETE CASCADE,
    attempt INTEGER NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL,
    status_code INTEGER,
    duration_ms BIGINT NOT NULL,
    error TEXT,
    -- At most 1 kB of the answer.
    response_body TEXT NOT NULL
);
CREATE INDEX webhook_attempt_delivery ON webhook_attempt (delivery_id, id);

-- Lease tokens: a worker records an outcome only while its lease is the delivery's lease.
CREATE SEQUENCE webhook_lease_seq;
