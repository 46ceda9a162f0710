#include "service/execution_recorder.hpp"

#include "storage/store.hpp"
#include "util/crypto.hpp"
#include "util/time_format.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <filesystem>

namespace clara::service {
namespace {
namespace asio = boost::asio;

class ExecutionRecorderTest : public ::testing::Test {
protected:
    void SetUp() override {
        path_ = std::filesystem::temp_directory_path() / ("recorder-" + util::random_hex(6) + ".db");
        store_ = storage::open_store("sqlite:" + path_.string());
        store_->migrate();
        storage::Deployment deployment;
        deployment.id = util::uuid_v4();
        deployment.name = "wf";
        deployment.slug = "wf";
        deployment.workflow = boost::json::object{};
        deployment.schema = boost::json::object{};
        deployment.field_map = boost::json::object{};
        deployment.api_key_hash = util::random_hex(32);
        deployment.created_at_ms = deployment.updated_at_ms = util::now_ms();
        store_->insert_deployment(deployment);
        workflow_id_ = deployment.id;
    }
    void TearDown() override {
        store_.reset();
        std::filesystem::remove(path_);
        std::filesystem::remove(path_.string() + "-wal");
        std::filesystem::remove(path_.string() + "-shm");
    }

    storage::ExecutionRecord record_for(const std::string& workflow_id) const {
        storage::ExecutionRecord record;
        record.id = util::uuid_v4();
        record.workflow_id = workflow_id;
        record.inputs = boost::json::object{{"n", 1}};
        record.status = "success";
        record.duration_ms = 1;
        record.started_at_ms = record.created_at_ms = util::now_ms();
        return record;
    }

    std::filesystem::path path_;
    std::unique_ptr<storage::Store> store_;
    std::string workflow_id_;
};

TEST_F(ExecutionRecorderTest, SharesCommitsBetweenConcurrentExecutions) {
    ExecutionRecorder recorder(*store_);
    asio::io_context io;
    constexpr int kCount = 300;
    int completed = 0;
    for (int i = 0; i < kCount; ++i) {
        asio::co_spawn(io, [&, record = record_for(workflow_id_)]() -> asio::awaitable<void> {
            co_await recorder.record(record);
            ++completed;
        }, asio::detached);
    }
    io.run();
    EXPECT_EQ(completed, kCount);
    EXPECT_EQ(recorder.records_written(), static_cast<std::uint64_t>(kCount));
    EXPECT_LT(recorder.batches_written(), static_cast<std::uint64_t>(kCount));
    EXPECT_EQ(store_->deployment_stats(workflow_id_).execution_count, kCount);
}

TEST_F(ExecutionRecorderTest, AFaultyRecordFailsAloneInItsBatch) {
    ExecutionRecorder recorder(*store_);
    asio::io_context io;
    int succeeded = 0;
    int failed = 0;
    for (int i = 0; i < 20; ++i) {
        const auto record = record_for(i == 7 ? util::uuid_v4() : workflow_id_);  // unknown workflow
        asio::co_spawn(io, [&, record]() -> asio::awaitable<void> {
            try {
                co_await recorder.record(record);
                ++succeeded;
            } catch (const storage::StorageError&) {
                ++failed;
            }
        }, asio::detached);
    }
    io.run();
    EXPECT_EQ(succeeded, 19);
    EXPECT_EQ(failed, 1);
    EXPECT_EQ(store_->deployment_stats(workflow_id_).execution_count, 19);
}

TEST_F(ExecutionRecorderTest, RefusesRecordsAfterStop) {
    ExecutionRecorder recorder(*store_);
    recorder.stop();
    asio::io_context io;
    bool refused = false;
    asio::co_spawn(io, [&]() -> asio::awaitable<void> {
        try {
            co_await recorder.record(record_for(workflow_id_));
        } catch (const storage::StorageError&) {
            refused = true;
        }
    }, asio::detached);
    io.run();
    EXPECT_TRUE(refused);
}

}  // namespace
}  // namespace clara::service
