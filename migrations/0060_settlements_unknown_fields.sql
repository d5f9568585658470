-- Fields Toss sends that the settlement schema does not model yet travel with the row instead of being dropped:
-- JSON text keyed by path ({"cancels":[...],"card.newField":"x"}), NULL when there were none. Beside details,
-- which holds the modelled nested objects. A nullable column added without a default rewrite: MariaDB 10.4+ and
-- MySQL 8.0.29+ add it instantly (metadata only), also on the partitioned table, so the migration does not copy
-- 100 million rows a day. Valid on MariaDB 10.11 and MySQL 8.
ALTER TABLE settlements
  ADD COLUMN unknown_fields LONGTEXT NULL COMMENT 'JSON of the fields Toss sent that the schema does not model (by path); NULL when none' AFTER details;
