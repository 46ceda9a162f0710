#include "storage/sqlite/wal_checkpointer.hpp"

#include "storage/sqlite/sqlite_connection.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace clara::storage::sqlite {

WalCheckpointer::WalCheckpointer(const std::string& path, int busy_timeout_ms, int threshold_pages,
                                 std::mutex& writer_mutex)
    : threshold_pages_(threshold_pages),
      writer_mutex_(writer_mutex),
      // A reader connection: the pragmas are query-only, which does not stop a checkpoint.
      connection_(std::make_unique<Connection>(path, false, busy_timeout_ms)) {
    // SQLite opens the file on first use; until then a checkpoint finds no log to copy.
    connection_->exec("SELECT count(*) FROM sqlite_schema");
    thread_ = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer() {
    if (attached_ != nullptr) {
        sqlite3_wal_hook(attached_, nullptr, nullptr);
    }
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void WalCheckpointer::attach(Connection& writer) {
    attached_ = writer.handle();
    sqlite3_wal_hook(attached_, &WalCheckpointer::on_commit, this);
}

int WalCheckpointer::on_commit(void* self, sqlite3* /*db*/, const char* /*schema*/, int pages) {
    auto* checkpointer = static_cast<WalCheckpointer*>(self);
    if (pages >= checkpointer->threshold_pages_) {
        checkpointer->request();
    }
    return SQLITE_OK;
}

void WalCheckpointer::request() {
    {
        std::lock_guard lock(mutex_);
        if (requested_) {
            return;
        }
        requested_ = true;
    }
    wake_.notify_one();
}

std::uint64_t WalCheckpointer::checkpoints() const {
    std::lock_guard lock(mutex_);
    return checkpoints_;
}

void WalCheckpointer::run() {
    while (true) {
        bool last = false;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return requested_ || stopping_; });
            requested_ = false;
            last = stopping_;
        }
        checkpoint_once();
        std::lock_guard writer(writer_mutex_);
        checkpoint_once();
        if (last) {
            return;
        }
    }
}

void WalCheckpointer::checkpoint_once() {
    const int rc = sqlite3_wal_checkpoint_v2(connection_->handle(), nullptr,
                                             SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc == SQLITE_BUSY) {
        return;  // another checkpoint holds the log; the next threshold retries
    }
    if (rc != SQLITE_OK) {
        spdlog::warn("SQLite checkpoint failed: {}", sqlite3_errmsg(connection_->handle()));
        return;
    }
    std::lock_guard lock(mutex_);
    ++checkpoints_;
}

}  // namespace clara::storage::sqlite
