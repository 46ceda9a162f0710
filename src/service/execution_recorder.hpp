#pragma once

#include "storage/store.hpp"

#include <boost/asio/awaitable.hpp>

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace clara::service {

/// Group commit for execution records: requests queue their record and wait; one writer thread
/// takes everything queued, writes it in one transaction and wakes every waiter. Under load many
/// executions share one commit; alone, a record is written at once.
class ExecutionRecorder {
public:
    explicit ExecutionRecorder(storage::Store& store, std::size_t max_batch = 1024);
    ~ExecutionRecorder();

    ExecutionRecorder(const ExecutionRecorder&) = delete;
    ExecutionRecorder& operator=(const ExecutionRecorder&) = delete;

    /// Completes once `record` is durable; throws storage::StorageError when the write failed.
    /// Taken by reference: the caller's record outlives the wait.
    boost::asio::awaitable<void> record(const storage::ExecutionRecord& record);

    /// Writes what is queued, then stops the writer thread. Later records fail.
    void stop();

    /// Records committed so far and transactions used (for tests and benchmarks).
    std::uint64_t records_written() const;
    std::uint64_t batches_written() const;

private:
    struct Pending {
        storage::ExecutionRecord record;
        std::function<void(std::exception_ptr)> done;
    };

    void enqueue(Pending pending);
    void run();

    storage::Store& store_;
    const std::size_t max_batch_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    std::uint64_t records_written_ = 0;
    std::uint64_t batches_written_ = 0;
    std::thread writer_;
};

}  // namespace clara::service
