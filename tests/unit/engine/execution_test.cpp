#include "engine/execution.hpp"

#include "unit/engine/workflow_test_support.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace clara::engine {
namespace {

using testing::compile_or_fail;
using testing::run;
namespace json = boost::json;

TEST(Execution, PassesValuesAlongEdgesAndNamesOutputsByField) {
    const auto workflow = compile_or_fail(R"({"nodes":[
        {"id":"in","type":"input","data":{"label":"Name"}},
        {"id":"greet","type":"static-text","data":{"text":"Hello,"}},
        {"id":"join","type":"combine-text"},
        {"id":"out","type":"output","data":{"outputLabel":"Greeting"}}],
      "connections":[
        {"source":"greet","sourceHandle":"text","target":"join","targetHandle":"text1"},
        {"source":"in","sourceHandle":"output","target":"join","targetHandle":"text2"},
        {"source":"join","sourceHandle":"combined","target":"out","targetHandle":"input"}]})");
    const auto result = run(workflow, R"({"name":"Ada"})");
    ASSERT_EQ(result.status, ExecutionStatus::kSuccess) << result.error;
    EXPECT_EQ(result.outputs, json::parse(R"({"greeting":"Hello, Ada"})"));
    EXPECT_EQ(result.nodes_executed, 4u);
    EXPECT_TRUE(result.skipped_nodes.empty());
}

TEST(Execution, FallsBackToPrimaryOutputForOutputHandleAndUndeclaredHandles) {
    const auto workflow = compile_or_fail(R"({"nodes":[
        {"id":"s","type":"static-text","data":{"text":"abc"}},
        {"id":"o1","type":"output","data":{"outputLabel":"a"}},
        {"id":"o2","type":"output","data":{"outputLabel":"b"}}],
      "connections":[{"source":"s","sourceHandle":"output","target":"o1"},
                     {"source":"s","sourceHandle":"somethingElse","target":"o2"}]})");
    const auto result = run(workflow);
    ASSERT_EQ(result.status, ExecutionStatus::kSuccess);
    EXPECT_EQ(result.outputs, json::parse(R"({"a":"abc","b":"abc"})"));
}

TEST(Execution, SkipsTheInactiveBranchAndPropagatesSkipping) {
    const auto workflow = compile_or_fail(R"({"nodes":[
        {"id":"in","type":"input","data":{"label":"n","inputType":"number"}},
        {"id":"check","type":"if-else","data":{"expression":"input > 10","trueValue":"big","falseValue":"small"}},
        {"id":"t","type":"json-stringify"},
        {"id":"yes","type":"output","data":{"outputLabel":"yes"}},
        {"id":"no","type":"output","data":{"outputLabel":"no"}}],
      "connections":[{"source":"in","target":"check"},
                     {"source":"check","sourceHandle":"true","target":"t"},
                     {"source":"t","target":"yes"},
                     {"source":"check","sourceHandle":"false","target":"no"}]})");
    auto result = run(workflow, R"({"n":"42"})");
    ASSERT_EQ(result.status, ExecutionStatus::kSuccess) << result.error;
    EXPECT_EQ(result.outputs, json::parse(R"({"yes":"big","no":null})"));
    EXPECT_EQ(result.skipped_nodes, std::vector<std::string>{"no"});

    result = run(workflow, R"({"n":3})");
    EXPECT_EQ(result.outputs, json::parse(R"({"yes":null,"no":"small"})"));
    EXPECT_EQ(result.skipped_nodes, (std::vector<std::string>{"t", "yes"}));
    EXPECT_EQ(result.nodes_executed, 3u);
}

TEST(Execution, MergesBothBranchesIntoOneHandle) {
    const auto workflow = compile_or_fail(R"({"nodes":[
        {"id":"in","type":"input","data":{"label":"v"}},
        {"id":"check","type":"if-else","data":{"expression":"input === 'yes' || input === 'y'"}},
        {"id":"out","type":"output","data":{"outputLabel":"r"}}],
      "connections":[{"source":"in","target":"check"},
                     {"source":"check","sourceHandle":"true","target":"out"},
                     {"source":"check","sourceHandle":"false","target":"out"}]})");
    EXPECT_EQ(run(workflow, R"({"v":"y"})").outputs, json::parse(R"({"r":"y"})"));
    EXPECT_EQ(run(workflow, R"({"v":"nope"})").outputs, json::parse(R"({"r":"nope"})"));
}

