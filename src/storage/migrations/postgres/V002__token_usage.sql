-- Schema v2: tokens that model providers reported for an execution, as JSON
-- {"promptTokens", "completionTokens", "totalTokens", "calls"}; NULL when no provider was called.
ALTER TABLE workflow_executions ADD COLUMN IF NOT EXISTS token_usage JSONB;
