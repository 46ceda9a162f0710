-- Schema v1 for SQLite: the tables of deployment-api.md § 11 with the runner's changes.
-- * Timestamps are ISO-8601 UTC text with milliseconds (2025-01-07T12:00:00.000Z), so they sort
--   as text; the store writes them, the defaults only cover hand-written rows.
-- * JSON columns are TEXT.
-- * Execution counters are not stored: the deployment_stats view derives them from
--   workflow_executions, so recording an execution never rewrites its deployment row.
-- * Every statement is idempotent (IF NOT EXISTS).

CREATE TABLE IF NOT EXISTS deployed_workflows (
    id                   TEXT PRIMARY KEY NOT NULL,
    name                 TEXT NOT NULL,
    slug                 TEXT NOT NULL UNIQUE
                         CONSTRAINT slug_format CHECK (slug <> '' AND slug NOT GLOB '*[^a-z0-9-]*'),
    description          TEXT,
    workflow_json        TEXT NOT NULL CHECK (json_valid(workflow_json)),
    schema_json          TEXT NOT NULL CHECK (json_valid(schema_json)),
    field_map            TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(field_map)),
    user_id              TEXT,
    api_key_hash         TEXT NOT NULL UNIQUE,
    is_active            INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    api_key_last_used_at TEXT,
    created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- slug and api_key_hash are served by their UNIQUE indexes (a second index would only cost
-- writes). The listing orders by (created_at DESC, id DESC), optionally for one user.
CREATE INDEX IF NOT EXISTS idx_deployed_workflows_created_at
    ON deployed_workflows (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS idx_deployed_workflows_user_id
    ON deployed_workflows (user_id, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS workflow_executions (
    id            TEXT PRIMARY KEY NOT NULL,
    workflow_id   TEXT NOT NULL REFERENCES deployed_workflows (id) ON DELETE CASCADE,
    inputs        TEXT NOT NULL,
    outputs       TEXT,
    status        TEXT NOT NULL
                  CONSTRAINT status_check
                  CHECK (status IN ('success', 'error', 'timeout', 'running')),
    error_message TEXT,
    error_node_id TEXT,
    duration_ms   INTEGER,
    started_at    TEXT,
    finished_at   TEXT,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- Newest-first listing of one workflow (also the foreign key's index for ON DELETE CASCADE,
-- and MAX(created_at) for "last executed" in one lookup).
CREATE INDEX IF NOT EXISTS idx_workflow_executions_workflow_created
    ON workflow_executions (workflow_id, created_at DESC, id DESC);
-- Listing filtered by status; with duration_ms it also covers the success count and average.
CREATE INDEX IF NOT EXISTS idx_workflow_executions_workflow_status
    ON workflow_executions (workflow_id, status, created_at DESC, id DESC, duration_ms);
-- Retention job (delete rows older than a cutoff).
CREATE INDEX IF NOT EXISTS idx_workflow_executions_created_at
    ON workflow_executions (created_at);
-- Start-up reaper of rows left running; partial, so it stays tiny.
CREATE INDEX IF NOT EXISTS idx_workflow_executions_running
    ON workflow_executions (status) WHERE status = 'running';

-- Rate-limit counts per key, endpoint (workflow id) and fixed window. A runner on SQLite counts
-- in memory; the table keeps the schema the same as on PostgreSQL.
CREATE TABLE IF NOT EXISTS api_rate_limits (
    id            TEXT PRIMARY KEY NOT NULL,
    api_key_hash  TEXT NOT NULL,
    endpoint      TEXT NOT NULL,
    request_count INTEGER NOT NULL DEFAULT 0,
    window_start  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (api_key_hash, endpoint, window_start)
) STRICT;

-- (api_key_hash, endpoint) lookups use the UNIQUE index, whose prefix they are.
CREATE INDEX IF NOT EXISTS idx_api_rate_limits_window_start
    ON api_rate_limits (window_start);

-- Per-deployment statistics with the original view's columns. Correlated subqueries instead of
-- LEFT JOIN ... GROUP BY: a query filtered by id (or paged) evaluates them only for the rows it
-- returns, each through an index above. execution_count equals total_executions (the original
-- kept a separate counter column).
CREATE VIEW IF NOT EXISTS deployment_stats AS
SELECT
    d.id,
    d.name,
    d.slug,
    (SELECT COUNT(*) FROM workflow_executions AS e
      WHERE e.workflow_id = d.id) AS execution_count,
    (SELECT MAX(e.created_at) FROM workflow_executions AS e
      WHERE e.workflow_id = d.id) AS last_executed_at,
    d.created_at,
    (SELECT COUNT(*) FROM workflow_executions AS e
      WHERE e.workflow_id = d.id) AS total_executions,
    (SELECT COUNT(*) FROM workflow_executions AS e
      WHERE e.workflow_id = d.id AND e.status = 'success') AS successful_executions,
    (SELECT COUNT(*) FROM workflow_executions AS e
      WHERE e.workflow_id = d.id AND e.status = 'error') AS failed_executions,
    (SELECT AVG(e.duration_ms) FROM workflow_executions AS e
      WHERE e.workflow_id = d.id AND e.status = 'success') AS avg_duration_ms
FROM deployed_workflows AS d;
