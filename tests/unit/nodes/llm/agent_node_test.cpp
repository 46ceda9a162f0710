// The agent-executor node: the Clara assistant (Stage A), the local loop (Stage B) with and
// without MCP tools through a fake proxy, and its limits.
#include "nodes/llm/model_nodes.hpp"

#include "../service_node_harness.hpp"
#include "fake_provider.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace clara::nodes::llm {
namespace {

namespace json = boost::json;
using nodes::testing::ServiceEnvironment;
using nodes::testing::ServiceNodeRun;
using testing::FakeProvider;
using testing::FakeReply;
using testing::openai_answer;
using testing::openai_tool_call;
using testing::ReceivedRequest;

std::string data_json(json::object data) { return json::serialize(data); }

bool has_log(const ServiceNodeRun& run, std::string_view level, std::string_view text) {
    for (const auto& entry : run.logs()) {
        if (entry.level == level && entry.message.find(text) != std::string::npos) {
            return true;
        }
    }
    return false;
}

/// A fake Clara MCP proxy with one running server `python-mcp` offering `run_python`.
FakeReply mcp_proxy(const ReceivedRequest& request, std::size_t) {
    if (request.method == "GET" && request.target == "/api/servers") {
        return FakeReply::json_text(R"({"servers":[
            {"name":"python-mcp","isRunning":true,"status":"running"},
            {"name":"filesystem","isRunning":true,"status":"running"}]})");
    }
    const auto body = json::parse(request.body);
    if (body.at("name") == "tools/list") {
        return FakeReply::json_text(R"({"result":{"success":true,"content":[{"type":"json",
            "data":[{"name":"run_python","description":"Runs Python code",
                     "inputSchema":{"$schema":"x","type":"object",
                                    "properties":{"code":{"type":"string"}},
                                    "required":["code"],"additionalProperties":false}}]}]}})");
    }
    return FakeReply::json_text(
        R"({"result":{"success":true,"content":[{"type":"text","text":"42"}]}})");
}

class AgentNodeTest : public ::testing::Test {
protected:
    void SetUp() override {
        env_.settings().clara_assistant_enabled = false;
        env_.settings().openai_api_key = "sk-server";
    }

    ServiceEnvironment env_;
};

TEST_F(AgentNodeTest, StageAResultIsUsedWhenTheAssistantAnswers) {
    FakeProvider assistant([](const auto&, std::size_t) {
        return FakeReply::json_text(R"({"output":"remote done","toolResults":[{"t":1}],
            "log":"remote log","success":true,"metadata":{"agent":"clara"}})");
    });
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("local"); });
    env_.settings().clara_assistant_enabled = true;
    env_.settings().clara_assistant_url = assistant.url();
    ServiceNodeRun run(env_, "agent",
                       data_json({{"apiBaseUrl", provider.url("/v1")},
                                  {"provider", "openai"},
                                  {"textModel", "gpt-4o"},
                                  {"enabledMCPServers", json::array{"python-mcp"}},
                                  {"attachments", json::array{"a.txt"}}}));
    run.input("instructions", "Summarise").input("context", "ctx");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(*result, json::parse(R"({"result":"remote done","toolResults":[{"t":1}],
        "executionLog":"remote log","success":true,"metadata":{"agent":"clara"}})"));
    EXPECT_EQ(provider.count(), 0u);
    const auto requests = assistant.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].target, "/api/execute-agent");
    EXPECT_FALSE(requests[0].has_header("Authorization"));
    EXPECT_EQ(assistant.body(0), json::parse(R"({"instructions":"Summarise","context":"ctx",
        "attachments":["a.txt"],"config":{"provider":"openai","textModel":"gpt-4o",
        "visionModel":"gpt-4o","codeModel":"gpt-4o","enabledMCPServers":["python-mcp"]}})"));
}

