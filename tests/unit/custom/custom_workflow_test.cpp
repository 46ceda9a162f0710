// Custom nodes end to end: a workflow with a `customNodes[]` definition compiled with a catalog
// that runs them, executed on real Node.js workers.
#include "engine/compiler.hpp"
#include "engine/execution.hpp"
#include "nodes/builtin_catalog.hpp"
#include "nodes/custom_node.hpp"

#include "sandbox_test_support.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>

namespace clara::custom {
namespace {
namespace json = boost::json;

/// The built-in catalog plus custom nodes in `sandbox` (what the server's catalog does when
/// ENABLE_CUSTOM_NODES=true).
class CatalogWithCustomNodes final : public engine::NodeCatalog {
public:
    explicit CatalogWithCustomNodes(std::shared_ptr<engine::ScriptSandbox> sandbox)
        : sandbox_(std::move(sandbox)) {}

    const engine::NodeType* find(std::string_view type) const override {
        return nodes::builtin_catalog().find(type);
    }
    std::string unsupported_reason(std::string_view type) const override {
        return nodes::builtin_catalog().unsupported_reason(type);
    }
    std::shared_ptr<const engine::NodeType> custom_type(const json::object& definition,
                                                        engine::Diagnostics& diag) const override {
        return nodes::make_custom_node_type(definition, sandbox_, diag);
    }

private:
    std::shared_ptr<engine::ScriptSandbox> sandbox_;
};

/// A clara-sdk envelope: input -> custom -> output, with the given definition.
std::string text_flow(std::string_view definition) {
    return R"({"format":"clara-sdk","flow":{"name":"Custom Flow","nodes":[
        {"id":"input-1","type":"input","name":"Text Input","data":{"label":"Text Input"}},
        {"id":"custom-1","type":"text-transformer","name":"Text Transformer",
         "data":{"properties":{"operation":"uppercase"}}},
        {"id":"output-1","type":"output","name":"Result","data":{"label":"Result"}}],
      "connections":[
        {"sourceNodeId":"input-1","sourcePortId":"output",
         "targetNodeId":"custom-1","targetPortId":"input"},
        {"sourceNodeId":"custom-1","sourcePortId":"output",
         "targetNodeId":"output-1","targetPortId":"input"}]},
      "customNodes":[)" +
           std::string(definition) + "]}";
}

/// A text-transformer definition like the one the Studio exports, with its own code.
std::string transformer_definition() {
    json::object definition = json::parse(R"({
        "id":"text-transformer-node","type":"text-transformer","name":"Text Transformer",
        "inputs":[{"id":"input","name":"text"}],
        "outputs":[{"id":"output","name":"result"}],
        "properties":[{"id":"operation","name":"Operation","defaultValue":"uppercase"}]})")
                                     .as_object();
    definition["executionCode"] = R"(
        async function execute(inputs, properties, context) {
            const text = inputs.text || '';
            context.log('Transforming text:', text);
            const op = (properties.operation || 'uppercase').toLowerCase();
            let result = text;
            if (op === 'uppercase') {
                result = text.toUpperCase();
            } else if (op === 'reverse') {
                result = text.split('').reverse().join('');
            }
            context.log('Result:', result);
            return { result };
        })";
    return json::serialize(definition);
}

class CustomWorkflowTest : public ::testing::Test {
protected:
    void SetUp() override {
        SandboxSettings settings;
        settings.timeout = std::chrono::milliseconds(1500);
        sandbox_ = start_node_sandbox(io_.io(), settings, nullptr);
        catalog_ = std::make_unique<CatalogWithCustomNodes>(sandbox_);
    }
    void TearDown() override { sandbox_->shutdown(); }

    engine::WorkflowPtr compile(const std::string& envelope) {
        auto result = engine::compile_envelope(json::parse(envelope), *catalog_, {});
        for (const auto& error : result.diag.errors) {
            ADD_FAILURE() << "compile error: " << error;
        }
        return result.workflow;
    }

    engine::ExecutionResult execute(const engine::WorkflowPtr& workflow, std::string_view body) {
        auto promise = std::make_shared<std::promise<engine::ExecutionResult>>();
        auto future = promise->get_future();
        engine::Execution::start(
            workflow, json::parse(body).as_object(), limits_,
            [promise](engine::ExecutionResult r) { promise->set_value(std::move(r)); });
        if (future.wait_for(testing::kCallWait) != std::future_status::ready) {
            ADD_FAILURE() << "the execution did not finish";
            return {};
        }
        return future.get();
    }

    testing::IoThreads io_;
    engine::ExecutionLimits limits_;
    std::shared_ptr<NodeSandbox> sandbox_;
    std::unique_ptr<CatalogWithCustomNodes> catalog_;
};

