-- The webhook use cases audit deleting a subscription, rotating its secret and replaying
-- deliveries; the audit log's action list takes those actions too.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('create', 'update', 'deactivate', 'revoke', 'delete', 'rotate_secret', 'replay'));
