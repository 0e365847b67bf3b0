-- Appeals: an AM asks for a seller's finalized score to be reviewed, at two levels. An
-- approved appeal becomes a score exception and re-scores the seller in its finalized period;
-- the replaced result is kept in seller_score_superseded.

CREATE TABLE appeal (
    id BIGSERIAL PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES seller (id),
    period TEXT NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    target TEXT NOT NULL CHECK (target IN ('p_score', 'o_score', 't_score', 'f_score', 'i_score', 'total')),
    am_id BIGINT REFERENCES account_manager (id),
    reason_type TEXT NOT NULL,
    description TEXT NOT NULL,
    evidence JSONB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'under_review', 'approved',
        'partially_approved', 'rejected', 'expired')),
    filed_by TEXT NOT NULL,
    filed_at TIMESTAMPTZ NOT NULL,
    ops_reviewed_by TEXT,
    ops_reviewed_at TIMESTAMPTZ,
    am_reviewed_by TEXT,
    am_reviewed_at TIMESTAMPTZ,
    -- The exception an approval made is the score_exception row whose appeal_id is this id.
    score_adjustment NUMERIC
);
-- One open appeal per seller, period and target, whatever the race.
CREATE UNIQUE INDEX appeal_one_open ON appeal (seller_id, period, target)
    WHERE status IN ('pending', 'under_review');
CREATE INDEX appeal_open ON appeal (filed_at) WHERE status IN ('pending', 'under_review');

CREATE TABLE appeal_step (
    id BIGSERIAL PRIMARY KEY,
    appeal_id BIGINT NOT NULL REFERENCES appeal (id),
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT
);
CREATE INDEX appeal_step_appeal ON appeal_step (appeal_id, id);

CREATE TABLE seller_score_superseded (
    id BIGSERIAL PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES seller (id),
    period TEXT NOT NULL,
    am_id BIGINT,
    result TEXT NOT NULL,
    calculated_at TIMESTAMPTZ NOT NULL,
    superseded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX seller_score_superseded_seller ON seller_score_superseded (seller_id, period, id);

-- A recalculated result has a total, as a scored one does.
ALTER TABLE seller_score DROP CONSTRAINT seller_score_status_check;
ALTER TABLE seller_score ADD CONSTRAINT seller_score_status_check
    CHECK (status IN ('scored', 'insufficient_data', 'recalculated'));
ALTER TABLE seller_score DROP CONSTRAINT seller_score_check;
ALTER TABLE seller_score ADD CONSTRAINT seller_score_check
    CHECK ((status <> 'insufficient_data') = (sos_score IS NOT NULL));
