#include "engine/compiler.hpp"

#include "nodes/builtin_catalog.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <algorithm>

namespace clara::engine {
namespace {

CompileResult compile(std::string_view text, CompileOptions options = {}) {
    return compile_envelope(boost::json::parse(text), nodes::builtin_catalog(), options);
}

bool has_entry_starting_with(const std::vector<std::string>& list, std::string_view prefix) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
}

std::vector<std::string> order_ids(const Workflow& workflow) {
    std::vector<std::string> ids;
    for (const auto index : workflow.order) {
        ids.push_back(workflow.nodes[index].id);
    }
    return ids;
}

TEST(CompileWorkflow, OrdersNodesWithKahnAndOriginalTieBreaking) {
    // Zero in-degree nodes in nodes[] order; targets appended in connections[] order.
    const auto result = compile(R"({"nodes":[
        {"id":"out","type":"output"},{"id":"c","type":"combine-text"},
        {"id":"b","type":"static-text"},{"id":"a","type":"input"}],
      "connections":[
        {"source":"c","target":"out"},
        {"source":"a","target":"c","targetHandle":"text2"},
        {"source":"b","target":"c","targetHandle":"text1"}]})");
    ASSERT_TRUE(result.diag.ok()) << result.diag.errors.front();
    EXPECT_EQ(order_ids(*result.workflow), (std::vector<std::string>{"b", "a", "c", "out"}));
}

TEST(CompileWorkflow, RejectsCyclesIncludingSelfLoops) {
    auto result = compile(R"({"nodes":[{"id":"i","type":"input"},{"id":"a","type":"json-parse"},
        {"id":"b","type":"json-parse"},{"id":"o","type":"output"}],
      "connections":[{"source":"i","target":"a"},{"source":"a","target":"b"},
                     {"source":"b","target":"a"},{"source":"b","target":"o"}]})");
    ASSERT_FALSE(result.diag.ok());
    EXPECT_TRUE(has_entry_starting_with(result.diag.errors, "cycle: "));
    EXPECT_NE(result.diag.errors.back().find("'a', 'b'"), std::string::npos) << result.diag.errors.back();

    result = compile(R"({"nodes":[{"id":"i","type":"input"},{"id":"o","type":"output"}],
      "connections":[{"source":"o","target":"o"},{"source":"i","target":"o"}]})");
    EXPECT_TRUE(has_entry_starting_with(result.diag.errors, "cycle: "));
}

TEST(CompileWorkflow, ReportsEveryStructuralProblemAtOnce) {
    const auto result = compile(R"({"nodes":[{"id":"a","type":"input"},{"id":"a","type":"output"},
        {"id":"x","type":"text"},{"id":"y","type":"image-output"},{"id":"z","type":"no-such-type"}],
      "connections":[{"source":"a","target":"ghost"},{"source":"nobody","target":"a"}]})");
    const auto& errors = result.diag.errors;
    EXPECT_TRUE(has_entry_starting_with(errors, "duplicate_node_id: 'a'"));
    EXPECT_TRUE(has_entry_starting_with(errors, "unsupported_node_type: text (legacy"));
    EXPECT_TRUE(has_entry_starting_with(errors, "unsupported_node_type: image-output (not an"));
    EXPECT_TRUE(has_entry_starting_with(errors, "unsupported_node_type: no-such-type (unknown"));
    EXPECT_TRUE(has_entry_starting_with(errors, "dangling_connection: connection 'e0' goes to unknown node 'ghost'"));
    EXPECT_TRUE(has_entry_starting_with(errors, "dangling_connection: connection 'e1' comes from unknown node 'nobody'"));
}

TEST(CompileWorkflow, NamesCustomNodeTypesAsCustomAndSaysHowToEnableThem) {
    const auto result = compile(R"({"customNodes":[{"type":"text-transformer"}],"flow":{
        "nodes":[{"id":"i","type":"input"},{"id":"t","type":"text-transformer"},{"id":"o","type":"output"}],
        "connections":[{"source":"i","target":"t"},{"source":"t","target":"o"}]}})");
    ASSERT_EQ(result.diag.errors.size(), 1u);
    EXPECT_EQ(result.diag.errors[0],
              "unsupported_node_type: text-transformer (custom node defined in customNodes; "
              "custom nodes are disabled (set ENABLE_CUSTOM_NODES=true))");
}

