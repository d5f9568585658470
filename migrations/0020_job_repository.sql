-- The producer's job repository: instances (a window), executions (attempts) and per-page checkpoints.
CREATE TABLE IF NOT EXISTS job_instances (
  id           BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  job_name     VARCHAR(100) NOT NULL,
  window_from  DATE         NOT NULL,
  window_to    DATE         NOT NULL,
  date_type    VARCHAR(20)  NOT NULL,
  created_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (id),
  UNIQUE KEY uk_job_instances_identity (job_name, window_from, window_to, date_type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS job_executions (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  instance_id     BIGINT UNSIGNED NOT NULL,
  kind            VARCHAR(10)  NOT NULL COMMENT 'RUN or REPLAY',
  replay_of       BIGINT UNSIGNED NULL COMMENT 'the COMPLETED execution a REPLAY re-runs',
  resumed_from    BIGINT UNSIGNED NULL COMMENT 'the FAILED/STOPPED execution this one continues',
  status          VARCHAR(10)  NOT NULL,
  started_at      DATETIME(3)  NOT NULL,
  ended_at        DATETIME(3)  NULL,
  heartbeat_at    DATETIME(3)  NOT NULL,
  last_page       INT          NOT NULL DEFAULT 0 COMMENT 'cumulative along the resume chain',
  pages           INT          NOT NULL DEFAULT 0,
  rows_fetched    BIGINT       NOT NULL DEFAULT 0,
  rows_published  BIGINT       NOT NULL DEFAULT 0,
  rows_rejected   BIGINT       NOT NULL DEFAULT 0,
  last_error      TEXT         NULL,
  host            VARCHAR(100) NULL,
  pid             INT          NULL,
  PRIMARY KEY (id),
  KEY ix_job_executions_instance (instance_id, id),
  KEY ix_job_executions_status (status),
  CONSTRAINT fk_job_executions_instance FOREIGN KEY (instance_id) REFERENCES job_instances (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS job_page_checkpoints (
  execution_id    BIGINT UNSIGNED NOT NULL,
  page            INT          NOT NULL,
  rows_fetched    INT          NOT NULL,
  rows_published  INT          NOT NULL,
  rows_rejected   INT          NOT NULL,
  checkpointed_at DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  PRIMARY KEY (execution_id, page),
  CONSTRAINT fk_job_page_checkpoints_execution FOREIGN KEY (execution_id) REFERENCES job_executions (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
