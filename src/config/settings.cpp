#include "config/settings.hpp"

#include "config/env_reader.hpp"

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

namespace clara::config {
namespace {

constexpr long long kMaxBytes = 1LL << 32;

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_dotenv(const std::string& text) {
    std::vector<std::pair<std::string, std::string>> entries;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        auto content = trim(line);
        if (content.empty() || content.front() == '#') {
            continue;
        }
        if (content.rfind("export ", 0) == 0) {
            content = trim(content.substr(7));
        }
        const auto equals = content.find('=');
        if (equals == std::string::npos) {
            continue;
        }
        auto key = trim(content.substr(0, equals));
        auto value = trim(content.substr(equals + 1));
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front()) {
            value = value.substr(1, value.size() - 2);
        } else if (const auto comment = value.find(" #"); comment != std::string::npos) {
            value = trim(value.substr(0, comment));  // inline comment, as in the guide's examples
        }
        entries.emplace_back(std::move(key), std::move(value));
    }
    return entries;
}

EnvLookup process_environment(const std::string& dotenv_path) {
    auto file_values = std::make_shared<std::map<std::string, std::string>>();
    if (std::ifstream file(dotenv_path); file) {
        std::stringstream buffer;
        buffer << file.rdbuf();
        for (auto& [key, value] : parse_dotenv(buffer.str())) {
            (*file_values)[key] = value;
        }
    }
    return [file_values](const std::string& name) -> std::optional<std::string> {
        if (const char* value = std::getenv(name.c_str())) {
            return std::string(value);
        }
        if (const auto it = file_values->find(name); it != file_values->end()) {
            return it->second;
        }
        return std::nullopt;
    };
}

Settings load_settings(const EnvLookup& env, std::vector<std::string>& problems) {
    Settings s;
    const EnvReader read(env, problems);
    read.string("HOST", s.host);
    read.integer("PORT", s.port, 0, 65535);
    read.string("BASE_URL", s.base_url);
    if (s.base_url.empty()) {
        s.base_url = "http://localhost:" + std::to_string(s.port);
    }
    while (!s.base_url.empty() && s.base_url.back() == '/') {
        s.base_url.pop_back();
    }
    read.string("NODE_ENV", s.node_env);
    read.integer("IO_THREADS", s.io_threads, 0, 256);
    read.milliseconds("SHUTDOWN_GRACE_MS", s.shutdown_grace, 0, 3600000);

    read.string("DATABASE_URL", s.database_url);
    read.integer("DB_POOL_MIN", s.db_pool_min, 0, 1000);
    read.integer("DB_POOL_MAX", s.db_pool_max, 1, 1000);
    if (s.db_pool_min > s.db_pool_max) {
        problems.push_back("DB_POOL_MIN must not exceed DB_POOL_MAX");
    }
    read.boolean("DB_SSL", s.db_ssl);
    read.boolean("DB_SSL_VERIFY", s.db_ssl_verify);
    if (const auto sync = read.text("SQLITE_SYNCHRONOUS")) {
        const auto value = trim(*sync);
        if (value == "full" || value == "normal") {
            s.sqlite_sync_every_commit = value == "full";
        } else {
            problems.push_back("SQLITE_SYNCHRONOUS must be normal or full (got '" + value + "')");
        }
    }
    read.boolean("CLEANUP_OLD_EXECUTIONS", s.cleanup_old_executions);
    read.integer("EXECUTION_RETENTION_DAYS", s.execution_retention_days, 1, 36500);
    read.milliseconds("CLEANUP_INTERVAL_MS", s.cleanup_interval, 1000, 86400000LL * 7);

    read.milliseconds("MAX_EXECUTION_TIME", s.max_execution_time, 1000, 86400000);
    read.integer("MAX_INPUT_SIZE", s.max_input_size, 1024, kMaxBytes);
    read.integer("MAX_WORKFLOW_SIZE", s.max_workflow_size, 1024, kMaxBytes);
    read.integer("MAX_OUTPUT_SIZE", s.max_output_size, 1024, kMaxBytes);
    read.integer("MAX_CONCURRENT_EXECUTIONS", s.max_concurrent_executions, 1, 1000000);
    read.integer("DEPLOYMENT_CACHE_SIZE", s.deployment_cache_size, 1, 10000000);
    read.boolean("STRICT_NODE_ERRORS", s.strict_node_errors);
    read.boolean("EXPOSE_EXECUTION_LOGS", s.expose_execution_logs);
    if (const auto inputs = read.text("STORE_EXECUTION_INPUTS")) {
        const auto value = trim(*inputs);
        if (value == "full") {
            s.store_execution_inputs = StoreInputs::kFull;
        } else if (value == "truncated") {
            s.store_execution_inputs = StoreInputs::kTruncated;
        } else if (value == "none") {
            s.store_execution_inputs = StoreInputs::kNone;
        } else {
            problems.push_back("STORE_EXECUTION_INPUTS must be full, truncated or none (got '" +
                               value + "')");
        }
    }

    read.integer("MAX_QUEUED_EXECUTIONS", s.max_queued_executions, 0, 10000000);
    read.boolean("RATE_LIMIT_ENABLED", s.rate_limit_enabled);
    read.integer("RATE_LIMIT_MAX_REQUESTS", s.rate_limit_max_requests, 1, 100000000);
    read.milliseconds("RATE_LIMIT_WINDOW_MS", s.rate_limit_window, 1000, 86400000LL * 31);
    read.integer("AUTH_FAIL_LIMIT", s.auth_fail_limit, 1, 100000000);

    read.string("ADMIN_API_KEY", s.admin_api_key);
    read.boolean("TRUST_PROXY", s.trust_proxy);
    if (const auto origins = read.text("CORS_ORIGINS")) {
        s.cors_origins.clear();
        std::string_view list = *origins;
        while (!list.empty()) {
            const auto comma = list.find(',');
            auto origin = trim(list.substr(0, comma));
            while (!origin.empty() && origin.back() == '/') {
                origin.pop_back();
            }
            if (!origin.empty()) {
                s.cors_origins.push_back(std::move(origin));
            }
            list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        }
    }

    read_service_settings(read, s.services);

    read.string("LOG_LEVEL", s.log_level);
    if (s.log_level != "trace" && s.log_level != "debug" && s.log_level != "info" &&
        s.log_level != "warn" && s.log_level != "error") {
        problems.push_back("LOG_LEVEL must be one of trace, debug, info, warn, error (got '" +
                           s.log_level + "')");
        s.log_level = "info";
    }
    read.string("LOG_FORMAT", s.log_format);
    if (s.log_format != "text" && s.log_format != "json") {
        problems.push_back("LOG_FORMAT must be text or json (got '" + s.log_format + "')");
        s.log_format = "text";
    }
    read.string("LOG_FILE", s.log_file);
    return s;
}

std::string describe_database(const Settings& settings) {
    const auto& url = settings.database_url;
    if (url.empty()) {
        return "sqlite:./data/clara.db";
    }
    if (url.rfind("sqlite", 0) == 0) {
        return url;
    }
    // The text between '@' and the next '/' of a PostgreSQL URL: host and port, no password.
    const auto at = url.find('@');
    if (at == std::string::npos) {
        return "configured";
    }
    const auto slash = url.find('/', at);
    return url.substr(at + 1, slash == std::string::npos ? std::string::npos : slash - at - 1);
}

}  // namespace clara::config
