DROP TABLE score_exception;