TEST(Execution, LastConnectionIntoAHandleWins) {
    const auto workflow = compile_or_fail(R"({"nodes":[
        {"id":"a","type":"static-text","data":{"text":"first"}},
        {"id":"b","type":"static-text","data":{"text":"second"}},
        {"id":"o","type":"output","data":{"outputLabel":"r"}}],
      "connections":[{"source":"a","target":"o"},{"source":"b","target":"o"}]})");
    EXPECT_EQ(run(workflow).outputs, json::parse(R"({"r":"second"})"));
}

TEST(Execution, SeedsEntryNodesFromTheRequestOrTheirSavedValue) {
    const auto workflow = compile_or_fail(R"({"nodes":[
        {"id":"in","type":"input","data":{"label":"q","value":"saved"}},
        {"id":"o","type":"output","data":{"outputLabel":"r"}}],
      "connections":[{"source":"in","target":"o"}]})");
    EXPECT_EQ(run(workflow, R"({"q":"given"})").outputs, json::parse(R"({"r":"given"})"));
    EXPECT_EQ(run(workflow, R"({"q":null})").outputs, json::parse(R"({"r":"saved"})"));
    EXPECT_EQ(run(workflow, R"({"q":""})").outputs, json::parse(R"({"r":""})"));  // presence, not truthiness
    EXPECT_EQ(run(workflow).outputs, json::parse(R"({"r":"saved"})"));
}

TEST(Execution, ReportsTheFailingNodeAndStopsThere) {
    const auto workflow = compile_or_fail(R"({"nodes":[
        {"id":"in","type":"input","data":{"label":"doc"}},
        {"id":"parse","type":"json-parse","name":"Parse Body","data":{"failOnError":true}},
        {"id":"o","type":"output","data":{"outputLabel":"r"}}],
      "connections":[{"source":"in","target":"parse"},{"source":"parse","target":"o"}]})");
    const auto result = run(workflow, R"({"doc":"{not json"})");
    ASSERT_EQ(result.status, ExecutionStatus::kError);
    EXPECT_EQ(result.error.rfind("Node 'Parse Body' failed: JSON Parse Error: ", 0), 0u) << result.error;
    ASSERT_TRUE(result.failed_node.has_value());
    EXPECT_EQ(result.failed_node->id, "parse");
    EXPECT_EQ(result.failed_node->type, "json-parse");
    EXPECT_EQ(result.nodes_executed, 2u);  // the output node never ran
    EXPECT_TRUE(result.outputs.empty());
}

/// A node that finishes later, from another thread, to exercise asynchronous completion.
class DeferredNode final : public NodeInstance {
public:
    void start(NodeRun& run) const override {
        auto lifetime = run.keep_alive();
        std::thread([&run, lifetime] { run.succeed(json::object{{"output", "late"}}); }).detach();
    }
};

class DeferredCatalog final : public NodeCatalog {
public:
    DeferredCatalog() {
        type_.type = "deferred";
        type_.outputs = {{"output", "Out"}};
        type_.primary_output = "output";
        type_.create = [](const NodeDecl&, Diagnostics&) { return std::make_unique<DeferredNode>(); };
    }
    const NodeType* find(std::string_view type) const override {
        return type == "deferred" ? &type_ : nodes::builtin_catalog().find(type);
    }
    std::string unsupported_reason(std::string_view) const override { return "unknown"; }

private:
    NodeType type_;
};

TEST(Execution, CompletesWhenNodesFinishOnOtherThreads) {
    const DeferredCatalog catalog;
    const auto compiled = compile_envelope(json::parse(R"({"nodes":[
        {"id":"in","type":"input"},{"id":"d","type":"deferred"},{"id":"o","type":"output","data":{"outputLabel":"r"}}],
      "connections":[{"source":"in","target":"d"},{"source":"d","target":"o"}]})"),
                                           catalog, {});
    ASSERT_TRUE(compiled.diag.ok());
    std::promise<ExecutionResult> promise;
    const ExecutionLimits limits;
    Execution::start(compiled.workflow, {}, limits,
                     [&promise](ExecutionResult result) { promise.set_value(std::move(result)); });
    auto future = promise.get_future();
    ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    EXPECT_EQ(future.get().outputs, json::parse(R"({"r":"late"})"));
}