TEST_F(AgentNodeTest, StageAFailureFallsBackToTheLocalLoop) {
    FakeProvider assistant(
        [](const auto&, std::size_t) { return FakeReply::json_text(R"({"error":"x"})", 500); });
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("local answer"); });
    env_.settings().clara_assistant_enabled = true;
    env_.settings().clara_assistant_url = assistant.url();
    ServiceNodeRun run(env_, "agent-executor", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("instructions", "Do it");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("result"), "local answer");
    EXPECT_EQ(assistant.count(), 1u);
    EXPECT_EQ(provider.count(), 1u);
    EXPECT_TRUE(has_log(run, "warn", "Clara assistant unavailable"));
}

TEST_F(AgentNodeTest, StageBWithoutToolsIsOnePlainChatCall) {
    FakeProvider mcp(mcp_proxy);
    FakeProvider provider([](const auto&, std::size_t) { return openai_answer("Plain answer"); });
    env_.settings().mcp_proxy_url = mcp.url();
    ServiceNodeRun run(env_, "agent-executor",
                       data_json({{"apiBaseUrl", provider.url("/v1")},
                                  {"textModel", "qwen3:8b"},
                                  {"temperature", 0.1},
                                  {"maxTokens", 300},
                                  {"instructions", "from data"},
                                  {"enabledMCPServers", json::array{"python-mcp"}}}));
    run.input("context", "background");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("result"), "Plain answer");
    EXPECT_EQ(result->at("success"), true);
    EXPECT_EQ(result->at("toolResults"), json::array{});
    EXPECT_EQ(result->at("metadata").at("iterations"), 1);
    EXPECT_EQ(result->at("metadata").at("mcpEnabled"), false);
    EXPECT_EQ(result->at("metadata").at("model"), "fake-model");
    EXPECT_EQ(mcp.count(), 0u);  // tools are off by default: the proxy is never asked
    EXPECT_TRUE(has_log(run, "warn", "AGENT_TOOLS_ENABLED"));

    const auto body = provider.body(0);
    EXPECT_FALSE(body.as_object().contains("tools"));
    EXPECT_FALSE(body.as_object().contains("tool_choice"));
    EXPECT_EQ(body.at("model"), "qwen3:8b");
    EXPECT_EQ(body.at("max_tokens"), 300);
    const auto& messages = body.at("messages").as_array();
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].at("role"), "system");
    EXPECT_EQ(messages[1], json::parse(R"({"role":"user",
        "content":"Instructions: from data\n\nContext: background"})"));
    EXPECT_FALSE(provider.requests()[0].has_header("Authorization"));
}

TEST_F(AgentNodeTest, ToolCallRoundTripThroughTheMcpProxy) {
    FakeProvider mcp(mcp_proxy);
    FakeProvider provider([](const auto&, std::size_t index) {
        if (index == 0) {
            return openai_tool_call("call-1", "mcp_python-mcp_run_python",
                                    R"({"code":"print 6*7"})");
        }
        return openai_answer("The answer is 42");
    });
    env_.settings().agent_tools_enabled = true;
    env_.settings().agent_allowed_mcp_servers = {"python-mcp"};
    env_.settings().mcp_proxy_url = mcp.url();
    ServiceNodeRun run(env_, "agent-executor",
                       data_json({{"apiBaseUrl", provider.url("/v1")},
                                  {"enabledMCPServers", json::array{"python-mcp", "filesystem"}}}));
    run.input("instructions", "Compute 6*7 with Python");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("result"), "The answer is 42");
    EXPECT_EQ(result->at("success"), true);
    EXPECT_EQ(result->at("toolResults"), json::parse(R"([{"tool":"mcp_python-mcp_run_python",
        "arguments":{"code":"print 6*7"},
        "result":{"success":true,"content":[{"type":"text","text":"42"}]}}])"));
    EXPECT_EQ(result->at("metadata").at("iterations"), 2);
    EXPECT_EQ(result->at("metadata").at("mcpEnabled"), true);
    EXPECT_EQ(result->at("metadata").at("usage").at("total_tokens"), 25);
    const std::string log(result->at("executionLog").as_string());
    EXPECT_NE(log.find("[Iteration 1]\nTool: mcp_python-mcp_run_python\nResult: 42\n"
                       "[Iteration 2]"),
              std::string::npos)
        << log;
    EXPECT_TRUE(has_log(run, "warn", "'filesystem' is not in AGENT_ALLOWED_MCP_SERVERS"));

    // The proxy: server list, discovery of the allowed server only, then the call.
    ASSERT_EQ(mcp.count(), 3u);
    const auto discovery = mcp.body(1);
    EXPECT_EQ(discovery.at("name"), "tools/list");
    EXPECT_EQ(discovery.at("server"), "python-mcp");
    EXPECT_EQ(mcp.body(2), json::parse(R"({"name":"run_python","arguments":{"code":"print 6*7"},
        "server":"python-mcp","callId":"call-1"})"));

    // The model: offered the cleaned tool, then shown its result.
    const auto first = provider.body(0);
    EXPECT_EQ(first.at("tool_choice"), "auto");
    EXPECT_EQ(first.at("tools"), json::parse(R"([{"type":"function","function":{
        "name":"mcp_python-mcp_run_python","description":"[MCP:python-mcp] Runs Python code",
        "parameters":{"type":"object","properties":{"code":{"type":"string"}},
                      "required":["code"]}}}])"));
    const auto reply_body = provider.body(1);
    const auto& messages = reply_body.at("messages").as_array();
    ASSERT_EQ(messages.size(), 4u);
    EXPECT_EQ(messages[2].at("tool_calls").as_array()[0].at("id"), "call-1");
    EXPECT_EQ(messages[3], json::parse(R"({"role":"tool","content":"42",
                                           "tool_call_id":"call-1"})"));
    EXPECT_EQ(run.usage().calls, 2);
}

