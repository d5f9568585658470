-- The page size each execution fetched with. last_page counts pages of that size, so a run resumed with another
-- size must convert the position exactly or refuse (src/domain/batch/resume-position.ts), never reuse the number.
-- NULL = recorded before this migration. Filled where the checkpoints prove the size: a page the same execution
-- went past was full (the reader stops at the first short page), so its rows_fetched is the page size.
-- Valid on MariaDB 10.11 and MySQL 8.
ALTER TABLE job_executions
  ADD COLUMN page_size INT NULL COMMENT 'rows per page this execution asked Toss for; last_page counts pages of this size' AFTER last_page;

UPDATE job_executions e
   SET e.page_size = (SELECT MAX(c.rows_fetched) FROM job_page_checkpoints c WHERE c.execution_id = e.id AND c.page < e.last_page)
 WHERE e.page_size IS NULL;