TEST(CompileWorkflow, DeployRequiresAnOutputNodeAndAnEntryNode) {
    auto result = compile(R"({"nodes":[{"id":"i","type":"input"}],"connections":[]})");
    EXPECT_TRUE(std::count(result.diag.errors.begin(), result.diag.errors.end(),
                           "Workflow must have at least one output node") == 1);

    result = compile(R"({"nodes":[{"id":"s","type":"static-text","data":{"text":"x"}},{"id":"o","type":"output"}],
        "connections":[{"source":"s","target":"o"}]})");
    ASSERT_EQ(result.diag.errors.size(), 1u);
    EXPECT_TRUE(has_entry_starting_with(result.diag.errors, "Workflow must have at least one input node"));

    // Rows loaded from storage skip the deploy requirements.
    result = compile(R"({"nodes":[{"id":"i","type":"input"}],"connections":[]})",
                     CompileOptions{.deploy_checks = false});
    EXPECT_TRUE(result.diag.ok());
}

TEST(CompileWorkflow, ResolvesTargetHandlesByPortIdThenCanonicalName) {
    const auto result = compile(R"({"nodes":[{"id":"a","type":"input"},{"id":"b","type":"input"},
        {"id":"c","type":"combine-text"},{"id":"o","type":"output"}],
      "connections":[{"source":"a","target":"c","targetHandle":" text  1 "},
                     {"source":"b","target":"c","targetHandle":"Text 2"},
                     {"source":"c","target":"o","targetHandle":"Value"}]})");
    ASSERT_TRUE(result.diag.ok());
    const auto& combine = result.workflow->nodes[2];
    ASSERT_EQ(combine.incoming.size(), 2u);
    EXPECT_EQ(combine.incoming[0].target_key, "text1");
    EXPECT_EQ(combine.incoming[1].target_key, "text2");
    EXPECT_EQ(result.workflow->nodes[3].incoming[0].target_key, "input");
}

TEST(CompileWorkflow, KeepsUnknownTargetHandlesVerbatimAndMarksDeclaredSourceHandles) {
    const auto result = compile(R"({"nodes":[{"id":"a","type":"input"},{"id":"f","type":"if-else"},
        {"id":"o","type":"output"},{"id":"p","type":"output"}],
      "connections":[{"source":"a","target":"f","targetHandle":"topic"},
                     {"source":"f","sourceHandle":"true","target":"o"},
                     {"source":"f","sourceHandle":"output","target":"p"}]})");
    ASSERT_TRUE(result.diag.ok());
    const auto& nodes = result.workflow->nodes;
    EXPECT_EQ(nodes[1].incoming[0].target_key, "topic");
    EXPECT_TRUE(nodes[2].incoming[0].source_handle_declared);
    EXPECT_FALSE(nodes[3].incoming[0].source_handle_declared);
}

TEST(CompileWorkflow, WarnsAboutDisconnectedNodesAndSharedHandles) {
    const auto result = compile(R"({"nodes":[{"id":"a","type":"input"},{"id":"b","type":"input"},
        {"id":"o","type":"output"},{"id":"lonely","type":"static-text"}],
      "connections":[{"source":"a","target":"o"},{"source":"b","target":"o"}]})");
    ASSERT_TRUE(result.diag.ok());
    EXPECT_TRUE(has_entry_starting_with(result.diag.warnings, "node 'lonely' is not connected"));
    EXPECT_TRUE(has_entry_starting_with(result.diag.warnings,
                                        "multiple connections into handle 'input' of node 'o'"));
}

TEST(CompileWorkflow, RejectsUnparsableIfElseExpressionNamingTheNode) {
    const auto result = compile(R"({"nodes":[{"id":"i","type":"input"},
        {"id":"cond","type":"if-else","data":{"expression":"input >"}},{"id":"o","type":"output"}],
      "connections":[{"source":"i","target":"cond"},{"source":"cond","sourceHandle":"true","target":"o"}]})");
    ASSERT_EQ(result.diag.errors.size(), 1u);
    EXPECT_EQ(result.diag.errors[0].rfind("invalid_expression: node 'cond': ", 0), 0u)
        << result.diag.errors[0];
}

TEST(CompileWorkflow, AssignsFieldNamesToEntryAndOutputNodes) {
    const auto result = compile(R"({"nodes":[
        {"id":"i1","type":"input","data":{"label":"User Name"}},
        {"id":"i2","type":"input","data":{"label":"User Name"}},
        {"id":"o1","type":"output","data":{"outputLabel":"AI Response"}}],
      "connections":[{"source":"i1","target":"o1"},{"source":"i2","target":"o1"}]})");
    ASSERT_TRUE(result.diag.ok());
    const auto& fields = result.workflow->fields;
    ASSERT_EQ(fields.inputs.size(), 2u);
    EXPECT_EQ(fields.inputs[0].field, "userName");
    EXPECT_EQ(fields.inputs[1].field, "userName2");
    ASSERT_EQ(fields.outputs.size(), 1u);
    EXPECT_EQ(fields.outputs[0].field, "aIResponse");
    EXPECT_EQ(result.workflow->nodes[1].input_field, 1);
    EXPECT_EQ(result.workflow->nodes[2].output_field, 0);
}

}  // namespace
}  // namespace clara::engine
