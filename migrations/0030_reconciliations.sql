-- `settle reconcile` keeps every result: one run per invocation, one row per date it compared. Key differences
-- are JSON (LONGTEXT checked by JSON_VALID: MariaDB's JSON is an alias of LONGTEXT, MySQL 8's is a native type).
-- Valid on MariaDB 10.11 and MySQL 8.
CREATE TABLE IF NOT EXISTS reconciliation_runs (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  window_from     DATE         NOT NULL,
  window_to       DATE         NOT NULL,
  date_type       VARCHAR(20)  NOT NULL,
  status          VARCHAR(10)  NOT NULL COMMENT 'OK or MISMATCH',
  execution_ids   LONGTEXT     NOT NULL COMMENT 'JSON array of the job executions whose records were compared',
  api_rows        BIGINT       NOT NULL,
  api_rejected    BIGINT       NOT NULL COMMENT 'rows Toss sent that the processor refuses: counted, not compared',
  kafka_rows      BIGINT       NOT NULL,
  mysql_rows      BIGINT       NOT NULL,
  started_at      DATETIME(3)  NOT NULL,
  ended_at        DATETIME(3)  NOT NULL,
  PRIMARY KEY (id),
  KEY ix_reconciliation_runs_window (window_from, window_to, date_type),
  CONSTRAINT ck_reconciliation_runs_execution_ids CHECK (JSON_VALID(execution_ids))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS reconciliation_results (
  run_id              BIGINT UNSIGNED NOT NULL,
  result_date         DATE         NOT NULL,
  status              VARCHAR(10)  NOT NULL,
  api_rows            BIGINT       NOT NULL,
  api_amount          BIGINT       NOT NULL,
  api_fee             BIGINT       NOT NULL,
  api_pay_out_amount  BIGINT       NOT NULL,
  kafka_rows          BIGINT       NOT NULL,
  kafka_amount        BIGINT       NOT NULL,
  kafka_fee           BIGINT       NOT NULL,
  kafka_pay_out_amount BIGINT      NOT NULL,
  mysql_rows          BIGINT       NOT NULL,
  mysql_amount        BIGINT       NOT NULL,
  mysql_fee           BIGINT       NOT NULL,
  mysql_pay_out_amount BIGINT      NOT NULL,
  differences         LONGTEXT     NOT NULL COMMENT 'JSON {kafka|mysql: {missing, extra, changed: {count, keys}}}, keys capped per list',
  PRIMARY KEY (run_id, result_date),
  KEY ix_reconciliation_results_status (status),
  CONSTRAINT fk_reconciliation_results_run FOREIGN KEY (run_id) REFERENCES reconciliation_runs (id),
  CONSTRAINT ck_reconciliation_results_differences CHECK (JSON_VALID(differences))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
