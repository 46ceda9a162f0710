// The compiler's custom node hook (NodeCatalog::custom_type): disabled by default, and when a
// catalog provides a type, nodes of it compile with the definition's ports and run.
#include "engine/compiler.hpp"
#include "engine/execution.hpp"
#include "engine/script_sandbox.hpp"
#include "nodes/builtin_catalog.hpp"
#include "nodes/custom_node.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <algorithm>

namespace clara::engine {
namespace {
namespace json = boost::json;

/// Answers every call inline (so that execute_sync can run the workflow) with a fixed outcome,
/// and remembers the calls.
class FakeSandbox final : public ScriptSandbox {
public:
    void run(ScriptCall call, ExecutionContext&, std::function<void(ScriptOutcome)> done) override {
        calls.push_back(std::move(call));
        done(outcome);
    }

    std::vector<ScriptCall> calls;
    ScriptOutcome outcome;
};

/// The built-in catalog with custom nodes backed by a FakeSandbox.
class CustomCatalog final : public NodeCatalog {
public:
    const NodeType* find(std::string_view type) const override {
        return nodes::builtin_catalog().find(type);
    }
    std::string unsupported_reason(std::string_view type) const override {
        return nodes::builtin_catalog().unsupported_reason(type);
    }
    std::shared_ptr<const NodeType> custom_type(const json::object& definition,
                                                Diagnostics& diag) const override {
        ++asked;
        auto type = nodes::make_custom_node_type(definition, sandbox, diag);
        last_type = type;
        return type;
    }

    std::shared_ptr<FakeSandbox> sandbox = std::make_shared<FakeSandbox>();
    mutable int asked = 0;
    mutable std::weak_ptr<const NodeType> last_type;
};

constexpr std::string_view kDefinition = R"({"type":"weather","name":"Weather Lookup",
    "inputs":[{"id":"input_1","name":"Latitude"},
              {"id":"input_2","name":"Longitude","defaultValue":0}],
    "outputs":[{"id":"output_1","name":"response"},{"id":"output_2","name":"sunrise"}],
    "properties":[{"id":"unit","name":"Unit","defaultValue":"metric"}],
    "executionCode":"return {response: 1};"})";

/// input -> weather (edge to the port *name* "Latitude") -> two outputs: one from the handle
/// "output" (undeclared: primary output) and one from "output_2".
std::string weather_flow(std::string_view definition = kDefinition) {
    return R"({"customNodes":[)" + std::string(definition) + R"(],"flow":{"nodes":[
        {"id":"in","type":"input","data":{"label":"lat"}},
        {"id":"w","type":"weather","name":"My Weather","data":{}},
        {"id":"o1","type":"output","data":{"label":"first"}},
        {"id":"o2","type":"output","data":{"label":"second"}}],
      "connections":[
        {"source":"in","target":"w","targetHandle":"Latitude"},
        {"source":"w","sourceHandle":"output","target":"o1"},
        {"source":"w","sourceHandle":"output_2","target":"o2"}]}})";
}

bool has_entry_starting_with(const std::vector<std::string>& list, std::string_view prefix) {
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& s) { return s.rfind(prefix, 0) == 0; });
}

TEST(CustomNodeCompile, ByDefaultCatalogsRefuseCustomTypesAndSayHowToEnableThem) {
    const auto result = compile_envelope(json::parse(weather_flow()), nodes::builtin_catalog(), {});
    ASSERT_EQ(result.diag.errors.size(), 1u);
    EXPECT_EQ(result.diag.errors[0],
              "unsupported_node_type: weather (custom node defined in customNodes; custom nodes "
              "are disabled (set ENABLE_CUSTOM_NODES=true))");
}

TEST(CustomNodeCompile, UsesTheCatalogTypeWithTheDefinitionPorts) {
    CustomCatalog catalog;
    const auto result = compile_envelope(json::parse(weather_flow()), catalog, {});
    ASSERT_TRUE(result.diag.ok()) << result.diag.errors.front();
    EXPECT_EQ(catalog.asked, 1);
    const auto& workflow = *result.workflow;
    const auto& weather = workflow.nodes[1];
    ASSERT_NE(weather.node_type, nullptr);
    EXPECT_EQ(weather.node_type->type, "weather");
    EXPECT_EQ(weather.node_type->primary_output, "output_1");
    ASSERT_EQ(weather.incoming.size(), 1u);
    EXPECT_EQ(weather.incoming[0].target_key, "input_1");  // port name resolved to its id
    EXPECT_FALSE(workflow.nodes[2].incoming[0].source_handle_declared);
    EXPECT_TRUE(workflow.nodes[3].incoming[0].source_handle_declared);
    ASSERT_EQ(workflow.custom_types.size(), 1u);
    EXPECT_EQ(workflow.custom_types[0].get(), weather.node_type);
}

