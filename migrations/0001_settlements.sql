-- One row per Toss transaction (approval or cancel). Money is integer KRW (BIGINT); dates are Asia/Seoul
-- calendar dates; approved_at/canceled_at keep Toss's text (with its offset) and an instant in UTC.
CREATE TABLE IF NOT EXISTS settlements (
  id                BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  transaction_key   VARCHAR(64)  NOT NULL,
  payment_key       VARCHAR(200) NOT NULL,
  order_id          VARCHAR(64)  NOT NULL,
  m_id              VARCHAR(14)  NOT NULL,
  method            VARCHAR(20)  NOT NULL,
  currency          CHAR(3)      NOT NULL,
  amount            BIGINT       NOT NULL,
  interest_fee      BIGINT       NOT NULL,
  fee               BIGINT       NULL,
  supply_amount     BIGINT       NOT NULL,
  vat               BIGINT       NOT NULL,
  pay_out_amount    BIGINT       NOT NULL,
  approved_at       VARCHAR(35)  NOT NULL,
  approved_at_utc   DATETIME(3)  NOT NULL,
  sold_date         DATE         NOT NULL,
  paid_out_date     DATE         NOT NULL,
  cancel_amount     BIGINT       NULL,
  canceled_at       VARCHAR(35)  NULL,
  card_issuer_code  VARCHAR(4)   NULL,
  card_approve_no   VARCHAR(8)   NULL,
  easy_pay_provider VARCHAR(40)  NULL,
  details           LONGTEXT     NOT NULL COMMENT 'JSON of fees and the nested card/easyPay/transfer/virtualAccount/mobilePhone/giftCertificate/cancel objects',
  source_topic      VARCHAR(200) NOT NULL,
  source_partition  INT          NOT NULL,
  source_offset     BIGINT       NOT NULL,
  source_timestamp  BIGINT       NOT NULL COMMENT 'Kafka record timestamp (ms): the newer record wins',
  created_at        DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at        DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uk_settlements_transaction_key (transaction_key),
  KEY ix_settlements_payment_key (payment_key),
  KEY ix_settlements_sold_date (sold_date),
  KEY ix_settlements_paid_out_date (paid_out_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The consumer's stored offsets: written in the same transaction as the rows they cover (exactly-once effect).
CREATE TABLE IF NOT EXISTS consumer_offsets (
  group_id     VARCHAR(200) NOT NULL,
  topic        VARCHAR(200) NOT NULL,
  kafka_partition INT       NOT NULL,
  next_offset  BIGINT       NOT NULL,
  updated_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  PRIMARY KEY (group_id, topic, kafka_partition)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
