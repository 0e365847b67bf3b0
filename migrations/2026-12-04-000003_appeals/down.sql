ALTER TABLE seller_score DROP CONSTRAINT seller_score_check;
ALTER TABLE seller_score ADD CONSTRAINT seller_score_check CHECK ((status = 'scored') = (sos_score IS NOT NULL));
ALTER TABLE seller_score DROP CONSTRAINT seller_score_status_check;
ALTER TABLE seller_score ADD CONSTRAINT seller_score_status_check CHECK (status IN ('scored', 'insufficient_data'));
DROP TABLE seller_score_superseded;
DROP TABLE appeal_step;
DROP TABLE appeal;