TEST_F(AgentNodeTest, FailedToolIsReportedToTheModelAndTheLoopContinues) {
    FakeProvider mcp([](const ReceivedRequest& request, std::size_t index) {
        if (request.body.find("\"run_python\"") != std::string::npos &&
            request.body.find("tools/list") == std::string::npos) {
            return FakeReply::json_text(R"({"error":"crashed"})", 500);
        }
        return mcp_proxy(request, index);
    });
    FakeProvider provider([](const auto&, std::size_t index) {
        if (index == 0) {
            return openai_tool_call("c9", "mcp_python-mcp_run_python", "not json");
        }
        return openai_answer("Could not compute");
    });
    env_.settings().agent_tools_enabled = true;
    env_.settings().agent_allowed_mcp_servers = {"python-mcp"};
    env_.settings().mcp_proxy_url = mcp.url();
    ServiceNodeRun run(env_, "agent-executor",
                       data_json({{"apiBaseUrl", provider.url("/v1")},
                                  {"enabledMCPServers", json::array{"python-mcp"}}}));
    run.input("instructions", "Try");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("result"), "Could not compute");
    EXPECT_EQ(result->at("toolResults").as_array()[0].at("error"),
              "MCP tool execution failed: 500 Internal Server Error");
    EXPECT_EQ(mcp.body(2).at("arguments"), json::object{});
    const auto reply_body = provider.body(1);
    const auto& messages = reply_body.at("messages").as_array();
    EXPECT_EQ(messages.back().at("content"),
              "Error executing tool: MCP tool execution failed: 500 Internal Server Error");
    EXPECT_TRUE(has_log(run, "warn", "not a JSON object"));
}

TEST_F(AgentNodeTest, IterationCapEndsWithAnIncompleteResult) {
    FakeProvider mcp(mcp_proxy);
    FakeProvider provider([](const auto&, std::size_t index) {
        return openai_tool_call("c" + std::to_string(index), "mcp_python-mcp_run_python",
                                R"({"code":"1"})");
    });
    env_.settings().agent_tools_enabled = true;
    env_.settings().agent_allowed_mcp_servers = {"python-mcp"};
    env_.settings().mcp_proxy_url = mcp.url();
    ServiceNodeRun run(env_, "agent",
                       data_json({{"apiBaseUrl", provider.url("/v1")},
                                  {"maxToolCalls", 2},
                                  {"enabledMCPServers", json::array{"python-mcp"}}}));
    run.input("instructions", "Loop forever");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("result"), "Task incomplete - max iterations reached");
    EXPECT_EQ(result->at("success"), false);
    EXPECT_EQ(result->at("metadata").at("warning"), "Max iterations reached");
    EXPECT_EQ(result->at("metadata").at("iterations"), 2);
    EXPECT_EQ(result->at("toolResults").as_array().size(), 2u);
    EXPECT_EQ(provider.count(), 2u);
}

