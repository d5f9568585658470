-- The core module: orders, their lines, cancel requests and restocks; payments with an append-only ledger; and
-- the idempotency record of every Toss payment call. Money is integer KRW (BIGINT); instants are DATETIME(3) in
-- UTC; settlement dates are Asia/Seoul calendar dates (DATE). Valid on MariaDB 10.11 and MySQL 8.
CREATE TABLE IF NOT EXISTS orders (
  order_id      VARCHAR(64)  NOT NULL COMMENT 'Toss orderId rule: 6-64 of [A-Za-z0-9_-]',
  status        VARCHAR(24)  NOT NULL COMMENT 'derived from the lines by the domain; stored for queries',
  total_amount  BIGINT       NOT NULL,
  ordered_at    DATETIME(3)  NOT NULL,
  created_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at    DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (order_id),
  KEY ix_orders_status (status),
  CONSTRAINT ck_orders_total CHECK (total_amount > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS order_items (
  order_id            VARCHAR(64) NOT NULL,
  line_no             INT         NOT NULL,
  product_id          VARCHAR(64) NOT NULL,
  unit_price          BIGINT      NOT NULL,
  quantity            INT         NOT NULL,
  status              VARCHAR(24) NOT NULL,
  cancel_request_seq  INT         NULL,
  PRIMARY KEY (order_id, line_no),
  UNIQUE KEY uk_order_items_product (order_id, product_id) COMMENT 'one line per product, with a quantity',
  CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (order_id),
  CONSTRAINT ck_order_items_quantity CHECK (quantity >= 1),
  CONSTRAINT ck_order_items_unit_price CHECK (unit_price > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A request's lines are the order_items rows carrying its seq in cancel_request_seq.
CREATE TABLE IF NOT EXISTS order_cancel_requests (
  order_id      VARCHAR(64)  NOT NULL,
  seq           INT          NOT NULL,
  reason        VARCHAR(200) NOT NULL,
  requested_at  DATETIME(3)  NOT NULL,
  refunded_at   DATETIME(3)  NULL,
  PRIMARY KEY (order_id, seq),
  CONSTRAINT fk_order_cancel_requests_order FOREIGN KEY (order_id) REFERENCES orders (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS restocks (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  order_id      VARCHAR(64) NOT NULL,
  product_id    VARCHAR(64) NOT NULL,
  quantity      INT         NOT NULL,
  restocked_at  DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uk_restocks_line (order_id, product_id) COMMENT 'a line is cancelled, so restocked, at most once',
  CONSTRAINT fk_restocks_order FOREIGN KEY (order_id) REFERENCES orders (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS payments (
  payment_key     VARCHAR(200) NOT NULL,
  order_id        VARCHAR(64)  NOT NULL,
  method_kind     VARCHAR(20)  NOT NULL COMMENT 'CARD today; the TransactionType subtype',
  method_details  LONGTEXT     NOT NULL COMMENT 'JSON of the subtype details (masked card number, issuer, ...)',
  total_amount    BIGINT       NOT NULL,
  balance_amount  BIGINT       NOT NULL COMMENT 'copy of the last ledger entry balance_after, for queries',
  status          VARCHAR(20)  NOT NULL,
  approved_at     DATETIME(3)  NOT NULL,
  created_at      DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at      DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (payment_key),
  UNIQUE KEY uk_payments_order (order_id) COMMENT 'one payment per order',
  CONSTRAINT fk_payments_order FOREIGN KEY (order_id) REFERENCES orders (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Append-only: the approval (seq 1, positive) then each cancel (negative), with the running balance.
-- transaction_key is indexed, not unique: uniqueness is Toss's to guarantee, and a mock answering every cancel
-- with the same canned transactionKey must not make our write fail after Toss has already refunded.
CREATE TABLE IF NOT EXISTS payment_ledger (
  payment_key               VARCHAR(200) NOT NULL,
  seq                       INT          NOT NULL,
  entry_type                VARCHAR(10)  NOT NULL COMMENT 'APPROVAL or CANCEL',
  amount                    BIGINT       NOT NULL COMMENT 'signed like settlements rows: approval +, cancel -',
  balance_after             BIGINT       NOT NULL,
  transaction_key           VARCHAR(64)  NOT NULL COMMENT 'Toss transactionKey: matches settlements.transaction_key',
  occurred_at               DATETIME(3)  NOT NULL,
  expected_settlement_date  DATE         NOT NULL COMMENT 'Seoul date of occurred_at rolled to a business day + N',
  cancel_request_seq        INT          NULL,
  reason                    VARCHAR(200) NULL,
  created_at                DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (payment_key, seq),
  KEY ix_payment_ledger_transaction_key (transaction_key),
  KEY ix_payment_ledger_expected_date (expected_settlement_date),
  CONSTRAINT fk_payment_ledger_payment FOREIGN KEY (payment_key) REFERENCES payments (payment_key),
  CONSTRAINT ck_payment_ledger_balance CHECK (balance_after >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The database refuses edits too, not just the code. (On MySQL with binary logging, creating triggers needs
-- SUPER or log_bin_trust_function_creators=1, as on Amazon RDS.)
DROP TRIGGER IF EXISTS payment_ledger_no_update;
CREATE TRIGGER payment_ledger_no_update BEFORE UPDATE ON payment_ledger FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'payment_ledger is append-only: add a CANCEL entry instead';
DROP TRIGGER IF EXISTS payment_ledger_no_delete;
CREATE TRIGGER payment_ledger_no_delete BEFORE DELETE ON payment_ledger FOR EACH ROW
  SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'payment_ledger is append-only';

-- One row per Toss POST, written (PENDING) before the call under its Idempotency-Key, so a re-run after a
-- crash sends the same key and Toss replays its first answer instead of charging or refunding twice.
CREATE TABLE IF NOT EXISTS payment_operations (
  idempotency_key  VARCHAR(300) NOT NULL COMMENT 'Toss allows up to 300 characters',
  kind             VARCHAR(10)  NOT NULL COMMENT 'CONFIRM or CANCEL',
  order_id         VARCHAR(64)  NOT NULL,
  request          LONGTEXT     NOT NULL COMMENT 'JSON of what was sent: a key is never reused for another request',
  status           VARCHAR(10)  NOT NULL COMMENT 'PENDING, DONE or FAILED',
  error_code       VARCHAR(100) NULL,
  attempts         INT          NOT NULL DEFAULT 1,
  created_at       DATETIME(3)  NOT NULL,
  updated_at       DATETIME(3)  NOT NULL,
  PRIMARY KEY (idempotency_key),
  KEY ix_payment_operations_order_status (order_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
