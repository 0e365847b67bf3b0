-- The audit log's action list takes the actions of webhooks (deleting a subscription,
-- rotating its secret, replaying deliveries), appeals (filing, the two reviews, expiry, the
-- recalculated score) and order blocking.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('create', 'update', 'deactivate', 'revoke', 'delete', 'rotate_secret',
        'replay', 'file', 'review_ops', 'review_am', 'expire', 'recalculate', 'block',
        'unblock'));
