#include "storage/store.hpp"

#include "storage/postgres/postgres_store.hpp"
#include "unit/storage/store_backends.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

namespace clara::storage {
namespace {

using test_support::TempDir;

// Runs the test body inside another working directory, restoring the previous one afterwards.
class WorkingDirectory {
public:
    explicit WorkingDirectory(const std::filesystem::path& path)
        : previous_(std::filesystem::current_path()) {
        std::filesystem::current_path(path);
    }
    ~WorkingDirectory() { std::filesystem::current_path(previous_); }
    WorkingDirectory(const WorkingDirectory&) = delete;
    WorkingDirectory& operator=(const WorkingDirectory&) = delete;

private:
    std::filesystem::path previous_;
};

TEST(OpenStore, EmptyUrlOpensSqliteUnderData) {
    TempDir dir;
    WorkingDirectory cwd(dir.path());
    auto store = open_store("");
    EXPECT_GE(store->migrate(), 1);
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "data" / "clara.db"));
}

TEST(OpenStore, SqliteColonPathOpensThatFile) {
    TempDir dir;
    const auto path = dir.path() / "nested" / "runner.db";
    auto store = open_store("sqlite:" + path.string());
    EXPECT_GE(store->migrate(), 1);
    EXPECT_TRUE(store->ping());
    EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(OpenStore, SqliteDoubleSlashKeepsAnAbsolutePath) {
    TempDir dir;
    const auto path = dir.path() / "abs.db";
    ASSERT_TRUE(path.is_absolute());
    auto store = open_store("sqlite://" + path.string());
    EXPECT_GE(store->migrate(), 1);
    EXPECT_TRUE(std::filesystem::exists(path));
}

TEST(OpenStore, SqliteMemoryCreatesNoFile) {
    TempDir dir;
    WorkingDirectory cwd(dir.path());
    auto store = open_store("sqlite::memory:");
    EXPECT_GE(store->migrate(), 1);
    EXPECT_FALSE(store->slug_exists("anything"));
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(OpenStore, PostgresUrlsOpenAPostgresStoreWithoutConnectingFirst) {
    // Port 1 on loopback: nothing listens, so connecting fails at once; opening must not.
    for (const std::string scheme : {"postgresql", "postgres"}) {
        SCOPED_TRACE(scheme);
        auto store = open_store(scheme + "://clara@127.0.0.1:1/clara");
        auto* postgres = dynamic_cast<PostgresStore*>(store.get());
        ASSERT_NE(postgres, nullptr);
        EXPECT_EQ(postgres->options().pool_min, 2);
        EXPECT_EQ(postgres->options().pool_max, 10);
        EXPECT_FALSE(store->ping());
    }
}

TEST(OpenStore, PostgresTakesPoolAndTlsSettingsFromOptionsAndUrl) {
    auto store = open_store("postgresql://clara@127.0.0.1:1/clara?pool_min=1",
                            StoreOptions{.pool_min = 3, .pool_max = 4, .ssl = true});
    auto* postgres = dynamic_cast<PostgresStore*>(store.get());
    ASSERT_NE(postgres, nullptr);
    EXPECT_EQ(postgres->options().url, "postgresql://clara@127.0.0.1:1/clara");
    EXPECT_EQ(postgres->options().pool_min, 1);  // the URL wins
    EXPECT_EQ(postgres->options().pool_max, 4);
    EXPECT_TRUE(postgres->options().ssl);
    EXPECT_TRUE(postgres->options().ssl_verify);
}

TEST(OpenStore, UnknownSchemeNamesTheAcceptedFormsWithoutEchoingSecrets) {
    try {
        open_store("mysql://user:hunter2@db.example/clara");
        FAIL() << "expected std::invalid_argument";
    } catch (const std::invalid_argument& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("sqlite:PATH"), std::string::npos) << message;
        EXPECT_NE(message.find("postgresql://"), std::string::npos) << message;
        EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    }
}

TEST(OpenStore, SqliteWithoutPathIsRejected) {
    EXPECT_THROW(open_store("sqlite:"), std::invalid_argument);
    EXPECT_THROW(open_store("sqlite://"), std::invalid_argument);
}

}  // namespace
}  // namespace clara::storage
