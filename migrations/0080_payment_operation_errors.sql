-- A VOID (the full cancel of a non-card approval) that Toss answers with an error is FAILED, not left PENDING:
-- the row keeps Toss's code (error_code) and its message, and `settle reconcile --payments` lists every VOID not
-- DONE through the (status, kind) index without reading the DONE rows. Valid on MariaDB 10.11 and MySQL 8.
ALTER TABLE payment_operations
  MODIFY COLUMN kind VARCHAR(10) NOT NULL COMMENT 'CONFIRM, CANCEL or VOID',
  ADD COLUMN error_message VARCHAR(500) NULL COMMENT 'the last failed attempt''s message (Toss''s own for an answer from Toss)' AFTER error_code,
  ADD KEY ix_payment_operations_status_kind (status, kind);
