#pragma once

// PostgreSQL helpers for the storage tests. The server comes from CLARA_TEST_POSTGRES_URL (see
// scripts/pg-test-cluster.sh); tests that need one skip when it is unset. Each test works in a
// schema (or database) of its own, so tests may run in parallel against one server.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "storage/postgres/postgres_store.hpp"
#include "util/crypto.hpp"

namespace clara::storage::test_support {

inline constexpr const char* kPostgresUrlVariable = "CLARA_TEST_POSTGRES_URL";

/// The test server's URL, when one is configured.
inline std::optional<std::string> postgres_test_url() {
    const char* url = std::getenv(kPostgresUrlVariable);
    if (url == nullptr || *url == '\0') {
        return std::nullopt;
    }
    return std::string(url);
}

/// Why PostgreSQL tests cannot run here, if they cannot.
inline std::optional<std::string> postgres_skip_reason() {
    if (postgres_test_url()) {
        return std::nullopt;
    }
    return std::string(kPostgresUrlVariable) +
           " is not set (start a server with scripts/pg-test-cluster.sh)";
}

/// `url` with `parameter` (key=value, already percent-encoded) added to its query.
inline std::string with_query_parameter(const std::string& url, const std::string& parameter) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + parameter;
}

/// `url` naming the database `database` instead of its own.
inline std::string with_database(const std::string& url, const std::string& database) {
    const auto authority = url.find("://");
    const auto path = url.find('/', authority == std::string::npos ? 0 : authority + 3);
    const auto query = url.find('?');
    std::string result = url.substr(0, path == std::string::npos ? query : path) + "/" + database;
    if (query != std::string::npos) {
        result += url.substr(query);
    }
    return result;
}

using PgRows = std::vector<std::vector<std::optional<std::string>>>;

/// A plain blocking libpq session for setting up and inspecting test databases, as an
/// operator's psql would.
class PgSession {
public:
    explicit PgSession(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
        if (PQstatus(conn_) != CONNECTION_OK) {
            const std::string message = PQerrorMessage(conn_);
            PQfinish(conn_);
            throw std::runtime_error("test session cannot connect: " + message);
        }
        PQsetNoticeProcessor(
            conn_, [](void*, const char*) {}, nullptr);
    }
    ~PgSession() { PQfinish(conn_); }
    PgSession(const PgSession&) = delete;
    PgSession& operator=(const PgSession&) = delete;

    /// Runs `sql` with text parameters; throws std::runtime_error on an error.
    PgRows query(const std::string& sql, const std::vector<std::string>& params = {}) {
        std::vector<const char*> values;
        for (const auto& param : params) {
            values.push_back(param.c_str());
        }
        PGresult* result = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()),
                                        nullptr, values.data(), nullptr, nullptr, 0);
        const auto status = PQresultStatus(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            const std::string message = PQresultErrorMessage(result);
            PQclear(result);
            throw std::runtime_error("test query failed: " + message + " in: " + sql);
        }
        PgRows rows;
        for (int row = 0; row < PQntuples(result); ++row) {
            std::vector<std::optional<std::string>> values_of_row;
            for (int column = 0; column < PQnfields(result); ++column) {
                if (PQgetisnull(result, row, column) != 0) {
                    values_of_row.emplace_back(std::nullopt);
                } else {
                    values_of_row.emplace_back(PQgetvalue(result, row, column));
                }
            }
            rows.push_back(std::move(values_of_row));
        }
        PQclear(result);
        return rows;
    }

    /// The single value of a one-row, one-column query ("NULL" for NULL).
    std::string value(const std::string& sql, const std::vector<std::string>& params = {}) {
        const auto rows = query(sql, params);
        if (rows.size() != 1 || rows[0].size() != 1) {
            throw std::runtime_error("expected one value from: " + sql);
        }
        return rows[0][0].value_or("NULL");
    }

    /// Runs SQL text of several statements without parameters.
    void script(const std::string& sql) {
        PGresult* result = PQexec(conn_, sql.c_str());
        const auto status = PQresultStatus(result);
        const std::string message = PQresultErrorMessage(result);
        PQclear(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            throw std::runtime_error("test script failed: " + message);
        }
    }

private:
    PGconn* conn_;
};

/// A schema of its own on the test server, dropped with everything in it at destruction.
/// Stores opened on url() create their tables there (search_path).
class PgTestSchema {
public:
    explicit PgTestSchema(std::string base_url)
        : base_url_(std::move(base_url)), name_("clara_test_" + util::random_hex(6)) {
        PgSession(base_url_).script("CREATE SCHEMA " + name_);
    }
    ~PgTestSchema() {
        try {
            PgSession(base_url_).script("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
        } catch (const std::exception&) {
            // Best effort: a throwaway test server is removed as a whole anyway.
        }
    }
    PgTestSchema(const PgTestSchema&) = delete;
    PgTestSchema& operator=(const PgTestSchema&) = delete;

    const std::string& name() const { return name_; }
    const std::string& base_url() const { return base_url_; }

    /// The server's URL with this schema first on the search path.
    std::string url() const {
        return with_query_parameter(base_url_, "options=-csearch_path%3D" + name_);
    }

    /// Options for a store in this schema.
    PostgresOptions options() const { return PostgresOptions{.url = url()}; }

private:
    std::string base_url_;
    std::string name_;
};

}  // namespace clara::storage::test_support
