ALTER TABLE seller_score ALTER COLUMN result SET STORAGE EXTENDED;
COMMENT ON COLUMN seller_score.result IS NULL;
ALTER TABLE seller_score ALTER COLUMN result TYPE jsonb USING result::jsonb;
