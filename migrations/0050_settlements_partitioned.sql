-- settlements for 100 million rows a day: partitioned by RANGE COLUMNS(sold_date), one partition per sold date.
-- Valid on MariaDB 10.11 and MySQL 8.
--
-- Why: clustered on an append-only auto-increment id, the table's inserts only ever touch the right edge of the
-- clustered index, but its secondary indexes (transaction_key above all) take random inserts over the whole
-- table; once they outgrow the buffer pool every insert reads pages from disk and the load slows as the table
-- grows. Per-day partitions keep each index one day big, let a day be archived or dropped as a metadata
-- operation (EXCHANGE/DROP PARTITION: `settle db partitions archive`) and let date windows prune partitions.
--
-- Partitions: p_history (everything before the first daily partition: the rows that exist at migration time),
-- then pYYYYMMDD (VALUES LESS THAN the next day) added by `settle db partitions ensure` (and by `settle produce`
-- for its window), and p_future (MAXVALUE): a row whose sold date has no daily partition yet still lands
-- somewhere, so an insert never fails for lack of a partition.
--
-- Keys: every unique key of a partitioned table must contain the partitioning column.
--   PRIMARY KEY (id, sold_date): the auto-increment id stays the clustered, append-only key (id first: InnoDB
--     needs the auto-increment column first in some index, and inserts stay at the right edge).
--   UNIQUE KEY uk_settlements_transaction_key (transaction_key, sold_date): the consumer's upsert
--     (INSERT … ON DUPLICATE KEY UPDATE, newer record wins). Decision: a transaction's identity is
--     (transaction_key, sold_date); Toss never changes a transaction's sold date. If it ever did, the newer
--     record would not meet the old row: it would be INSERTED as a second row under the new date (the old row
--     stays, unchanged), so the key would appear twice and date totals would count it on both dates; `settle
--     reconcile` of the old date would report it as extra in MySQL.
--   The old KEY ix_settlements_sold_date is dropped: partition pruning on sold_date replaces it.
--
-- Query → index (each query the commands run on settlements):
--   consumer upsert INSERT … ON DUPLICATE KEY UPDATE           → uk_settlements_transaction_key, in the row's partition
--   settlements list / reconcile snapshot / jobs totals,
--     WHERE sold_date BETWEEN ? AND ?                         → partition pruning (then a scan of those days' partitions)
--   the same, WHERE paid_out_date BETWEEN ? AND ?              → ix_settlements_paid_out_date (in every partition)
--   replay change count: WHERE transaction_key IN (…)         → uk_settlements_transaction_key prefix (in every partition)
--   order status: WHERE payment_key = ? ORDER BY id            → ix_settlements_payment_key (in every partition)
--   reconcile --payments, ledger entries not settled:
--     NOT EXISTS (… s.transaction_key = ? AND s.payment_key = ?) → uk_settlements_transaction_key prefix
--   reconcile --payments, settlements unknown to the ledger:
--     WHERE s.paid_out_date BETWEEN ? AND ?                    → ix_settlements_paid_out_date
--
-- The first bound is computed now: p_history holds every existing row (LESS THAN the day after MAX(sold_date));
-- on an empty table it is 2000-01-01, so a fresh install loading any past window gets daily partitions for it
-- (`settle db partitions ensure` puts one span partition p_before_YYYYMMDD over a long gap of unused days). CAUTION: on a large existing table this ALTER
-- rebuilds it (a full copy, writes blocked meanwhile): run it in a quiet window, with the consumer stopped.
SET @settle_0050_bound = (SELECT COALESCE(DATE_FORMAT(MAX(sold_date) + INTERVAL 1 DAY, '%Y-%m-%d'), '2000-01-01') FROM settlements);
SET @settle_0050_sql = CONCAT(
  'ALTER TABLE settlements',
  ' DROP PRIMARY KEY, ADD PRIMARY KEY (id, sold_date),',
  ' DROP INDEX uk_settlements_transaction_key, ADD UNIQUE KEY uk_settlements_transaction_key (transaction_key, sold_date),',
  ' DROP INDEX ix_settlements_sold_date',
  ' PARTITION BY RANGE COLUMNS(sold_date) (',
  'PARTITION p_history VALUES LESS THAN (''', @settle_0050_bound, '''), ',
  'PARTITION p_future VALUES LESS THAN (MAXVALUE))');
PREPARE settle_0050_stmt FROM @settle_0050_sql;
EXECUTE settle_0050_stmt;
DEALLOCATE PREPARE settle_0050_stmt;
SET @settle_0050_sql = NULL;
SET @settle_0050_bound = NULL;
