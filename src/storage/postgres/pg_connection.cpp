#include "storage/postgres/pg_connection.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace clara::storage::postgres {
namespace {

constexpr Query kSetStatementTimeout{"", "SELECT set_config('statement_timeout', $1, false)"};

// The runner's two unique constraints that callers handle (deploy with a taken slug, a key
// hash collision); named in V001__init.sql.
constexpr std::string_view kSlugConstraint = "deployed_workflows_slug_key";
constexpr std::string_view kKeyHashConstraint = "deployed_workflows_api_key_hash_key";

constexpr std::string_view kUniqueViolation = "23505";

// How long a rollback after a failure may take before the connection is given up.
constexpr auto kRollbackTimeout = std::chrono::seconds(5);

// libpq messages end with a newline and may span lines ("...failed: Connection refused\n\tIs
// the server running...?"); one line reads better in logs.
std::string one_line(std::string_view text) {
    std::string line;
    bool space = false;
    for (const char c : text) {
        if (c == '\n' || c == '\t' || c == '\r' || c == ' ') {
            space = !line.empty();
            continue;
        }
        if (space) {
            line += ' ';
            space = false;
        }
        line += c;
    }
    return line;
}

void log_notice(void*, const char* message) { spdlog::debug("postgres: {}", one_line(message)); }

// Connection-level failures: the server cannot continue with this session.
bool connection_broken(std::string_view sqlstate) {
    return sqlstate.empty() || sqlstate.starts_with("08") || sqlstate == "57P01" ||
           sqlstate == "57P02" || sqlstate == "57P03";
}

std::string field(const PGresult* result, int code) {
    const char* value = PQresultErrorField(result, code);
    return value != nullptr ? value : "";
}

int remaining_ms(Deadline deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 24 * 3600 * 1000));
}

// Waits until `fd` is ready for `events`; false when `deadline` passed first.
bool wait_socket(int fd, short events, Deadline deadline) {
    for (;;) {
        pollfd descriptor{fd, events, 0};
        const int rc = ::poll(&descriptor, 1, remaining_ms(deadline));
        if (rc > 0) {
            return true;
        }
        if (rc == 0) {
            return false;
        }
        if (errno != EINTR) {
            throw StorageError(std::string("waiting for the database failed: ") +
                               std::strerror(errno));
        }
    }
}

}  // namespace

// --- Connection -------------------------------------------------------------------------------

Connection::Connection(const ConnectParams& params, Deadline deadline) {
    std::vector<const char*> keywords;
    std::vector<const char*> values;
    for (std::size_t i = 0; i < params.keywords.size(); ++i) {
        keywords.push_back(params.keywords[i].c_str());
        values.push_back(params.values[i].c_str());
    }
    keywords.push_back(nullptr);
    values.push_back(nullptr);

    deadline = std::min(deadline, SteadyClock::now() + params.connect_timeout);
    // The asynchronous API, so that the wait is ours to bound (PQconnectdb could wait for each
    // of several hosts in turn).
    conn_ = PQconnectStartParams(keywords.data(), values.data(), 1);
    if (conn_ == nullptr) {
        throw StorageError("cannot connect to the database: out of memory");
    }
    auto fail = [&](std::string_view reason) {
        const std::string message = one_line(reason);
        PQfinish(conn_);
        conn_ = nullptr;
        throw StorageError("cannot connect to the database: " + message);
    };
    if (PQstatus(conn_) == CONNECTION_BAD) {
        fail(PQerrorMessage(conn_));
    }
    PQsetNoticeProcessor(conn_, log_notice, nullptr);
    PostgresPollingStatusType status = PGRES_POLLING_WRITING;
    while (status != PGRES_POLLING_OK) {
        if (status == PGRES_POLLING_FAILED) {
            fail(PQerrorMessage(conn_));
        }
        // The socket may change while libpq tries the addresses of the host one by one.
        const short events = status == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        if (!wait_socket(PQsocket(conn_), events, deadline)) {
            fail("no answer within the connect timeout");
        }
        status = PQconnectPoll(conn_);
    }
    if (PQsetnonblocking(conn_, 1) != 0) {
        fail(PQerrorMessage(conn_));
    }
    if (params.statement_timeout.count() > 0) {
        const Param timeout = std::to_string(params.statement_timeout.count());
        try {
            execute(kSetStatementTimeout, std::span(&timeout, 1), deadline);
        } catch (...) {
            PQfinish(conn_);
            conn_ = nullptr;
            throw;
        }
    }
}

Connection::~Connection() {
    if (conn_ != nullptr) {
        PQfinish(conn_);
    }
}

int Connection::socket() const { return PQsocket(conn_); }

void Connection::throw_lost(std::string_view what) {
    lost_ = true;
    throw ConnectionLost("database connection lost (" + std::string(what) +
                         "): " + one_line(PQerrorMessage(conn_)));
}

void Connection::wait_for(short events, Deadline deadline) {
    if (!wait_socket(PQsocket(conn_), events, deadline)) {
        // The session is mid-statement in an unknown state; it is not reused.
        lost_ = true;
        throw StorageError("the database did not answer in time");
    }
}

