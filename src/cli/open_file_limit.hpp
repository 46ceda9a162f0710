#pragma once

namespace clara::cli {

/// Raises the process's soft limit on open files to its hard limit: every connection, inbound
/// or to a model or service, holds one, and distributions start processes at a soft limit of
/// 1024. Logs a warning when even the hard limit leaves fewer than two per allowed execution
/// (its caller's connection and one outbound call) plus a reserve. Returns the limit in force.
long raise_open_file_limit(long max_concurrent_executions);

}  // namespace clara::cli
