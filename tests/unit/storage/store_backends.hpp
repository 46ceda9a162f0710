#pragma once

// Backends the storage conformance suite runs against. A backend type provides:
//   static constexpr const char* kName;                // shown in test names
//   static std::optional<std::string> skip_reason();  // why it cannot run here, if it cannot
//   std::unique_ptr<Store> open();                     // a store on this instance's database
// Each instance owns one fresh, empty database; open() may be called again (after the previous
// store is destroyed) to reopen the same database. A PostgreSQL backend would read its DSN from
// CLARA_TEST_POSTGRES_URL (skipping when unset), create a fresh schema in its constructor and
// drop it in its destructor, and be appended to StoreBackends.

#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"
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

using StoreBackends = ::testing::Types<SqliteFileBackend>;

/// Names each typed test after its backend ("StoreConformance/Sqlite.…").
struct BackendName {
    template <typename Backend>
    static std::string GetName(int) {
        return Backend::kName;
    }
};

}  // namespace clara::storage::test_support
