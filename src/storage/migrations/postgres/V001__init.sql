-- Schema v1 for PostgreSQL (15 or newer): the tables of deployment-api.md § 11 with the runner's
-- changes. Applied by the runner at start (recorded in schema_migrations, which the runner
-- creates), or by hand on an empty database:
--     psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f V001__init.sql
-- * No extension is needed: ids default to gen_random_uuid(), built in since PostgreSQL 13.
-- * Timestamps are TIMESTAMPTZ; JSON columns are JSONB.
-- * Execution counters are not stored: deployment_stats derives them from workflow_executions,
--   so recording an execution never rewrites (or locks) its deployment row.
-- * JSONB cannot hold the character U+0000. The runner stores a document that contains it as
--   {"$clara:json-text": "<the document as JSON text>"} and unwraps it when reading.
-- * Every statement is idempotent (IF NOT EXISTS, CREATE OR REPLACE), so the file can be run
--   again on a database it has already set up.

CREATE TABLE IF NOT EXISTS deployed_workflows (
    id                   UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name                 VARCHAR(255) NOT NULL,
    slug                 VARCHAR(255) NOT NULL
                         CONSTRAINT deployed_workflows_slug_key UNIQUE
                         CONSTRAINT slug_format CHECK (slug ~ '^[a-z0-9-]+$'),
    description          TEXT,
    workflow_json        JSONB NOT NULL,
    schema_json          JSONB NOT NULL,
    field_map            JSONB NOT NULL DEFAULT '{}'::jsonb,
    user_id              VARCHAR(255),
    api_key_hash         VARCHAR(255) NOT NULL
                         CONSTRAINT deployed_workflows_api_key_hash_key UNIQUE,
    is_active            BOOLEAN NOT NULL DEFAULT TRUE,
    api_key_last_used_at TIMESTAMPTZ,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- slug and api_key_hash are served by their UNIQUE indexes (a second index would only cost
-- writes). The listing orders by (created_at DESC, id DESC), optionally for one user.
CREATE INDEX IF NOT EXISTS idx_deployed_workflows_created_at
    ON deployed_workflows (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_deployed_workflows_user_id
    ON deployed_workflows (user_id, created_at DESC, id DESC);

-- Sets updated_at on every update that does not set it itself: the runner writes its own clock's
-- value, a hand-written UPDATE gets the current time.
CREATE OR REPLACE FUNCTION update_updated_at_column() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := CURRENT_TIMESTAMP;
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE TRIGGER update_deployed_workflows_updated_at
    BEFORE UPDATE ON deployed_workflows
    FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();

CREATE TABLE IF NOT EXISTS workflow_executions (
    id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    workflow_id   UUID NOT NULL REFERENCES deployed_workflows (id) ON DELETE CASCADE,
    inputs        JSONB NOT NULL,
    outputs       JSONB,
    status        VARCHAR(50) NOT NULL
                  CONSTRAINT status_check
                  CHECK (status IN ('success', 'error', 'timeout', 'running')),
    error_message TEXT,
    error_node_id TEXT,
    duration_ms   BIGINT,
    started_at    TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Newest-first listing and keyset paging of one workflow; also the foreign key's index for
-- ON DELETE CASCADE and MAX(created_at) for "last executed".
CREATE INDEX IF NOT EXISTS idx_workflow_executions_workflow_created
    ON workflow_executions (workflow_id, created_at DESC, id DESC);
-- Listing filtered by status; with duration_ms it also covers the success count and average.
CREATE INDEX IF NOT EXISTS idx_workflow_executions_workflow_status
    ON workflow_executions (workflow_id, status, created_at DESC, id DESC) INCLUDE (duration_ms);
-- Retention (cleanup_old_executions and the runner's periodic job).
CREATE INDEX IF NOT EXISTS idx_workflow_executions_created_at
    ON workflow_executions (created_at DESC);
-- Start-up reaper of rows left running; partial, so it stays tiny.
CREATE INDEX IF NOT EXISTS idx_workflow_executions_running
    ON workflow_executions (status) WHERE status = 'running';

-- Rate-limit counts per key, endpoint (workflow id) and fixed window, shared by every instance
-- on the database; ended windows are deleted by the runners as they go.
CREATE TABLE IF NOT EXISTS api_rate_limits (
    id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    api_key_hash  VARCHAR(255) NOT NULL,
    endpoint      VARCHAR(255) NOT NULL,
    request_count INTEGER NOT NULL DEFAULT 0,
    window_start  TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT api_rate_limits_key_endpoint_window_key UNIQUE (api_key_hash, endpoint, window_start)
);

-- (api_key_hash, endpoint) lookups use the UNIQUE index, whose prefix they are.
CREATE INDEX IF NOT EXISTS idx_api_rate_limits_window_start
    ON api_rate_limits (window_start);

-- Per-deployment statistics with the original view's columns. A LATERAL aggregate instead of
-- LEFT JOIN ... GROUP BY: a query filtered by id (or paged) aggregates only the executions of the
-- rows it returns, each through an index above. execution_count equals total_executions (the
-- original kept a separate counter column).
CREATE OR REPLACE VIEW deployment_stats AS
SELECT
    d.id,
    d.name,
    d.slug,
    s.total_executions AS execution_count,
    s.last_executed_at,
    d.created_at,
    s.total_executions,
    s.successful_executions,
    s.failed_executions,
    s.avg_duration_ms
FROM deployed_workflows AS d
CROSS JOIN LATERAL (
    SELECT
        COUNT(*) AS total_executions,
        COUNT(*) FILTER (WHERE e.status = 'success') AS successful_executions,
        COUNT(*) FILTER (WHERE e.status = 'error') AS failed_executions,
        MAX(e.created_at) AS last_executed_at,
        AVG(e.duration_ms) FILTER (WHERE e.status = 'success') AS avg_duration_ms
    FROM workflow_executions AS e
    WHERE e.workflow_id = d.id
) AS s;

-- Deletes executions older than `days_to_keep` days; returns how many.
CREATE OR REPLACE FUNCTION cleanup_old_executions(days_to_keep INTEGER DEFAULT 30)
RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
    deleted INTEGER;
BEGIN
    DELETE FROM workflow_executions
    WHERE created_at < CURRENT_TIMESTAMP - make_interval(days => days_to_keep);
    GET DIAGNOSTICS deleted = ROW_COUNT;
    RETURN deleted;
END;
$$;
