DROP TABLE seller_enforcement_change;
DROP TABLE seller_enforcement;
