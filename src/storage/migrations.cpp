#include "storage/migrations.hpp"

#include "storage/store.hpp"
#include "util/embedded_files.hpp"

#include <algorithm>
#include <cctype>

namespace clara::storage {
namespace {

constexpr std::string_view kMigrationsRoot = "src/storage/migrations/";

}  // namespace

std::optional<std::pair<int, std::string>> parse_migration_file_name(std::string_view file_name) {
    constexpr std::string_view kSuffix = ".sql";
    if (file_name.size() < 2 || file_name.front() != 'V' || !file_name.ends_with(kSuffix)) {
        return std::nullopt;
    }
    const std::string_view stem = file_name.substr(1, file_name.size() - 1 - kSuffix.size());
    const auto separator = stem.find("__");
    if (separator == std::string_view::npos || separator == 0 || separator > 9 ||
        separator + 2 == stem.size()) {
        return std::nullopt;
    }
    const std::string_view digits = stem.substr(0, separator);
    if (!std::all_of(digits.begin(), digits.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
        return std::nullopt;
    }
    const int version = std::stoi(std::string(digits));
    if (version <= 0) {
        return std::nullopt;
    }
    return std::pair{version, std::string(stem.substr(separator + 2))};
}

std::vector<Migration> embedded_migrations(std::string_view dialect) {
    const std::string folder = std::string(kMigrationsRoot) + std::string(dialect) + "/";
    std::vector<Migration> migrations;
    for (const auto& file : util::embedded_files()) {
        if (!file.path.starts_with(folder)) {
            continue;
        }
        const std::string_view file_name = file.path.substr(folder.size());
        if (file_name.find('/') != std::string_view::npos) {
            continue;
        }
        if (auto parsed = parse_migration_file_name(file_name)) {
            migrations.push_back(Migration{parsed->first, std::move(parsed->second), file.bytes});
        }
    }
    std::sort(migrations.begin(), migrations.end(),
              [](const Migration& a, const Migration& b) { return a.version < b.version; });
    for (std::size_t i = 1; i < migrations.size(); ++i) {
        if (migrations[i].version == migrations[i - 1].version) {
            throw StorageError("two " + std::string(dialect) + " migrations share version " +
                               std::to_string(migrations[i].version));
        }
    }
    return migrations;
}

}  // namespace clara::storage
