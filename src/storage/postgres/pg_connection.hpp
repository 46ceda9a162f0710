#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "storage/postgres/pg_result.hpp"
#include "storage/postgres/postgres_options.hpp"
#include "storage/store.hpp"

struct pg_conn;

namespace clara::storage::postgres {

using SteadyClock = std::chrono::steady_clock;
/// The moment a database call gives up.
using Deadline = SteadyClock::time_point;

/// A SQL statement, prepared once per connection under `name` (sent unprepared when `name` is
/// empty). Both point to string literals.
struct Query {
    const char* name;
    const char* sql;
};

/// A statement parameter in text format; std::nullopt is NULL.
using Param = std::optional<std::string>;

/// The connection broke (server shut down or restarted, backend terminated, network error). The
/// connection is unusable; a statement that only reads may be retried on another one.
class ConnectionLost : public StorageError {
public:
    using StorageError::StorageError;
};

/// One libpq connection in non-blocking mode, so that every wait is bounded by a deadline and a
/// vanished server cannot hang a caller. Not thread-safe: its owner serialises access.
class Connection {
public:
    /// Opens a connection, giving up at `deadline` or after params.connect_timeout, whichever
    /// comes first; sets the session's statement_timeout. Throws StorageError.
    Connection(const ConnectParams& params, Deadline deadline);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /// Runs `query` with `params`, preparing it first on this connection's first use of it.
    /// Throws ConflictError for a duplicate slug or key hash, ConnectionLost when the
    /// connection broke, StorageError for any other error or when `deadline` passes.
    Result execute(const Query& query, std::span<const Param> params, Deadline deadline);

    /// Runs SQL text of one or more statements without parameters (DDL, BEGIN, COMMIT, LISTEN),
    /// with the same errors as execute().
    void execute_script(std::string_view sql, Deadline deadline);

    /// Whether the connection can serve another caller: not broken, outside any transaction,
    /// and without a sign (checked without blocking) that the server closed it.
    bool usable();

    /// Marks the connection as unusable, e.g. after a rollback failed.
    void discard() { lost_ = true; }

    /// The socket, to wait for notifications.
    int socket() const;

    /// Reads what the server has sent without blocking; false when the connection broke.
    bool consume_input();

    /// Payloads of the notifications received so far (after consume_input()), oldest first.
    std::vector<std::string> take_notifications();

private:
    std::vector<Result> finish(Deadline deadline);
    void check(const std::vector<Result>& results);
    void wait_for(short events, Deadline deadline);
    [[noreturn]] void throw_lost(std::string_view what);

    pg_conn* conn_ = nullptr;
    bool lost_ = false;
    std::unordered_set<std::string> prepared_;
};

/// A transaction on a connection, rolled back unless committed.
class Transaction {
public:
    /// Sends BEGIN; throws like Connection::execute().
    Transaction(Connection& connection, Deadline deadline);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

    /// Sends COMMIT.
    void commit();

private:
    Connection& connection_;
    Deadline deadline_;
    bool done_ = false;
};

}  // namespace clara::storage::postgres