TEST(CustomNodeCompile, RunsThroughTheSandboxWithMappedInputsPropertiesAndResult) {
    CustomCatalog catalog;
    catalog.sandbox->outcome.ok = true;
    catalog.sandbox->outcome.value = json::parse(R"({"Response":{"temp":21},"SUNRISE":"06:12"})");
    const auto result = compile_envelope(json::parse(weather_flow()), catalog, {});
    ASSERT_TRUE(result.diag.ok()) << result.diag.errors.front();

    const auto run = execute_sync(result.workflow, json::object{{"lat", 52.5}}, ExecutionLimits{});
    ASSERT_EQ(run.status, ExecutionStatus::kSuccess) << run.error;
    EXPECT_EQ(json::serialize(run.outputs), R"({"o1":{"temp":21},"o2":"06:12"})");

    ASSERT_EQ(catalog.sandbox->calls.size(), 1u);
    const auto& call = catalog.sandbox->calls[0];
    EXPECT_EQ(call.code,
              "async function execute(inputs, properties, context) {\n"
              "return {response: 1};\n}");
    EXPECT_EQ(call.inputs, json::parse(R"({"input_1":52.5,"input_2":0,"Latitude":52.5,
        "latitude":52.5,"Longitude":0,"longitude":0})"));
    EXPECT_EQ(call.properties, json::parse(R"({"unit":"metric","Unit":"metric"})"));
    EXPECT_EQ(call.node_id, "w");
    EXPECT_EQ(call.node_name, "My Weather");
    EXPECT_NE(call.keep_alive, nullptr);
}

TEST(CustomNodeCompile, SandboxFailuresNameTheDefinition) {
    CustomCatalog catalog;
    catalog.sandbox->outcome.error = "Execution timeout";
    const auto result = compile_envelope(json::parse(weather_flow()), catalog, {});
    ASSERT_TRUE(result.diag.ok());
    const auto run = execute_sync(result.workflow, json::object{{"lat", 1}}, ExecutionLimits{});
    EXPECT_EQ(run.status, ExecutionStatus::kError);
    EXPECT_EQ(run.error,
              "Node 'My Weather' failed: Custom node 'Weather Lookup' execution failed: "
              "Execution timeout");
}

TEST(CustomNodeCompile, TheWorkflowKeepsItsCustomTypesAlive) {
    CustomCatalog catalog;
    auto result = compile_envelope(json::parse(weather_flow()), catalog, {});
    ASSERT_TRUE(result.diag.ok());
    EXPECT_FALSE(catalog.last_type.expired());
    result.workflow.reset();
    EXPECT_TRUE(catalog.last_type.expired());
}

TEST(CustomNodeCompile, InvalidDefinitionsAreDeployErrorsNamingTheType) {
    CustomCatalog catalog;
    auto result = compile_envelope(
        json::parse(weather_flow(R"({"type":"weather","outputs":[{"name":"no id"}]})")), catalog,
        {});
    EXPECT_FALSE(result.workflow);
    EXPECT_TRUE(has_entry_starting_with(result.diag.errors,
                                        "invalid_custom_node: weather: executionCode is missing"));
    EXPECT_TRUE(has_entry_starting_with(result.diag.errors,
                                        "invalid_custom_node: weather: outputs[0] has no id"));

    json::object big = json::parse(kDefinition).as_object();
    big["executionCode"] = std::string(kMaxScriptCodeBytes + 1, 'x');
    result = compile_envelope(json::parse(weather_flow(json::serialize(big))), catalog, {});
    ASSERT_EQ(result.diag.errors.size(), 1u);
    EXPECT_TRUE(has_entry_starting_with(result.diag.errors,
                                        "invalid_custom_node: weather: executionCode is 102401"));
}

TEST(CustomNodeCompile, ATypeDefinedTwiceIsRejected) {
    CustomCatalog catalog;
    const auto twice = std::string(kDefinition) + "," + std::string(kDefinition);
    const auto result = compile_envelope(json::parse(weather_flow(twice)), catalog, {});
    ASSERT_EQ(result.diag.errors.size(), 1u);
    EXPECT_EQ(result.diag.errors[0],
              "invalid_custom_node: weather: defined 2 times in customNodes; a type may be "
              "defined only once");
    EXPECT_EQ(catalog.asked, 0);
}

TEST(CustomNodeCompile, BuiltinTypesWinOverCustomDefinitionsOfTheSameName) {
    CustomCatalog catalog;
    const auto result = compile_envelope(json::parse(R"({"customNodes":[
        {"type":"input","executionCode":"return 1;"}],"flow":{"nodes":[
        {"id":"i","type":"input"},{"id":"o","type":"output"}],
        "connections":[{"source":"i","target":"o"}]}})"),
                                         catalog, {});
    ASSERT_TRUE(result.diag.ok());
    EXPECT_EQ(catalog.asked, 0);
    EXPECT_TRUE(result.workflow->custom_types.empty());
}

}  // namespace
}  // namespace clara::engine
