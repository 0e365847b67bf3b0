DROP SEQUENCE webhook_lease_seq;
DROP TABLE webhook_attempt;
DROP TABLE webhook_delivery;
DROP TABLE webhook_event;
DROP TABLE webhook_subscription;
