#include "storage/postgres/postgres_options.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

namespace clara::storage::postgres {
namespace {

// The value libpq ends up with for each keyword: later entries win, as in libpq.
std::map<std::string, std::string> effective(const ConnectParams& params) {
    std::map<std::string, std::string> values;
    for (std::size_t i = 0; i < params.keywords.size(); ++i) {
        values[params.keywords[i]] = params.values[i];
    }
    return values;
}

std::size_t position_of(const ConnectParams& params, const std::string& keyword) {
    for (std::size_t i = 0; i < params.keywords.size(); ++i) {
        if (params.keywords[i] == keyword) {
            return i;
        }
    }
    return params.keywords.size();
}

TEST(PostgresOptions, PoolParametersComeOutOfTheUrlIntoTheOptions) {
    const auto options = resolve_pool_parameters(PostgresOptions{
        .url = "postgresql://u:p@db:5432/clara?pool_min=3&sslmode=require&pool_max=7&x=1"});
    EXPECT_EQ(options.url, "postgresql://u:p@db:5432/clara?sslmode=require&x=1");
    EXPECT_EQ(options.pool_min, 3);
    EXPECT_EQ(options.pool_max, 7);
}

TEST(PostgresOptions, UrlWithOnlyPoolParametersLosesItsQuery) {
    const auto options = resolve_pool_parameters(
        PostgresOptions{.url = "postgres://db/clara?pool_max=4", .pool_min = 1});
    EXPECT_EQ(options.url, "postgres://db/clara");
    EXPECT_EQ(options.pool_min, 1);
    EXPECT_EQ(options.pool_max, 4);
}

TEST(PostgresOptions, UrlWithoutPoolParametersKeepsTheOptions) {
    const auto options = resolve_pool_parameters(
        PostgresOptions{.url = "postgresql://db/clara?application_name=a", .pool_max = 12});
    EXPECT_EQ(options.url, "postgresql://db/clara?application_name=a");
    EXPECT_EQ(options.pool_min, 2);
    EXPECT_EQ(options.pool_max, 12);
}

TEST(PostgresOptions, PoolSizesAreMadeConsistent) {
    auto options = resolve_pool_parameters(
        PostgresOptions{.url = "postgresql://db/c", .pool_min = 8, .pool_max = 4});
    EXPECT_EQ(options.pool_min, 4);
    EXPECT_EQ(options.pool_max, 4);
    options = resolve_pool_parameters(
        PostgresOptions{.url = "postgresql://db/c", .pool_min = -1, .pool_max = 0});
    EXPECT_EQ(options.pool_min, 0);
    EXPECT_EQ(options.pool_max, 1);
}

TEST(PostgresOptions, NonNumericPoolParameterIsRejected) {
    EXPECT_THROW(resolve_pool_parameters(PostgresOptions{.url = "postgresql://db/c?pool_max=ten"}),
                 std::invalid_argument);
    EXPECT_THROW(resolve_pool_parameters(PostgresOptions{.url = "postgresql://db/c?pool_min="}),
                 std::invalid_argument);
    EXPECT_THROW(resolve_pool_parameters(PostgresOptions{.url = "postgresql://db/c?pool_min=-2"}),
                 std::invalid_argument);
}

TEST(PostgresOptions, ConnectParamsPassTheUrlWithDefaultsItMayOverride) {
    const auto params = connect_params(PostgresOptions{
        .url = "postgresql://db/c", .connect_timeout = std::chrono::milliseconds(2500)});
    const auto values = effective(params);
    EXPECT_EQ(values.at("dbname"), "postgresql://db/c");
    EXPECT_EQ(values.at("connect_timeout"), "3");  // whole seconds, rounded up
    EXPECT_EQ(values.at("client_encoding"), "UTF8");
    EXPECT_EQ(values.at("keepalives"), "1");
    EXPECT_FALSE(values.contains("sslmode"));
    // Defaults go before the URL (it may override them), fixed settings after it.
    EXPECT_LT(position_of(params, "application_name"), position_of(params, "dbname"));
    EXPECT_LT(position_of(params, "connect_timeout"), position_of(params, "dbname"));
    EXPECT_GT(position_of(params, "client_encoding"), position_of(params, "dbname"));
    EXPECT_EQ(params.connect_timeout, std::chrono::milliseconds(2500));
}

TEST(PostgresOptions, SslVerifiesCertificateAndHostByDefault) {
    const auto params =
        connect_params(PostgresOptions{.url = "postgresql://db/c?sslmode=disable", .ssl = true});
    EXPECT_EQ(effective(params).at("sslmode"), "verify-full");
    EXPECT_GT(position_of(params, "sslmode"), position_of(params, "dbname"));
}

TEST(PostgresOptions, SslWithoutVerificationOnlyRequiresTls) {
    const auto params = connect_params(
        PostgresOptions{.url = "postgresql://db/c", .ssl = true, .ssl_verify = false});
    EXPECT_EQ(effective(params).at("sslmode"), "require");
}

}  // namespace
}  // namespace clara::storage::postgres
