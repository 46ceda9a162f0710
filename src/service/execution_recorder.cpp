#include "service/execution_recorder.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <vector>

namespace clara::service {
namespace asio = boost::asio;

ExecutionRecorder::ExecutionRecorder(storage::Store& store, std::size_t max_batch)
    : store_(store), max_batch_(max_batch), writer_([this] { run(); }) {}

ExecutionRecorder::~ExecutionRecorder() { stop(); }

asio::awaitable<void> ExecutionRecorder::record(const storage::ExecutionRecord& record) {
    auto initiate = [this, &record](auto handler) {
        // Resume the waiting coroutine on its own executor, whatever thread commits.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto executor = asio::get_associated_executor(*shared);
        enqueue(Pending{record, [shared, executor](std::exception_ptr error) {
                            asio::post(executor, [shared, error] { (*shared)(error); });
                        }});
    };
    co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(
        initiate, asio::use_awaitable);
}

void ExecutionRecorder::enqueue(Pending pending) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            queue_.push_back(std::move(pending));
            wake_.notify_one();
            return;
        }
    }
    pending.done(std::make_exception_ptr(
        storage::StorageError("the server is shutting down; the execution was not recorded")));
}

void ExecutionRecorder::run() {
    std::vector<Pending> batch;
    std::vector<storage::ExecutionRecord> records;
    while (true) {
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                return;  // stopping, nothing left
            }
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        records.clear();
        for (auto& pending : batch) {
            records.push_back(std::move(pending.record));
        }
        std::vector<std::exception_ptr> errors(batch.size());
        std::uint64_t written = 0;
        std::uint64_t transactions = 1;
        try {
            store_.insert_executions(records);
            written = records.size();
        } catch (...) {
            // One bad record must not fail the others that shared its transaction: retry each
            // on its own, so only the faulty ones report an error.
            transactions = records.size() > 1 ? records.size() : 1;
            for (std::size_t i = 0; i < records.size(); ++i) {
                if (records.size() == 1) {
                    errors[i] = std::current_exception();
                    break;
                }
                try {
                    store_.insert_executions(std::span(&records[i], 1));
                    ++written;
                } catch (...) {
                    errors[i] = std::current_exception();
                }
            }
        }
        {
            std::lock_guard lock(mutex_);
            records_written_ += written;
            batches_written_ += transactions;
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            batch[i].done(errors[i]);
        }
        batch.clear();
    }
}

void ExecutionRecorder::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        wake_.notify_all();
    }
    if (writer_.joinable()) {
        writer_.join();
    }
}

std::uint64_t ExecutionRecorder::records_written() const {
    std::lock_guard lock(mutex_);
    return records_written_;
}

std::uint64_t ExecutionRecorder::batches_written() const {
    std::lock_guard lock(mutex_);
    return batches_written_;
}

}  // namespace clara::service
