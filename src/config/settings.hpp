#pragma once

#include "config/service_settings.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace clara::config {

/// How much of each execution's inputs is stored (STORE_EXECUTION_INPUTS).
enum class StoreInputs { kFull, kTruncated, kNone };

/// Every setting of the runner, read once at start (deployment-api.md § 10). Only this module
/// reads the environment; other parts receive the values they need.
struct Settings {
    // Server
    std::string host = "0.0.0.0";
    std::uint16_t port = 3000;
    std::string base_url;  ///< default http://localhost:<port>
    std::string node_env = "development";
    unsigned io_threads = 0;  ///< 0: one per core
    std::chrono::milliseconds shutdown_grace{25000};

    // Database
    std::string database_url;  ///< empty: SQLite at ./data/clara.db
    int db_pool_min = 2;
    int db_pool_max = 10;
    bool db_ssl = false;
    bool db_ssl_verify = true;
    bool sqlite_sync_every_commit = false;  ///< SQLITE_SYNCHRONOUS=full
    bool cleanup_old_executions = false;      ///< prune executions periodically
    unsigned execution_retention_days = 30;   ///< older executions are pruned
    std::chrono::milliseconds cleanup_interval{3600000};

    // Execution
    std::chrono::milliseconds max_execution_time{300000};
    std::size_t max_input_size = 10 * 1024 * 1024;
    std::size_t max_workflow_size = 10 * 1024 * 1024;
    int deployment_cache_size = 500;  ///< compiled deployments kept in memory (LRU)
    std::size_t max_output_size = 10 * 1024 * 1024;
    unsigned max_concurrent_executions = 10;
    bool strict_node_errors = false;
    bool expose_execution_logs = false;
    StoreInputs store_execution_inputs = StoreInputs::kTruncated;

    unsigned max_queued_executions = 1000;  ///< waiting beyond the concurrency limit; then 503

    // Rate limiting: per API key and workflow, fixed window.
    bool rate_limit_enabled = true;
    unsigned rate_limit_max_requests = 100;
    std::chrono::milliseconds rate_limit_window{3600000};
    unsigned auth_fail_limit = 20;  ///< failed authentications per client IP per 15 minutes

    // Access control
    std::string admin_api_key;  ///< empty: management routes only from loopback clients
    bool trust_proxy = false;   ///< take the client IP from the last X-Forwarded-For entry
    std::vector<std::string> cors_origins{"*"};

    ServiceSettings services;  ///< providers, services and the outbound policy

    std::string log_level = "info";
    std::string log_format = "text";  ///< text | json
    std::string log_file;             ///< also write logs here when set
};

/// Reads a variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// The process environment, then the `.env` file at `dotenv_path` for variables the environment
/// does not set (dotenv semantics: the real environment wins).
EnvLookup process_environment(const std::string& dotenv_path = ".env");

/// Parses `KEY=VALUE` lines (comments, blank lines, `export ` prefixes and quotes allowed).
std::vector<std::pair<std::string, std::string>> parse_dotenv(const std::string& text);

/// Builds the settings from `env`. Every invalid value is reported in `problems` (the
/// corresponding default is kept), so startup can list them all at once.
Settings load_settings(const EnvLookup& env, std::vector<std::string>& problems);

/// `config.server`-style summary of the database location without credentials.
std::string describe_database(const Settings& settings);

}  // namespace clara::config