TEST(Execution, CancelReportsTimeoutAndIgnoresLateCompletions) {
    class NeverNode final : public NodeInstance {
    public:
        void start(NodeRun&) const override {}  // never completes on its own
    };
    class NeverCatalog final : public NodeCatalog {
    public:
        NeverCatalog() {
            type_.type = "never";
            type_.outputs = {{"output", "Out"}};
            type_.primary_output = "output";
            type_.create = [](const NodeDecl&, Diagnostics&) { return std::make_unique<NeverNode>(); };
        }
        const NodeType* find(std::string_view type) const override {
            return type == "never" ? &type_ : nodes::builtin_catalog().find(type);
        }
        std::string unsupported_reason(std::string_view) const override { return "unknown"; }

    private:
        NodeType type_;
    } catalog;
    const auto compiled = compile_envelope(json::parse(R"({"nodes":[
        {"id":"in","type":"input"},{"id":"n","type":"never"},{"id":"o","type":"output"}],
      "connections":[{"source":"in","target":"n"},{"source":"n","target":"o"}]})"),
                                           catalog, {});
    ASSERT_TRUE(compiled.diag.ok());
    std::optional<ExecutionResult> outcome;
    const ExecutionLimits limits;
    auto execution = Execution::start(compiled.workflow, {}, limits,
                                      [&outcome](ExecutionResult r) { outcome = std::move(r); });
    EXPECT_FALSE(outcome.has_value());
    execution->cancel(ExecutionStatus::kTimeout, "Workflow execution timeout after 5ms");
    ASSERT_TRUE(outcome.has_value());
    EXPECT_EQ(outcome->status, ExecutionStatus::kTimeout);
    EXPECT_EQ(outcome->error, "Workflow execution timeout after 5ms");
    execution->cancel(ExecutionStatus::kError, "again");  // no second completion
    EXPECT_EQ(outcome->status, ExecutionStatus::kTimeout);
}

TEST(Execution, NodeFailingOnceTheDeadlinePassedReportsTheDeadline) {
    // A node whose outbound call was cut by the execution's deadline fails a moment before the
    // deadline's own cancellation arrives; the execution reports the deadline, not the node.
    class FailsAfterDeadlineNode final : public NodeInstance {
    public:
        void start(NodeRun& run) const override {
            auto lifetime = run.keep_alive();
            const auto deadline = run.context().deadline();
            std::thread([&run, lifetime, deadline] {
                std::this_thread::sleep_until(deadline + std::chrono::milliseconds(5));
                run.fail("call timed out", FailureKind::kUpstreamTimeout);
            }).detach();
        }
    };
    class Catalog final : public NodeCatalog {
    public:
        Catalog() {
            type_.type = "slow";
            type_.outputs = {{"output", "Out"}};
            type_.primary_output = "output";
            type_.create = [](const NodeDecl&, Diagnostics&) {
                return std::make_unique<FailsAfterDeadlineNode>();
            };
        }
        const NodeType* find(std::string_view type) const override {
            return type == "slow" ? &type_ : nodes::builtin_catalog().find(type);
        }
        std::string unsupported_reason(std::string_view) const override { return "unknown"; }

    private:
        NodeType type_;
    } catalog;
    const auto compiled = compile_envelope(json::parse(R"({"nodes":[
        {"id":"in","type":"input"},{"id":"s","type":"slow"},{"id":"o","type":"output"}],
      "connections":[{"source":"in","target":"s"},{"source":"s","target":"o"}]})"),
                                           catalog, {});
    ASSERT_TRUE(compiled.diag.ok());
    ExecutionLimits limits;
    limits.max_execution_time = std::chrono::milliseconds(50);
    std::promise<ExecutionResult> promise;
    Execution::start(compiled.workflow, {}, limits,
                     [&promise](ExecutionResult result) { promise.set_value(std::move(result)); });
    auto future = promise.get_future();
    ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    const auto result = future.get();
    EXPECT_EQ(result.status, ExecutionStatus::kTimeout);
    EXPECT_EQ(result.error, "Workflow execution timeout after 50ms");
    EXPECT_FALSE(result.failed_node.has_value());
}

}  // namespace
}  // namespace clara::engine
