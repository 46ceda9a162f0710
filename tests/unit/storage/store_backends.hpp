#pragma once

// Backends the storage conformance suite runs against. A backend type provides:
//   static constexpr const char* kName;                // shown in test names
//   static std::optional<std::string> skip_reason();  // why it cannot run here, if it cannot
//   std::unique_ptr<Store> open();                     // a store on this instance's database
// Each instance owns one fresh, empty database; open() may be called again (after the previous
// store is destroyed) to reopen the same database. The PostgreSQL backend reads its server from
// CLARA_TEST_POSTGRES_URL (skipping when unset) and works in a fresh schema, created in its
// constructor and dropped in its destructor.

#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"
#include "unit/storage/postgres_test_support.hpp"
#include "util/crypto.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace clara::storage::test_support {

/// A fresh folder under the system temp folder, removed with everything in it at destruction.
class TempDir {
public:
    TempDir()
        : path_(std::filesystem::temp_directory_path() / ("clara-storage-" + util::random_hex(8))) {
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// SQLite on a file in a temporary folder.
class SqliteFileBackend {
public:
    static constexpr const char* kName = "Sqlite";

    static std::optional<std::string> skip_reason() { return std::nullopt; }

    std::unique_ptr<Store> open() { return std::make_unique<SqliteStore>(path_.string()); }

private:
    TempDir dir_;
    std::filesystem::path path_ = dir_.path() / "clara.db";
};

/// PostgreSQL on the server of CLARA_TEST_POSTGRES_URL, in a schema of its own.
class PostgresSchemaBackend {
public:
    static constexpr const char* kName = "Postgres";

    static std::optional<std::string> skip_reason() { return postgres_skip_reason(); }

    PostgresSchemaBackend() {
        if (const auto url = postgres_test_url()) {
            schema_.emplace(*url);
        }
    }

    std::unique_ptr<Store> open() { return std::make_unique<PostgresStore>(schema_->options()); }

private:
    std::optional<PgTestSchema> schema_;
};

using StoreBackends = ::testing::Types<SqliteFileBackend, PostgresSchemaBackend>;

/// Names each typed test after its backend ("StoreConformance/Sqlite.…").
struct BackendName {
    template <typename Backend>
    static std::string GetName(int) {
        return Backend::kName;
    }
};

}  // namespace clara::storage::test_support
