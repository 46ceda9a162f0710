// Definition checks and the input/property/result mapping of custom nodes (nodes.md § 23).
#include "nodes/custom_node_definition.hpp"

#include <gtest/gtest.h>
#include <boost/json.hpp>

namespace clara::nodes {
namespace {
namespace json = boost::json;

CustomNodeDefinition parse_or_fail(std::string_view text) {
    engine::Diagnostics diag;
    auto parsed = parse_custom_node_definition(json::parse(text).as_object(), diag);
    EXPECT_TRUE(diag.ok()) << (diag.errors.empty() ? "" : diag.errors.front());
    return parsed.value_or(CustomNodeDefinition{});
}

std::vector<std::string> errors_of(std::string_view text) {
    engine::Diagnostics diag;
    EXPECT_FALSE(parse_custom_node_definition(json::parse(text).as_object(), diag));
    return diag.errors;
}

TEST(CustomNodeDefinition, KeepsCodeThatDeclaresExecuteAndWrapsABareBody) {
    auto definition = parse_or_fail(
        R"({"type":"t","executionCode":"async  function   execute (i) { return 1; }"})");
    EXPECT_EQ(definition.code, "async  function   execute (i) { return 1; }");
    EXPECT_EQ(definition.name, "t");

    definition = parse_or_fail(R"({"type":"t","name":"T","executionCode":"return inputs.a;"})");
    EXPECT_EQ(definition.code,
              "async function execute(inputs, properties, context) {\nreturn inputs.a;\n}");
    EXPECT_EQ(definition.name, "T");

    // A helper whose name starts with "execute" is not the entry point.
    definition = parse_or_fail(
        R"({"type":"t","executionCode":"function executeHelper() {}\nreturn executeHelper();"})");
    EXPECT_EQ(definition.code.rfind("async function execute(inputs, properties, context) {", 0),
              0u);
}

TEST(CustomNodeDefinition, ReportsMissingOrOversizedCodeNamingTheType) {
    auto errors = errors_of(R"({"type":"my-node"})");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].rfind("invalid_custom_node: my-node: executionCode is missing", 0), 0u)
        << errors[0];

    json::object big{{"type", "big-node"}, {"executionCode", std::string(100 * 1024 + 1, ' ')}};
    engine::Diagnostics diag;
    EXPECT_FALSE(parse_custom_node_definition(big, diag));
    ASSERT_EQ(diag.errors.size(), 1u);
    EXPECT_EQ(
        diag.errors[0].rfind("invalid_custom_node: big-node: executionCode is 102401 bytes", 0), 0u)
        << diag.errors[0];

    big["executionCode"] = "return 1;" + std::string(100 * 1024 - 9, ' ');
    diag = {};
    EXPECT_TRUE(parse_custom_node_definition(big, diag));
}

TEST(CustomNodeDefinition, ReportsBadPorts) {
    const auto errors = errors_of(R"({"type":"p","executionCode":"return 1;",
        "inputs":[{"name":"no id"},{"id":"a"},{"id":"a"}],
        "outputs":"out",
        "properties":[{"id":"x","name":5}]})");
    const std::vector<std::string> expected{
        "invalid_custom_node: p: inputs[0] has no id",
        "invalid_custom_node: p: inputs[2]: id 'a' is used twice",
        "invalid_custom_node: p: outputs must be an array",
        "invalid_custom_node: p: properties[0].name must be a string"};
    EXPECT_EQ(errors, expected);
}

TEST(CustomNodeInputs, ExposesEachPortValueUnderIdNameLowercaseAndNormalisedName) {
    const auto definition = parse_or_fail(R"({"type":"t","executionCode":"return 1;",
        "inputs":[{"id":"input_1","name":"User  Text"},
                  {"id":"input_2","name":"Count","defaultValue":3},
                  {"id":"input_3","name":"Unset"},
                  {"id":"input_4","name":"By Name"}]})");
    const json::value text = "hi";
    const json::value by_name = true;
    engine::NodeInputs inputs;
    inputs.set("input_1", &text);
    inputs.set("By Name", &by_name);
    const auto mapped = custom_node_inputs(definition, inputs);
    EXPECT_EQ(mapped, json::parse(R"({
        "input_1":"hi","input_2":3,"input_4":true,
        "User  Text":"hi","user  text":"hi","user_text":"hi",
        "Count":3,"count":3,
        "By Name":true,"by name":true,"by_name":true})"));
}

