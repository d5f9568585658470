-- A window split across N producer workers (settle produce --shards N --shard I): each worker is an execution of
-- its own (own claim, checkpoints and resume chain); last_page stays the last page number (of the whole window)
-- this worker published. Existing executions were single workers: shard 0 of 1. Valid on MariaDB 10.11 and MySQL 8.
ALTER TABLE job_executions
  ADD COLUMN shard INT NOT NULL DEFAULT 0 COMMENT 'this worker''s index, 0-based: it fetches pages shard+1, shard+1+shards, ...' AFTER kind,
  ADD COLUMN shards INT NOT NULL DEFAULT 1 COMMENT 'how many workers share the window' AFTER shard;
