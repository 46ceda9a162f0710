#include "engine/workflow_document.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace clara::engine {
namespace {

WorkflowDocument normalize(std::string_view text, Diagnostics& diag) {
    return normalize_workflow(boost::json::parse(text), diag);
}

TEST(NormalizeWorkflow, AcceptsNativeFlowWithConnections) {
    Diagnostics diag;
    const auto doc = normalize(R"({"name":"N","nodes":[{"id":"a","type":"input"},{"id":"b","type":"output"}],
        "connections":[{"sourceNodeId":"a","sourcePortId":"output","targetNodeId":"b","targetPortId":"input"}]})",
                               diag);
    ASSERT_TRUE(diag.ok());
    EXPECT_EQ(doc.name, "N");
    ASSERT_EQ(doc.nodes.size(), 2u);
    ASSERT_EQ(doc.connections.size(), 1u);
    EXPECT_EQ(doc.connections[0].source, "a");
    EXPECT_EQ(doc.connections[0].target_handle, "input");
    EXPECT_EQ(doc.connections[0].id, "e0");  // generated when absent
}

TEST(NormalizeWorkflow, AcceptsReactFlowKeysEdgesAndDefaultsHandles) {
    Diagnostics diag;
    const auto doc = normalize(R"({"nodes":[{"id":"a","type":"input"},{"id":"b","type":"output"}],
        "edges":[{"id":"x","source":"a","target":"b","sourceHandle":""}]})",
                               diag);
    ASSERT_TRUE(diag.ok());
    ASSERT_EQ(doc.connections.size(), 1u);
    EXPECT_EQ(doc.connections[0].source_handle, "output");  // "" counts as absent
    EXPECT_EQ(doc.connections[0].target_handle, "input");
    EXPECT_EQ(doc.connections[0].id, "x");
}

TEST(NormalizeWorkflow, PrefersConnectionsOverEdges) {
    Diagnostics diag;
    const auto doc = normalize(R"({"nodes":[{"id":"a","type":"input"},{"id":"b","type":"output"}],
        "connections":[],"edges":[{"source":"a","target":"b"}]})",
                               diag);
    ASSERT_TRUE(diag.ok());
    EXPECT_TRUE(doc.connections.empty());
}

TEST(NormalizeWorkflow, UnwrapsSdkEnvelopeAndMergesCustomNodes) {
    Diagnostics diag;
    const auto doc = normalize(R"({"format":"clara-sdk","customNodes":[{"type":"outer"}],
        "flow":{"name":"Inner","version":"2.0","nodes":[{"id":"a","type":"input"}],
                "customNodes":[{"type":"inner"}]}})",
                               diag);
    ASSERT_TRUE(diag.ok());
    EXPECT_EQ(doc.name, "Inner");
    EXPECT_EQ(doc.version, "2.0");
    ASSERT_EQ(doc.custom_nodes.size(), 2u);
    EXPECT_EQ(doc.custom_nodes[0].at("type"), "outer");
    EXPECT_EQ(doc.custom_nodes[1].at("type"), "inner");
    EXPECT_TRUE(doc.connections.empty());  // a single node needs no connections
}

TEST(NormalizeWorkflow, UnwrapsTemplateEnvelopeWithOuterName) {
    Diagnostics diag;
    const auto doc = normalize(R"({"id":"t","name":"Template","description":"D",
        "flow":{"nodes":[{"id":"a","type":"input"},{"id":"b","type":"output"}],"connections":[],
                "settings":{"version":"3"}}})",
                               diag);
    ASSERT_TRUE(diag.ok());
    EXPECT_EQ(doc.name, "Template");
    EXPECT_EQ(doc.description, "D");
    EXPECT_EQ(doc.version, "3");
}

TEST(NormalizeWorkflow, RejectsWhatIsNotAWorkflow) {
    for (const auto* text : {R"([1,2])", R"({"flow":{"nodes":"x"}})", R"({"name":"x"})"}) {
        Diagnostics diag;
        normalize(text, diag);
        ASSERT_FALSE(diag.ok()) << text;
        EXPECT_EQ(diag.errors[0].rfind("invalid_workflow_format: ", 0), 0u) << diag.errors[0];
    }
}

TEST(NormalizeWorkflow, RequiresConnectionsWhenThereAreSeveralNodes) {
    Diagnostics diag;
    normalize(R"({"nodes":[{"id":"a","type":"input"},{"id":"b","type":"output"}]})", diag);
    ASSERT_EQ(diag.errors.size(), 1u);
    EXPECT_NE(diag.errors[0].find("connections"), std::string::npos);
}

TEST(NormalizeWorkflow, ReadsPortsFromNodeOrDataAndIgnoresFileUploadOutputsObject) {
    Diagnostics diag;
    const auto doc = normalize(R"({"nodes":[
        {"id":"a","type":"llm","data":{"inputs":[{"id":"user","name":"User Message"}]}},
        {"id":"b","type":"file-upload","data":{"outputs":{"content":"x","metadata":null}}}],
        "connections":[]})",
                               diag);
    ASSERT_TRUE(diag.ok());
    ASSERT_EQ(doc.nodes[0].inputs.size(), 1u);
    EXPECT_EQ(doc.nodes[0].inputs[0].name, "User Message");
    EXPECT_TRUE(doc.nodes[1].outputs.empty());
}

TEST(NormalizeWorkflow, StripsStudioUiStateAndRoundTripsThroughJson) {
    Diagnostics diag;
    const auto doc = normalize(R"({"name":"N","nodes":[{"id":"a","type":"static-text",
        "data":{"text":"hi","executionHistory":[1,2],"lastGeneratedImage":"data:..."}}],"connections":[]})",
                               diag);
    ASSERT_TRUE(diag.ok());
    EXPECT_FALSE(doc.nodes[0].data.contains("executionHistory"));
    EXPECT_FALSE(doc.nodes[0].data.contains("lastGeneratedImage"));
    Diagnostics again;
    const auto reread = normalize_workflow(to_json(doc), again);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(boost::json::serialize(to_json(reread)), boost::json::serialize(to_json(doc)));
}

TEST(NormalizeWorkflow, ReportsNodesWithoutIdOrType) {
    Diagnostics diag;
    normalize(R"({"nodes":[{"type":"input"},{"id":"b"}],"connections":[]})", diag);
    ASSERT_EQ(diag.errors.size(), 2u);
    EXPECT_EQ(diag.errors[0].rfind("invalid_node: ", 0), 0u);
    EXPECT_EQ(diag.errors[1].rfind("invalid_node: ", 0), 0u);
}

}  // namespace
}  // namespace clara::engine
