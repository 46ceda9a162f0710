-- Schema v2: tokens that model providers reported for an execution, as JSON
-- {"promptTokens", "completionTokens", "totalTokens", "calls"}; NULL when no provider was called.
ALTER TABLE workflow_executions
    ADD COLUMN token_usage TEXT CHECK (token_usage IS NULL OR json_valid(token_usage));