Result Connection::execute(const Query& query, std::span<const Param> params, Deadline deadline) {
    if (lost_) {
        throw ConnectionLost("database connection lost");
    }
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& param : params) {
        if (param && param->find('\0') != std::string::npos) {
            throw StorageError("PostgreSQL cannot store text that contains a NUL character");
        }
        values.push_back(param ? param->c_str() : nullptr);
    }
    const int count = static_cast<int>(params.size());

    int sent = 0;
    if (query.name[0] == '\0') {
        sent =
            PQsendQueryParams(conn_, query.sql, count, nullptr, values.data(), nullptr, nullptr, 0);
    } else {
        if (!prepared_.contains(query.name)) {
            if (PQsendPrepare(conn_, query.name, query.sql, count, nullptr) == 0) {
                throw_lost("prepare");
            }
            check(finish(deadline));
            prepared_.insert(query.name);
        }
        sent = PQsendQueryPrepared(conn_, query.name, count, values.data(), nullptr, nullptr, 0);
    }
    if (sent == 0) {
        throw_lost("send");
    }
    auto results = finish(deadline);
    check(results);
    if (results.empty()) {
        throw StorageError("the database returned no result");
    }
    return std::move(results.back());
}

void Connection::execute_script(std::string_view sql, Deadline deadline) {
    if (lost_) {
        throw ConnectionLost("database connection lost");
    }
    const std::string text(sql);
    if (PQsendQuery(conn_, text.c_str()) == 0) {
        throw_lost("send");
    }
    check(finish(deadline));
}

std::vector<Result> Connection::finish(Deadline deadline) {
    // Non-blocking mode: a large parameter may not fit in the socket buffer at once.
    for (;;) {
        const int flushed = PQflush(conn_);
        if (flushed == 0) {
            break;
        }
        if (flushed < 0) {
            throw_lost("send");
        }
        wait_for(POLLIN | POLLOUT, deadline);
        if (PQconsumeInput(conn_) == 0) {
            throw_lost("receive");
        }
    }
    std::vector<Result> results;
    for (;;) {
        while (PQisBusy(conn_) != 0) {
            wait_for(POLLIN, deadline);
            if (PQconsumeInput(conn_) == 0) {
                throw_lost("receive");
            }
        }
        PGresult* result = PQgetResult(conn_);
        if (result == nullptr) {
            return results;
        }
        results.emplace_back(result);
    }
}

void Connection::check(const std::vector<Result>& results) {
    for (const auto& result : results) {
        const ExecStatusType status = PQresultStatus(result.get());
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ||
            status == PGRES_EMPTY_QUERY) {
            continue;
        }
        const std::string sqlstate = field(result.get(), PG_DIAG_SQLSTATE);
        std::string message = one_line(field(result.get(), PG_DIAG_MESSAGE_PRIMARY));
        if (message.empty()) {
            message = one_line(PQresultErrorMessage(result.get()));
        }
        if (status != PGRES_FATAL_ERROR && status != PGRES_NONFATAL_ERROR) {
            // COPY or another mode the store never starts: the session state is unknown.
            lost_ = true;
            throw StorageError(std::string("unexpected database reply: ") + PQresStatus(status));
        }
        if (PQstatus(conn_) == CONNECTION_BAD || connection_broken(sqlstate)) {
            lost_ = true;
            throw ConnectionLost("database connection lost: " + message);
        }
        if (sqlstate == kUniqueViolation) {
            const std::string constraint = field(result.get(), PG_DIAG_CONSTRAINT_NAME);
            if (constraint == kSlugConstraint) {
                throw ConflictError("slug is already in use");
            }
            if (constraint == kKeyHashConstraint) {
                throw ConflictError("API key hash is already in use");
            }
        }
        throw StorageError("PostgreSQL error " + sqlstate + ": " + message);
    }
}

bool Connection::usable() {
    if (lost_ || PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE) {
        return false;
    }
    // An idle session has nothing to read. Data here is the server's goodbye: a FATAL message
    // (which libpq reports as a notice on an idle connection) followed by the end of the
    // stream, which the next read finds. A few rounds see both.
    constexpr int kRounds = 4;
    for (int round = 0; round < kRounds; ++round) {
        pollfd descriptor{PQsocket(conn_), POLLIN, 0};
        if (::poll(&descriptor, 1, 0) <= 0) {
            return true;
        }
        if (!consume_input()) {
            return false;
        }
        PQisBusy(conn_);  // parses what arrived
        take_notifications();
    }
    return PQstatus(conn_) == CONNECTION_OK;
}

bool Connection::consume_input() {
    if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
        lost_ = true;
        return false;
    }
    return true;
}

std::vector<std::string> Connection::take_notifications() {
    std::vector<std::string> payloads;
    while (PGnotify* notification = PQnotifies(conn_)) {
        payloads.emplace_back(notification->extra != nullptr ? notification->extra : "");
        PQfreemem(notification);
    }
    return payloads;
}

// --- Transaction ------------------------------------------------------------------------------

Transaction::Transaction(Connection& connection, Deadline deadline)
    : connection_(connection), deadline_(deadline) {
    connection_.execute_script("BEGIN", deadline_);
}

Transaction::~Transaction() {
    if (done_) {
        return;
    }
    try {
        connection_.execute_script("ROLLBACK", SteadyClock::now() + kRollbackTimeout);
    } catch (const std::exception&) {
        connection_.discard();
    }
}

void Transaction::commit() {
    done_ = true;
    connection_.execute_script("COMMIT", deadline_);
}

}  // namespace clara::storage::postgres
