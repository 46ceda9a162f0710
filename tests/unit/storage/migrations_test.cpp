#include "storage/migrations.hpp"

#include <gtest/gtest.h>

namespace clara::storage {
namespace {

TEST(MigrationFileName, ParsesVersionAndName) {
    EXPECT_EQ(parse_migration_file_name("V001__init.sql"),
              (std::pair<int, std::string>{1, "init"}));
    EXPECT_EQ(parse_migration_file_name("V12__add_index.sql"),
              (std::pair<int, std::string>{12, "add_index"}));
}

TEST(MigrationFileName, RejectsNamesOutsideThePattern) {
    for (const char* name : {"001__init.sql", "V001_init.sql", "V__init.sql", "V001__.sql",
                             "V001__init.txt", "Vabc__init.sql", "V000__zero.sql",
                             "V1234567890__too_long.sql", "v001__init.sql", ""}) {
        EXPECT_FALSE(parse_migration_file_name(name).has_value()) << name;
    }
}

TEST(EmbeddedMigrations, SqliteStartsWithInitAndIsInVersionOrder) {
    const auto migrations = embedded_migrations("sqlite");
    ASSERT_FALSE(migrations.empty());
    EXPECT_EQ(migrations.front().version, 1);
    EXPECT_EQ(migrations.front().name, "init");
    EXPECT_NE(migrations.front().sql.find("CREATE TABLE IF NOT EXISTS deployed_workflows"),
              std::string_view::npos);
    for (std::size_t i = 1; i < migrations.size(); ++i) {
        EXPECT_LT(migrations[i - 1].version, migrations[i].version);
    }
}

TEST(EmbeddedMigrations, UnknownDialectHasNone) {
    EXPECT_TRUE(embedded_migrations("oracle").empty());
}

}  // namespace
}  // namespace clara::storage