TEST_F(AgentNodeTest, AnthropicToolLoopUsesToolUseAndToolResultBlocks) {
    FakeProvider mcp(mcp_proxy);
    FakeProvider provider([](const auto&, std::size_t index) {
        if (index == 0) {
            return FakeReply::json_text(R"({"model":"claude","stop_reason":"tool_use",
                "content":[{"type":"text","text":"Let me run it."},
                           {"type":"tool_use","id":"toolu_7","name":"mcp_python-mcp_run_python",
                            "input":{"code":"print 42"}}],
                "usage":{"input_tokens":9,"output_tokens":3}})");
        }
        return FakeReply::json_text(R"({"model":"claude","stop_reason":"end_turn",
            "content":[{"type":"text","text":"It printed 42."}],
            "usage":{"input_tokens":20,"output_tokens":5}})");
    });
    env_.settings().agent_tools_enabled = true;
    env_.settings().agent_allowed_mcp_servers = {"python-mcp"};
    env_.settings().mcp_proxy_url = mcp.url();
    env_.settings().anthropic_api_base_url = provider.url("/v1");
    env_.settings().anthropic_api_key = "sk-ant";
    ServiceNodeRun run(env_, "agent-executor",
                       data_json({{"provider", "anthropic"},
                                  {"textModel", "claude-3-5-sonnet"},
                                  {"enabledMCPServers", json::array{"python-mcp"}}}));
    run.input("instructions", "Print 42");

    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("result"), "It printed 42.");
    EXPECT_EQ(provider.requests()[0].header("x-api-key"), "sk-ant");
    const auto first = provider.body(0);
    EXPECT_EQ(first.at("tools").as_array()[0].at("name"), "mcp_python-mcp_run_python");
    EXPECT_TRUE(first.at("tools").as_array()[0].as_object().contains("input_schema"));
    const auto reply_body = provider.body(1);
    const auto& messages = reply_body.at("messages").as_array();
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_EQ(messages[1].at("content").as_array()[1],
              json::parse(R"({"type":"tool_use","id":"toolu_7",
                              "name":"mcp_python-mcp_run_python","input":{"code":"print 42"}})"));
    EXPECT_EQ(messages[2], json::parse(R"({"role":"user","content":[{"type":"tool_result",
        "tool_use_id":"toolu_7","content":"42"}]})"));
    EXPECT_EQ(run.usage().total_tokens, 37);
}

TEST_F(AgentNodeTest, ProviderErrorIsAHardUpstreamFailure) {
    FakeProvider provider([](const auto&, std::size_t) {
        return FakeReply::json_text(R"({"error":"secret upstream detail"})", 500);
    });
    ServiceNodeRun run(env_, "agent-executor", data_json({{"apiBaseUrl", provider.url("/v1")}}));
    run.input("instructions", "Do");

    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.failure_kind(), engine::FailureKind::kUpstream);
    EXPECT_EQ(run.error().rfind("Agent execution failed: LLM API error: 500 Internal Server Error "
                                "(provider 127.0.0.1:",
                                0),
              0u)
        << run.error();
    EXPECT_EQ(run.error().find("secret upstream detail"), std::string::npos);
    EXPECT_TRUE(has_log(run, "warn", "secret upstream detail"));
}

TEST_F(AgentNodeTest, MissingInstructionsFail) {
    ServiceNodeRun run(env_, "agent-executor", "{}");
    run.input("instructions", "   ");

    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "Agent Executor requires instructions");
    EXPECT_EQ(run.failure_kind(), engine::FailureKind::kNode);
}

}  // namespace
}  // namespace clara::nodes::llm
