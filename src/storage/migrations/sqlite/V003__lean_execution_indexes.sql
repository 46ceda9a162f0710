-- Schema v3: every recorded execution writes one page per index of workflow_executions to the
-- write-ahead log. The retention job was the only reader of the index on created_at alone; it
-- now walks idx_workflow_executions_workflow_created one deployment at a time, so the index
-- goes and each execution costs one page less.
DROP INDEX IF EXISTS idx_workflow_executions_created_at;
