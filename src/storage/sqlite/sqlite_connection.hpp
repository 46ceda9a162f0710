#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace clara::storage::sqlite {

/// Throws the storage exception for a failed SQLite call on `db`: ConflictError when a UNIQUE
/// index on a deployment's slug or key hash refused the row, StorageError otherwise.
[[noreturn]] void throw_error(sqlite3* db, int result_code, std::string_view context);

/// A prepared statement in use. Resets it and clears its bindings when it goes out of scope, so
/// the cached statement is ready for the next caller and holds no read snapshot open.
class Statement {
public:
    /// Wraps `stmt` of `db`; `sql` names it in error messages.
    Statement(sqlite3* db, sqlite3_stmt* stmt, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    /// Binds `text` (copied) to the 1-based parameter `index`.
    void bind_text(int index, std::string_view text);
    /// Binds an integer to the 1-based parameter `index`.
    void bind_int(int index, std::int64_t value);
    /// Binds NULL to the 1-based parameter `index`.
    void bind_null(int index);
    /// Binds the text, or NULL when empty.
    void bind_optional_text(int index, const std::optional<std::string>& text);
    /// Binds the number, or NULL when empty.
    void bind_optional_int(int index, const std::optional<std::int64_t>& value);

    /// Advances to the next row; false when the statement is done.
    bool step();
    /// Runs a statement that returns no rows.
    void run();

    /// Whether the 0-based `column` of the current row is NULL.
    bool column_is_null(int column) const;
    /// The column as an integer (0 for NULL).
    std::int64_t column_int(int column) const;
    /// The column as a floating-point number (0.0 for NULL).
    double column_double(int column) const;
    /// The column as text ("" for NULL).
    std::string column_text(int column) const;
    /// The text, or empty for NULL.
    std::optional<std::string> column_optional_text(int column) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
    std::string_view sql_;
};

/// One SQLite connection with its cache of prepared statements. Not thread-safe: its owner
/// serialises access to it.
class Connection {
public:
    /// Opens (creating if needed) the database at `path` (":memory:" for a private in-memory
    /// one). A writer enables WAL and foreign keys; a reader is query-only.
    Connection(const std::string& path, bool writer, int busy_timeout_ms);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Runs SQL text of one or more statements without results (migrations, pragmas).
    void exec(const std::string& sql);

    /// The cached prepared statement for `sql`, prepared on first use. `sql` must outlive the
    /// connection (the query constants do), since it keys the cache.
    Statement statement(std::string_view sql);

    /// Rows changed by the most recent INSERT, UPDATE or DELETE.
    std::int64_t changes() const;

    /// The value of a read-only pragma such as "journal_mode", as text.
    std::string pragma(std::string_view name);

    /// The underlying handle, for error reporting and transaction state.
    sqlite3* handle() const { return db_; }

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<std::string_view, sqlite3_stmt*> statements_;
};

/// A write transaction (BEGIN IMMEDIATE), rolled back unless committed.
class Transaction {
public:
    /// Begins the transaction, waiting up to the busy timeout for the write lock.
    explicit Transaction(Connection& connection);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    /// Commits; after a failure the destructor rolls back.
    void commit();

private:
    Connection& connection_;
    bool done_ = false;
};

}  // namespace clara::storage::sqlite
