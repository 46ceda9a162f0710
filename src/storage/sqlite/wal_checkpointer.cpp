#include "storage/sqlite/wal_checkpointer.hpp"

#include "storage/sqlite/sqlite_connection.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

namespace clara::storage::sqlite {
namespace {

constexpr int kMaxBackgroundPasses = 3;
constexpr int kFewFrames = 64;

}  // namespace

WalCheckpointer::WalCheckpointer(const std::string& path, int busy_timeout_ms, int threshold_pages)
    : threshold_pages_(threshold_pages),
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
            // While the writer's final pass is due, more passes here would only collide with it.
            wake_.wait(lock, [this] {
                return (requested_ && !final_pass_due_.load(std::memory_order_acquire)) ||
                       stopping_;
            });
            requested_ = false;
            last = stopping_;
        }
        // Passes until one finds little left to copy: each copies what was committed during
        // the one before, so the writer's final pass is short.
        for (int pass = 0; pass < kMaxBackgroundPasses; ++pass) {
            if (checkpoint_once(connection_->handle()) <= kFewFrames) {
                break;
            }
        }
        {
            std::lock_guard lock(mutex_);
            final_pass_due_.store(true, std::memory_order_release);
        }
        if (last) {
            return;
        }
    }
}

bool WalCheckpointer::run_final_pass(Connection& writer) {
    if (!final_pass_due_.load(std::memory_order_acquire)) {
        return false;
    }
    return checkpoint_once(writer.handle()) >= 0;  // -1: a pass was still running; next time
}

void WalCheckpointer::resume_background() {
    {
        std::lock_guard lock(mutex_);
        final_pass_due_.store(false, std::memory_order_release);
    }
    wake_.notify_one();
}

int WalCheckpointer::checkpoint_once(sqlite3* db) {
    int log_frames = 0;
    int copied_frames = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames,
                                             &copied_frames);
    if (rc == SQLITE_BUSY) {
        return -1;
    }
    if (rc != SQLITE_OK) {
        spdlog::warn("SQLite checkpoint failed: {}", sqlite3_errmsg(db));
        return 0;  // the next threshold retries
    }
    std::lock_guard lock(mutex_);
    ++checkpoints_;
    // A log that restarted since the last pass counts from zero again.
    const int copied_now =
        copied_frames >= copied_before_ ? copied_frames - copied_before_ : copied_frames;
    copied_before_ = copied_frames;
    return copied_now;
}

}  // namespace clara::storage::sqlite
