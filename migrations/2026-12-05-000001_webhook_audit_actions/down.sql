-- The log is append-only, so entries with the webhook actions stay: the narrower check holds
-- for new rows only.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('create', 'update', 'deactivate', 'revoke')) NOT VALID;
