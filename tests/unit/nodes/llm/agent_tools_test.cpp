#include "nodes/llm/mcp_tools.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace clara::nodes::llm {
namespace {

namespace json = boost::json;

TEST(AgentTools, KeepsOnlyWantedRunningServers) {
    const auto body = json::parse(R"({"servers":[
        {"name":"python-mcp","isRunning":true,"status":"running"},
        {"name":"filesystem","isRunning":true,"status":"running"},
        {"name":"git","isRunning":false,"status":"running"},
        {"name":"web","isRunning":true,"status":"stopped"}]})");
    EXPECT_EQ(running_servers(body, {"python-mcp", "git", "web"}),
              std::vector<std::string>{"python-mcp"});
    EXPECT_EQ(running_servers(body.at("servers"), {"filesystem"}),
              std::vector<std::string>{"filesystem"});
    EXPECT_TRUE(running_servers(json::parse(R"({"error":"x"})"), {"filesystem"}).empty());
}

TEST(AgentTools, ListedToolsReadJsonOrTextContent) {
    const auto from_json = listed_tools(json::parse(R"({"result":{"success":true,"content":[
        {"type":"json","data":[{"name":"run","inputSchema":{}},{"name":"bad"}]}]}})"));
    ASSERT_EQ(from_json.size(), 1u);
    EXPECT_EQ(from_json[0].at("name"), "run");

    const auto from_text = listed_tools(json::parse(R"({"success":true,"content":[
        {"type":"text","text":"[{\"name\":\"ls\",\"inputSchema\":{\"type\":\"object\"}}]"}]})"));
    ASSERT_EQ(from_text.size(), 1u);
    EXPECT_EQ(from_text[0].at("name"), "ls");

    EXPECT_TRUE(listed_tools(json::parse(R"({"success":false,"content":[]})")).empty());
}

TEST(AgentTools, CleansSchemasForProviders) {
    const auto cleaned = clean_tool_schema(json::parse(R"({
        "$schema":"http://json-schema.org/draft-07/schema#","additionalProperties":false,
        "properties":{
            "code":{"type":"string","enum":["a","b"]},
            "files":{"type":"array"},
            "opts":{"type":"object","properties":{"x":{"type":"integer","const":1}},
                    "anyOf":[{}]}}})"));
    ASSERT_TRUE(cleaned);
    EXPECT_EQ(json::value(*cleaned), json::parse(R"({
        "properties":{
            "code":{"type":"string"},
            "files":{"type":"array","items":{"type":"object"}},
            "opts":{"type":"object","properties":{"x":{"type":"integer"}}}},
        "type":"object","required":[]})"));
}

TEST(AgentTools, DropsSchemasWithUntypedProperties) {
    EXPECT_FALSE(clean_tool_schema(json::parse(
        R"({"type":"object","properties":{"v":{"anyOf":[{"type":"string"}]}}})")));
    EXPECT_FALSE(clean_tool_schema(json::parse(R"({"type":"string"})")));
    EXPECT_TRUE(clean_tool_schema(json::value(nullptr)));  // no parameters at all
}

TEST(AgentTools, FunctionNamesAreSafeUniqueAndMappedBack) {
    McpToolTable table;
    const auto tool = [](std::string_view name) {
        return json::object{{"name", name}, {"inputSchema", json::object{}}};
    };
    EXPECT_TRUE(table.add("my_server.v2", tool("run code")));
    EXPECT_TRUE(table.add("my_server.v2", tool("run/code")));
    EXPECT_TRUE(table.add(std::string(80, 's'), tool("t")));
    ASSERT_EQ(table.tools().size(), 3u);
    EXPECT_EQ(table.tools()[0].spec.name, "mcp_my_server_v2_run_code");
    EXPECT_EQ(table.tools()[1].spec.name, "mcp_my_server_v2_run_code_2");
    EXPECT_EQ(table.tools()[2].spec.name.size(), 64u);
    EXPECT_EQ(table.tools()[0].spec.description, "[MCP:my_server.v2] run code");

    const auto* found = table.find("mcp_my_server_v2_run_code_2");
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->server, "my_server.v2");
    EXPECT_EQ(found->tool, "run/code");
    EXPECT_EQ(table.find("mcp_other"), nullptr);
}

TEST(AgentTools, ToolResultTextFollowsThePriorityOrder) {
    EXPECT_EQ(tool_result_text(json::parse(R"({"success":false,"error":"boom"})")),
              "Error: boom");
    EXPECT_EQ(tool_result_text(json::parse(R"({"success":false})")),
              "Error: Tool execution failed");
    EXPECT_EQ(tool_result_text(json::parse(
                  R"({"content":[{"type":"text","text":"a"},{"type":"json","data":1},
                                 {"type":"text","text":"b"}]})")),
              "a\n\nb");
    EXPECT_EQ(tool_result_text(json::parse(R"({"content":[{"type":"json","data":{"x":1}}]})")),
              "{\n  \"x\": 1\n}");
    EXPECT_EQ(tool_result_text(json::parse(R"({"value":2})")), "{\n  \"value\": 2\n}");
    EXPECT_EQ(tool_result_of(json::parse(R"({"result":{"a":1}})")), json::parse(R"({"a":1})"));
    EXPECT_EQ(tool_result_of(json::parse(R"({"a":1})")), json::parse(R"({"a":1})"));
}

}  // namespace
}  // namespace clara::nodes::llm
