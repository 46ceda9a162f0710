#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"

#include <array>
#include <stdexcept>
#include <string_view>

namespace clara::storage {
namespace {

constexpr std::string_view kDefaultSqlitePath = "./data/clara.db";

// "sqlite://" before "sqlite:", so that "sqlite:///abs/path" keeps its leading slash.
constexpr std::array<std::string_view, 2> kSqlitePrefixes = {"sqlite://", "sqlite:"};

// The scheme part of a URL, for messages: the rest may hold a password.
std::string scheme_of(std::string_view url) {
    const auto colon = url.find(':');
    return std::string(colon == std::string_view::npos ? url.substr(0, 16) : url.substr(0, colon));
}

}  // namespace

std::unique_ptr<Store> open_store(const std::string& database_url) {
    return open_store(database_url, StoreOptions{});
}

std::unique_ptr<Store> open_store(const std::string& database_url, const StoreOptions& options) {
    const std::string_view url = database_url;
    const auto sqlite_at = [&](std::string path) {
        return std::make_unique<SqliteStore>(SqliteOptions{
            .path = std::move(path), .sync_every_commit = options.sqlite_sync_every_commit});
    };
    if (url.empty()) {
        return sqlite_at(std::string(kDefaultSqlitePath));
    }
    for (const auto prefix : kSqlitePrefixes) {
        if (url.starts_with(prefix)) {
            const std::string path(url.substr(prefix.size()));
            if (path.empty()) {
                throw std::invalid_argument("DATABASE_URL names no SQLite file after '" +
                                            std::string(prefix) + "'");
            }
            return sqlite_at(path);
        }
    }
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        return std::make_unique<PostgresStore>(PostgresOptions{
            .url = database_url,
            .pool_min = options.pool_min,
            .pool_max = options.pool_max,
            .ssl = options.ssl,
            .ssl_verify = options.ssl_verify,
        });
    }
    throw std::invalid_argument(
        "unsupported DATABASE_URL scheme '" + scheme_of(url) +
        "': use empty (SQLite at ./data/clara.db), sqlite:PATH, sqlite://PATH, sqlite::memory:, "
        "postgresql://... or postgres://...");
}

}  // namespace clara::storage
