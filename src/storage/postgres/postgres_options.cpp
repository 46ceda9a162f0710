#include "storage/postgres/postgres_options.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <string_view>

namespace clara::storage::postgres {
namespace {

constexpr std::string_view kPoolMinKey = "pool_min";
constexpr std::string_view kPoolMaxKey = "pool_max";
constexpr int kMaxPoolSize = 1000;

int parse_pool_size(std::string_view key, std::string_view text) {
    int value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || value < 0 || value > kMaxPoolSize) {
        throw std::invalid_argument("database URL parameter " + std::string(key) +
                                    " must be a number from 0 to " + std::to_string(kMaxPoolSize));
    }
    return value;
}

// Seconds for libpq's connect_timeout, rounded up (libpq counts whole seconds).
std::string whole_seconds(std::chrono::milliseconds duration) {
    const auto seconds = (std::max<std::int64_t>(duration.count(), 1) + 999) / 1000;
    return std::to_string(seconds);
}

}  // namespace

PostgresOptions resolve_pool_parameters(PostgresOptions options) {
    const auto question = options.url.find('?');
    if (question != std::string::npos) {
        const std::string_view query = std::string_view(options.url).substr(question + 1);
        std::string kept;
        std::size_t start = 0;
        while (start <= query.size()) {
            const auto amp = std::min(query.find('&', start), query.size());
            const std::string_view pair = query.substr(start, amp - start);
            const auto equals = pair.find('=');
            const std::string_view key = pair.substr(0, equals);
            const std::string_view value =
                equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
            if (key == kPoolMinKey) {
                options.pool_min = parse_pool_size(key, value);
            } else if (key == kPoolMaxKey) {
                options.pool_max = parse_pool_size(key, value);
            } else if (!pair.empty()) {
                if (!kept.empty()) {
                    kept += '&';
                }
                kept += pair;
            }
            start = amp + 1;
        }
        options.url.resize(question);
        if (!kept.empty()) {
            options.url += '?';
            options.url += kept;
        }
    }
    options.pool_max = std::clamp(options.pool_max, 1, kMaxPoolSize);
    options.pool_min = std::clamp(options.pool_min, 0, options.pool_max);
    return options;
}

ConnectParams connect_params(const PostgresOptions& options) {
    ConnectParams params;
    params.connect_timeout = options.connect_timeout;
    params.statement_timeout = options.statement_timeout;
    auto add = [&](std::string keyword, std::string value) {
        params.keywords.push_back(std::move(keyword));
        params.values.push_back(std::move(value));
    };
    // Before the URL: defaults that the URL may override.
    add("application_name", "clara-runner");
    add("connect_timeout", whole_seconds(options.connect_timeout));
    // Detect a server that vanished without closing the connection (e.g. a dropped network).
    add("keepalives", "1");
    add("keepalives_idle", "30");
    add("keepalives_interval", "10");
    add("keepalives_count", "3");
    add("dbname", options.url);
    // After the URL: settings the store relies on, which the URL cannot change.
    add("client_encoding", "UTF8");
    if (options.ssl) {
        add("sslmode", options.ssl_verify ? "verify-full" : "require");
    }
    return params;
}

}  // namespace clara::storage::postgres
