#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace clara::storage {

/// Settings of a PostgresStore.
struct PostgresOptions {
    /// libpq URI (postgresql://user:password@host:port/db?...). The query may also carry
    /// `pool_min` and `pool_max`, which the store takes out before libpq sees the URL; when
    /// present they replace the fields below.
    std::string url;
    int pool_min = 2;   ///< DB_POOL_MIN: connections kept open while idle
    int pool_max = 10;  ///< DB_POOL_MAX: most connections open at once
    /// DB_SSL: require TLS (sslmode=require, or verify-full when `ssl_verify`). When false the
    /// URL's sslmode applies (libpq's default is prefer).
    bool ssl = false;
    bool ssl_verify = true;  ///< DB_SSL_VERIFY: with `ssl`, check the certificate and host name
    /// Longest wait to open one connection (libpq honours at least 2 s).
    std::chrono::milliseconds connect_timeout{5000};
    /// Server-side limit of one statement (0: none). Calls give up on the client side a little
    /// after it, so a hung server cannot block a caller forever.
    std::chrono::milliseconds statement_timeout{30000};
    /// Longest wait for a free connection when all `pool_max` are in use.
    std::chrono::milliseconds acquire_timeout{5000};
    /// Idle connections above `pool_min` are closed after this long unused.
    std::chrono::milliseconds idle_timeout{30000};
    /// Clock for updated_at, finished_at and applied_at (util::now_ms when empty); thread-safe.
    std::function<std::int64_t()> now_ms = {};
};

namespace postgres {

/// libpq connection keywords and values (PQconnectStartParams with expand_dbname).
struct ConnectParams {
    std::vector<std::string> keywords;
    std::vector<std::string> values;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds statement_timeout{0};  ///< set on each session; 0: none
};

/// `options` with the pool sizes of its URL's query applied and taken out of the URL (libpq
/// rejects unknown parameters), and the sizes made consistent (1 <= pool_max, 0 <= pool_min <=
/// pool_max). Throws std::invalid_argument when a pool parameter is not a number.
PostgresOptions resolve_pool_parameters(PostgresOptions options);

/// The libpq parameters for `options` (whose URL holds no pool parameters any more): the URL,
/// application name, UTF-8 client encoding, TCP keepalives and the TLS mode of `options.ssl`.
ConnectParams connect_params(const PostgresOptions& options);

}  // namespace postgres
}  // namespace clara::storage
