#include "storage/sqlite/sqlite_connection.hpp"

#include "storage/store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>

namespace clara::storage::sqlite {
namespace {

constexpr std::string_view kBegin = "BEGIN IMMEDIATE";
constexpr std::string_view kCommit = "COMMIT";
constexpr std::string_view kRollback = "ROLLBACK";

// Writers take the write lock at BEGIN (IMMEDIATE) rather than on their first write, so a
// transaction never fails half-way on a lock upgrade. WAL lets readers proceed meanwhile. The
// synchronous level is the store's choice (SqliteOptions::sync_every_commit).
constexpr const char* kWriterPragmas =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA foreign_keys = ON;";
constexpr const char* kReaderPragmas =
    "PRAGMA query_only = ON;"
    "PRAGMA foreign_keys = ON;";

bool mentions(std::string_view message, std::string_view column) {
    return message.find(column) != std::string_view::npos;
}

}  // namespace

void throw_error(sqlite3* db, int result_code, std::string_view context) {
    const std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(result_code);
    const int extended = db != nullptr ? sqlite3_extended_errcode(db) : result_code;
    if (extended == SQLITE_CONSTRAINT_UNIQUE || result_code == SQLITE_CONSTRAINT_UNIQUE) {
        if (mentions(message, "deployed_workflows.slug")) {
            throw ConflictError("slug is already in use");
        }
        if (mentions(message, "deployed_workflows.api_key_hash")) {
            throw ConflictError("API key hash is already in use");
        }
    }
    std::string what = "SQLite error";
    if (!context.empty()) {
        what += " (";
        what += context;
        what += ")";
    }
    what += ": ";
    what += message;
    throw StorageError(what);
}

// --- Statement --------------------------------------------------------------------------------

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view sql)
    : db_(db), stmt_(stmt), sql_(sql) {}

Statement::~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

void Statement::bind_text(int index, std::string_view text) {
    const int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                       SQLITE_UTF8);
    if (rc != SQLITE_OK) {
        throw_error(db_, rc, sql_);
    }
}

void Statement::bind_int(int index, std::int64_t value) {
    const int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) {
        throw_error(db_, rc, sql_);
    }
}

void Statement::bind_null(int index) {
    const int rc = sqlite3_bind_null(stmt_, index);
    if (rc != SQLITE_OK) {
        throw_error(db_, rc, sql_);
    }
}

void Statement::bind_optional_text(int index, const std::optional<std::string>& text) {
    if (text) {
        bind_text(index, *text);
    } else {
        bind_null(index);
    }
}

void Statement::bind_optional_int(int index, const std::optional<std::int64_t>& value) {
    if (value) {
        bind_int(index, *value);
    } else {
        bind_null(index);
    }
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) {
        return true;
    }
    if (rc == SQLITE_DONE) {
        return false;
    }
    throw_error(db_, rc, sql_);
}

void Statement::run() {
    while (step()) {
    }
}

bool Statement::column_is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

double Statement::column_double(int column) const {
    return sqlite3_column_double(stmt_, column);
}

std::string Statement::column_text(int column) const {
    // Text first, then its length: the documented order for a stable pointer.
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    const int size = sqlite3_column_bytes(stmt_, column);
    return text != nullptr ? std::string(text, static_cast<std::size_t>(size)) : std::string();
}

std::optional<std::string> Statement::column_optional_text(int column) const {
    if (column_is_null(column)) {
        return std::nullopt;
    }
    return column_text(column);
}

// --- Connection -------------------------------------------------------------------------------

Connection::Connection(const std::string& path, bool writer, int busy_timeout_ms) {
    // NOMUTEX: the owner already serialises use of a connection, so SQLite's own per-connection
    // mutex would only add cost.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw StorageError("cannot open SQLite database '" + path + "': " + message);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    try {
        exec(writer ? kWriterPragmas : kReaderPragmas);
    } catch (...) {
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw;
    }
}

Connection::~Connection() {
    for (auto& [sql, stmt] : statements_) {
        sqlite3_finalize(stmt);
    }
    sqlite3_close_v2(db_);
}

void Connection::exec(const std::string& sql) {
    char* error = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
    sqlite3_free(error);  // the same text is available from sqlite3_errmsg
    if (rc != SQLITE_OK) {
        throw_error(db_, rc, "exec");
    }
}

Statement Connection::statement(std::string_view sql) {
    auto found = statements_.find(sql);
    if (found == statements_.end()) {
        sqlite3_stmt* stmt = nullptr;
        const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                          SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
        if (rc != SQLITE_OK) {
            sqlite3_finalize(stmt);
            throw_error(db_, rc, sql);
        }
        found = statements_.emplace(sql, stmt).first;
    }
    return Statement(db_, found->second, found->first);
}

std::int64_t Connection::changes() const {
    return sqlite3_changes64(db_);
}

std::string Connection::pragma(std::string_view name) {
    const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::islower(static_cast<unsigned char>(c)) != 0 || c == '_';
    });
    if (!valid) {
        throw StorageError("invalid pragma name: " + std::string(name));
    }
    // Not cached: diagnostics only, and the text is built at run time.
    const std::string sql = "PRAGMA " + std::string(name);
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        throw_error(db_, rc, sql);
    }
    std::string value;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        value = text != nullptr ? text : "";
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        throw_error(db_, rc, sql);
    }
    return value;
}

// --- Transaction ------------------------------------------------------------------------------

Transaction::Transaction(Connection& connection) : connection_(connection) {
    connection_.statement(kBegin).run();
}

Transaction::~Transaction() {
    // SQLite may already have rolled back by itself (e.g. after an I/O error); only an open
    // transaction needs ROLLBACK. Errors here cannot be reported, so they are dropped.
    if (!done_ && sqlite3_get_autocommit(connection_.handle()) == 0) {
        try {
            connection_.statement(kRollback).run();
        } catch (...) {
        }
    }
}

void Transaction::commit() {
    connection_.statement(kCommit).run();
    done_ = true;
}

}  // namespace clara::storage::sqlite
