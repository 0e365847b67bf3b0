-- A seller result is one JSON document written by SOS from its typed value, so it is valid JSON
-- by construction. Storing it as jsonb made PostgreSQL parse every number of it into numeric
-- (about 67 us per 5 kB result; `json` still validates it, about 25 us): that parse was most of
-- a monthly calculation's time. As text it is stored as sent (lz4-compressed by the
-- calculation). Query it with `result::jsonb`.
ALTER TABLE seller_score ALTER COLUMN result TYPE text USING result::text;
COMMENT ON COLUMN seller_score.result IS
    'The full result with its explanation, as JSON text written by SOS (cast with ::jsonb to query it).';
-- Compressed but kept in the row (a result compresses to about 2.4 kB): with the default
-- EXTENDED storage each result also went to the TOAST table, one more insert (and delete, when
-- a period is recalculated) per seller.
ALTER TABLE seller_score ALTER COLUMN result SET STORAGE MAIN;