TEST(CustomNodeProperties, ReadsByIdNameOrNormalisedNameWithDefaultsAndPassesExtrasThrough) {
    const auto definition = parse_or_fail(R"({"type":"t","executionCode":"return 1;",
        "properties":[{"id":"operation","name":"Operation","defaultValue":"uppercase"},
                      {"id":"p_2","name":"Time Zone","defaultValue":"0"},
                      {"id":"p_3","name":"Unit","defaultValue":"metric"},
                      {"id":"p_4","name":"None"}]})");
    auto mapped = custom_node_properties(definition, json::parse(R"({"properties":{
        "operation":"reverse","time_zone":"2","Unit":null,"extra":[1]}})")
                                                         .as_object());
    EXPECT_EQ(mapped, json::parse(R"({
        "operation":"reverse","Operation":"reverse",
        "time_zone":"2","p_2":"2","Time Zone":"2",
        "Unit":"metric","p_3":"metric","unit":"metric",
        "extra":[1]})"));

    // Without data.properties the node's data itself holds the values (server-engine style).
    mapped =
        custom_node_properties(definition, json::parse(R"({"Operation":"lowercase"})").as_object());
    EXPECT_EQ(mapped.at("operation"), "lowercase");
    EXPECT_EQ(mapped.at("Unit"), "metric");

    mapped = custom_node_properties(definition, json::object{});
    EXPECT_EQ(mapped.at("operation"), "uppercase");
    EXPECT_EQ(mapped.at("time_zone"), "0");
}

TEST(CustomNodeResult, KeysOutputsByPortIdMatchingIdNameLowercaseNormalisedOrAnyCase) {
    const auto definition = parse_or_fail(R"({"type":"t","executionCode":"return 1;",
        "outputs":[{"id":"output_1","name":"Response"},{"id":"output_2","name":"Sun Rise"},
                   {"id":"output_3","name":"Moon Phase"},{"id":"output_4","name":"Status"},
                   {"id":"output_5","name":"Missing"},{"id":"output_6","name":"X"}]})");
    const auto mapped = custom_node_result(definition, json::parse(R"({
        "response":{"a":1},"sun_rise":"06:00","MOON PHASE":"full","output_4":200,"X":"by name",
        "extra":"kept"})"));
    EXPECT_EQ(std::get<json::object>(mapped), json::parse(R"({
        "output_1":{"a":1},"output_2":"06:00","output_3":"full","output_4":200,
        "output_6":"by name","extra":"kept"})"));
}

TEST(CustomNodeResult, NonObjectGoesToTheOnlyPortOrFails) {
    const auto one = parse_or_fail(
        R"({"type":"t","executionCode":"return 1;","outputs":[{"id":"out","name":"Result"}]})");
    EXPECT_EQ(std::get<json::object>(custom_node_result(one, json::value("text"))),
              json::parse(R"({"out":"text"})"));
    EXPECT_EQ(std::get<json::object>(custom_node_result(one, json::parse("[1,2]"))),
              json::parse(R"({"out":[1,2]})"));
    EXPECT_EQ(std::get<json::object>(custom_node_result(one, json::value(nullptr))),
              json::parse(R"({"out":null})"));
    EXPECT_TRUE(std::get<json::object>(custom_node_result(one, std::nullopt)).empty());

    const auto two = parse_or_fail(R"({"type":"t","executionCode":"return 1;",
        "outputs":[{"id":"a","name":"A"},{"id":"b","name":"B"}]})");
    const auto failed = custom_node_result(two, json::value(5));
    ASSERT_TRUE(std::holds_alternative<std::string>(failed));
    EXPECT_NE(std::get<std::string>(failed).find("exactly one output port"), std::string::npos);
}

}  // namespace
}  // namespace clara::nodes
