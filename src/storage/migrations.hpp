#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clara::storage {

/// One numbered schema migration compiled into the binary.
struct Migration {
    int version = 0;
    std::string name;      ///< "init" for V001__init.sql
    std::string_view sql;  ///< the file's text
};

/// Version and name of a migration file named `V<digits>__<name>.sql`; empty for other names.
std::optional<std::pair<int, std::string>> parse_migration_file_name(std::string_view file_name);

/// The embedded migrations of `dialect` (files `src/storage/migrations/<dialect>/V*.sql`, listed
/// in cmake/embed_files.cmake) in version order. Throws StorageError on a repeated version.
std::vector<Migration> embedded_migrations(std::string_view dialect);

}  // namespace clara::storage
