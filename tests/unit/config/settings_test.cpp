#include "config/settings.hpp"

#include <gtest/gtest.h>

#include <map>

namespace clara::config {
namespace {

EnvLookup env_of(std::map<std::string, std::string> values) {
    return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
        const auto it = values.find(name);
        return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

TEST(Settings, DefaultsFollowTheGuide) {
    std::vector<std::string> problems;
    const auto s = load_settings(env_of({}), problems);
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(s.port, 3000);
    EXPECT_EQ(s.host, "0.0.0.0");
    EXPECT_EQ(s.base_url, "http://localhost:3000");
    EXPECT_EQ(s.max_execution_time.count(), 300000);
    EXPECT_EQ(s.max_input_size, 10485760u);
    EXPECT_EQ(s.database_url, "");
    EXPECT_EQ(describe_database(s), "sqlite:./data/clara.db");
}

TEST(Settings, ReadsValuesAndDerivesBaseUrlFromPort) {
    std::vector<std::string> problems;
    const auto s = load_settings(env_of({{"PORT", "8080"},
                                         {"MAX_INPUT_SIZE", "2048"},
                                         {"STRICT_NODE_ERRORS", "true"},
                                         {"STORE_EXECUTION_INPUTS", "none"},
                                         {"DATABASE_URL", "sqlite:/tmp/x.db"}}),
                                 problems);
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(s.port, 8080);
    EXPECT_EQ(s.base_url, "http://localhost:8080");
    EXPECT_EQ(s.max_input_size, 2048u);
    EXPECT_TRUE(s.strict_node_errors);
    EXPECT_EQ(s.store_execution_inputs, StoreInputs::kNone);
    EXPECT_EQ(s.database_url, "sqlite:/tmp/x.db");
}

TEST(Settings, ReportsEveryInvalidValueAtOnce) {
    std::vector<std::string> problems;
    const auto s = load_settings(env_of({{"PORT", "70000"},
                                         {"MAX_EXECUTION_TIME", "500"},
                                         {"STRICT_NODE_ERRORS", "maybe"},
                                         {"LOG_LEVEL", "loud"},
                                         {"MAX_INPUT_SIZE", "12abc"}}),
                                 problems);
    ASSERT_EQ(problems.size(), 5u);
    EXPECT_NE(problems[0].find("PORT"), std::string::npos);
    EXPECT_EQ(s.port, 3000);  // the default is kept
}

TEST(Settings, SqliteSynchronousIsNormalUnlessFullIsAsked) {
    std::vector<std::string> problems;
    EXPECT_FALSE(load_settings(env_of({}), problems).sqlite_sync_every_commit);
    EXPECT_TRUE(load_settings(env_of({{"SQLITE_SYNCHRONOUS", "full"}}), problems)
                    .sqlite_sync_every_commit);
    EXPECT_FALSE(load_settings(env_of({{"SQLITE_SYNCHRONOUS", "normal"}}), problems)
                     .sqlite_sync_every_commit);
    EXPECT_TRUE(problems.empty());
    load_settings(env_of({{"SQLITE_SYNCHRONOUS", "off"}}), problems);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("SQLITE_SYNCHRONOUS must be normal or full"), std::string::npos);
}

TEST(Settings, EmptyVariablesMeanDefaultsAndBaseUrlLosesTrailingSlash) {
    std::vector<std::string> problems;
    const auto s = load_settings(env_of({{"PORT", ""}, {"BASE_URL", "https://api.example.com/"}}), problems);
    EXPECT_TRUE(problems.empty());
    EXPECT_EQ(s.port, 3000);
    EXPECT_EQ(s.base_url, "https://api.example.com");
}

TEST(Settings, DescribesPostgresWithoutCredentials) {
    Settings s;
    s.database_url = "postgresql://clara:secret@db.internal:5432/clara_workflows";
    EXPECT_EQ(describe_database(s), "db.internal:5432");
}

TEST(DotEnv, ParsesCommentsQuotesExportsAndInlineComments) {
    const auto entries = parse_dotenv(
        "# comment\n\nPORT=4000\nexport HOST=127.0.0.1\nBASE_URL=\"http://x:1\"\n"
        "MAX_EXECUTION_TIME=300000       # 5 minutes\nBROKEN LINE\nNAME='a # b'\n");
    ASSERT_EQ(entries.size(), 5u);
    EXPECT_EQ(entries[0], (std::pair<std::string, std::string>{"PORT", "4000"}));
    EXPECT_EQ(entries[1].second, "127.0.0.1");
    EXPECT_EQ(entries[2].second, "http://x:1");
    EXPECT_EQ(entries[3].second, "300000");
    EXPECT_EQ(entries[4].second, "a # b");
}

}  // namespace
}  // namespace clara::config