TEST_F(CustomWorkflowTest, TextTransformerRunsAndLogsToTheExecutionLog) {
    const auto workflow = compile(text_flow(transformer_definition()));
    ASSERT_TRUE(workflow);
    const auto result = execute(workflow, R"({"textInput":"hello world"})");
    ASSERT_EQ(result.status, engine::ExecutionStatus::kSuccess) << result.error;
    EXPECT_EQ(json::serialize(result.outputs), R"({"output1":"HELLO WORLD"})");
    std::vector<std::string> custom_lines;
    for (const auto& entry : result.logs) {
        if (entry.node_id == "custom-1") {
            custom_lines.push_back(entry.message);
        }
    }
    EXPECT_EQ(custom_lines,
              (std::vector<std::string>{"Transforming text: hello world", "Result: HELLO WORLD"}));
}

TEST_F(CustomWorkflowTest, PropertyOfTheNodeSelectsTheOperation) {
    auto envelope = text_flow(transformer_definition());
    constexpr std::string_view kUppercase = R"("operation":"uppercase"})";
    envelope.replace(envelope.find(kUppercase), kUppercase.size(), R"("operation":"reverse"})");
    const auto workflow = compile(envelope);
    ASSERT_TRUE(workflow);
    const auto result = execute(workflow, R"({"textInput":"abc"})");
    ASSERT_EQ(result.status, engine::ExecutionStatus::kSuccess) << result.error;
    EXPECT_EQ(result.outputs.at("output1"), "cba");
}

TEST_F(CustomWorkflowTest, BareBodyCodeWithANonObjectReturnFillsTheOnlyPort) {
    const auto workflow = compile(text_flow(R"({"type":"text-transformer","name":"Shout",
        "inputs":[{"id":"input","name":"Text"}],"outputs":[{"id":"output","name":"Loud"}],
        "executionCode":"await null;\nreturn inputs.text + '!';"})"));
    ASSERT_TRUE(workflow);
    const auto result = execute(workflow, R"({"textInput":"hey"})");
    ASSERT_EQ(result.status, engine::ExecutionStatus::kSuccess) << result.error;
    EXPECT_EQ(result.outputs.at("output1"), "hey!");
}

TEST_F(CustomWorkflowTest, ThrownErrorFailsTheNodeWithTheDefinitionName) {
    const auto workflow = compile(text_flow(R"({"type":"text-transformer","name":"Fragile",
        "inputs":[{"id":"input","name":"text"}],"outputs":[{"id":"output","name":"result"}],
        "executionCode":"function execute(i) { throw new Error('bad input ' + i.text); }"})"));
    ASSERT_TRUE(workflow);
    const auto result = execute(workflow, R"({"textInput":"x"})");
    EXPECT_EQ(result.status, engine::ExecutionStatus::kError);
    EXPECT_EQ(
        result.error,
        "Node 'Text Transformer' failed: Custom node 'Fragile' execution failed: bad input x");
    ASSERT_TRUE(result.failed_node);
    EXPECT_EQ(result.failed_node->id, "custom-1");
}

TEST_F(CustomWorkflowTest, EndlessCodeFailsWithExecutionTimeout) {
    const auto workflow = compile(text_flow(R"({"type":"text-transformer","name":"Spinner",
        "inputs":[{"id":"input","name":"text"}],"outputs":[{"id":"output","name":"result"}],
        "executionCode":"function execute() { for (;;) {} }"})"));
    ASSERT_TRUE(workflow);
    const auto result = execute(workflow, R"({"textInput":"x"})");
    EXPECT_EQ(result.status, engine::ExecutionStatus::kError);
    EXPECT_EQ(result.error,
              "Node 'Text Transformer' failed: Custom node 'Spinner' execution failed: "
              "Execution timeout");
}

TEST_F(CustomWorkflowTest, NonObjectReturnWithTwoOutputPortsFails) {
    const auto workflow = compile(text_flow(R"({"type":"text-transformer","name":"Two",
        "inputs":[{"id":"input","name":"text"}],
        "outputs":[{"id":"output","name":"a"},{"id":"other","name":"b"}],
        "executionCode":"function execute() { return 'plain'; }"})"));
    ASSERT_TRUE(workflow);
    const auto result = execute(workflow, R"({"textInput":"x"})");
    EXPECT_EQ(result.status, engine::ExecutionStatus::kError);
    EXPECT_NE(result.error.find("Custom node 'Two' execution failed: execute returned a value that "
                                "is not an object"),
              std::string::npos)
        << result.error;
}

}  // namespace
}  // namespace clara::custom
