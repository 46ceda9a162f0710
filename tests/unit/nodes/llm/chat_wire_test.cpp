#include "nodes/llm/chat_wire.hpp"

#include "nodes/llm/image_reference.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace clara::nodes::llm {
namespace {

namespace json = boost::json;

ChatRequest vision_request() {
    ChatRequest request;
    request.model = "m";
    request.temperature = 0;
    request.max_tokens = 50;
    request.messages.push_back(ChatMessage::text("system", "be brief"));
    auto user = ChatMessage::text("user", "what is this?");
    user.parts.push_back(ContentPart::from_image("data:image/png;base64,iVBORw0KGgo="));
    request.messages.push_back(std::move(user));
    return request;
}

ProviderRoute route(ChatApi api, std::string base, std::string key = "") {
    return ProviderRoute{api, std::move(base), std::move(key), "host"};
}

std::string header(const engine::OutboundRequest& request, std::string_view name) {
    for (const auto& [key, value] : request.headers) {
        if (key == name) {
            return value;
        }
    }
    return "<absent>";
}

TEST(ChatImage, InputRulesFollowTheSpec) {
    EXPECT_EQ(image_url_from_input(json::value("data:image/png;base64,AAA")),
              "data:image/png;base64,AAA");
    EXPECT_EQ(image_url_from_input(json::value("https://x/y.png")), "https://x/y.png");
    EXPECT_EQ(image_url_from_input(json::value("QUJD")), "data:image/jpeg;base64,QUJD");
    EXPECT_EQ(image_url_from_input(json::parse(R"({"base64":"data:image/gif;base64,R0"})")),
              "data:image/gif;base64,R0");
    EXPECT_FALSE(image_url_from_input(json::value("")));
    EXPECT_FALSE(image_url_from_input(json::value(5)));
    EXPECT_FALSE(image_url_from_input(json::parse(R"({"url":"x"})")));
}

TEST(ChatWireOpenAi, BodyHasExactlyTheSpecKeysAndImageParts) {
    const auto body = openai_chat_body(vision_request());
    EXPECT_EQ(body.size(), 4u);
    EXPECT_EQ(body.at("model"), "m");
    EXPECT_EQ(body.at("temperature").to_number<double>(), 0.0);
    EXPECT_EQ(body.at("max_tokens"), 50);
    const auto& messages = body.at("messages").as_array();
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0], json::parse(R"({"role":"system","content":"be brief"})"));
    EXPECT_EQ(messages[1], json::parse(R"({"role":"user","content":[
        {"type":"text","text":"what is this?"},
        {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]})"));
}

TEST(ChatWireOpenAi, RequestCarriesBearerOnlyWithAKey) {
    const auto with_key = build_chat_request(vision_request(),
                                             route(ChatApi::kOpenAiCompatible, "http://h/v1", "k"));
    EXPECT_EQ(with_key.url, "http://h/v1/chat/completions");
    EXPECT_EQ(header(with_key, "Authorization"), "Bearer k");
    const auto without = build_chat_request(vision_request(),
                                            route(ChatApi::kOpenAiCompatible, "http://h/v1"));
    EXPECT_EQ(header(without, "Authorization"), "<absent>");
}

TEST(ChatWireOpenAi, ReplyTextJoinsTextPartsAndReadsToolCalls) {
    const auto reply = parse_openai_reply(json::parse(R"({
        "model":"gpt-x",
        "choices":[{"message":{"role":"assistant","content":[
            {"type":"text","text":"a"},{"type":"image","x":1},{"type":"text","text":"b"}],
            "tool_calls":[{"id":"c1","type":"function",
                           "function":{"name":"f","arguments":"{\"q\":1}"}}]}}],
        "usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})"));
    EXPECT_TRUE(reply.has_message);
    EXPECT_EQ(reply.text, "ab");
    ASSERT_EQ(reply.tool_calls.size(), 1u);
    EXPECT_EQ(reply.tool_calls[0].id, "c1");
    EXPECT_EQ(reply.tool_calls[0].arguments_text, R"({"q":1})");
    ASSERT_TRUE(reply.counts);
    EXPECT_EQ(reply.counts->total_tokens, 7);
    EXPECT_EQ(reply.model, "gpt-x");
}

TEST(ChatWireOpenAi, MissingMessageIsEmptyTextAndNotAnObjectIsAnError) {
    const auto reply = parse_openai_reply(json::parse(R"({"choices":[]})"));
    EXPECT_FALSE(reply.has_message);
    EXPECT_EQ(reply.text, "");
    EXPECT_TRUE(reply.usage.empty());
    EXPECT_THROW(parse_openai_reply(json::parse("[1]")), ChatReplyError);
}

TEST(ChatWireAnthropic, SystemIsTopLevelAndImagesAreBase64Sources) {
    const auto body = anthropic_messages_body(vision_request());
    EXPECT_EQ(body.at("system"), "be brief");
    EXPECT_EQ(body.at("max_tokens"), 50);
    EXPECT_EQ(body.at("messages"), json::parse(R"([{"role":"user","content":[
        {"type":"text","text":"what is this?"},
        {"type":"image","source":{"type":"base64","media_type":"image/png",
                                  "data":"iVBORw0KGgo="}}]}])"));
    EXPECT_FALSE(body.contains("tools"));
}

TEST(ChatWireAnthropic, RequestUsesApiKeyHeaderAndVersion) {
    const auto request = build_chat_request(
        vision_request(), route(ChatApi::kAnthropic, "https://api.anthropic.com", "sk"));
    EXPECT_EQ(request.url, "https://api.anthropic.com/v1/messages");
    EXPECT_EQ(header(request, "x-api-key"), "sk");
    EXPECT_EQ(header(request, "anthropic-version"), "2023-06-01");
    EXPECT_EQ(header(request, "Authorization"), "<absent>");
}

TEST(ChatWireAnthropic, ToolTurnsBecomeToolUseAndGroupedToolResults) {
    ChatRequest request;
    request.model = "claude";
    request.messages.push_back(ChatMessage::text("user", "go"));
    ChatMessage assistant;
    assistant.role = "assistant";
    assistant.tool_calls = {{"t1", "f", R"({"a":1})"}, {"t2", "g", "not json"}};
    request.messages.push_back(assistant);
    for (const auto* id : {"t1", "t2"}) {
        auto tool = ChatMessage::text("tool", std::string("result ") + id);
        tool.tool_call_id = id;
        request.messages.push_back(std::move(tool));
    }
    request.tools.push_back(ToolSpec{"f", "does f", json::object{{"type", "object"}}});
    const auto body = anthropic_messages_body(request);
    const auto& messages = body.at("messages").as_array();
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_EQ(messages[1], json::parse(R"({"role":"assistant","content":[
        {"type":"tool_use","id":"t1","name":"f","input":{"a":1}},
        {"type":"tool_use","id":"t2","name":"g","input":{}}]})"));
    EXPECT_EQ(messages[2], json::parse(R"({"role":"user","content":[
        {"type":"tool_result","tool_use_id":"t1","content":"result t1"},
        {"type":"tool_result","tool_use_id":"t2","content":"result t2"}]})"));
    EXPECT_EQ(body.at("tools"), json::parse(R"([{"name":"f","description":"does f",
        "input_schema":{"type":"object"}}])"));
    EXPECT_EQ(body.at("tool_choice"), json::parse(R"({"type":"auto"})"));
}

TEST(ChatWireAnthropic, ReplyMapsUsageAndToolUse) {
    ChatRequest request;
    const auto reply = parse_anthropic_reply(request, json::parse(R"({
        "model":"claude-x","content":[{"type":"text","text":"hi "},
        {"type":"tool_use","id":"tu1","name":"f","input":{"x":2}}],
        "usage":{"input_tokens":10,"output_tokens":5}})"));
    EXPECT_EQ(reply.text, "hi ");
    ASSERT_EQ(reply.tool_calls.size(), 1u);
    EXPECT_EQ(reply.tool_calls[0].arguments_text, R"({"x":2})");
    EXPECT_EQ(json::value(reply.usage),
              json::parse(R"({"prompt_tokens":10,"completion_tokens":5,"total_tokens":15})"));
}

TEST(ChatWireAnthropic, StructuredAnswerIsTheForcedToolInput) {
    ChatRequest request;
    request.format = AnswerFormat::kJsonSchema;
    request.schema = json::parse(R"({"type":"array","items":{"type":"integer"}})");
    const auto body = anthropic_messages_body(request);
    EXPECT_EQ(body.at("tool_choice"),
              json::parse(R"({"type":"tool","name":"structured_output"})"));
    EXPECT_EQ(body.at("tools").as_array()[0].at("input_schema").at("properties").at("value"),
              request.schema);
    const auto reply = parse_anthropic_reply(request, json::parse(R"({"content":[
        {"type":"tool_use","id":"x","name":"structured_output","input":{"value":[1,2]}}]})"));
    EXPECT_EQ(reply.text, "[1,2]");
    EXPECT_TRUE(reply.tool_calls.empty());
}

TEST(ChatWireOllama, BodyUsesOptionsImagesAndFormat) {
    auto request = vision_request();
    request.format = AnswerFormat::kJsonSchema;
    request.schema = json::parse(R"({"type":"object"})");
    const auto body = ollama_chat_body(request);
    EXPECT_EQ(body.at("stream"), false);
    EXPECT_EQ(body.at("options"), json::parse(R"({"temperature":0.0,"num_predict":50})"));
    EXPECT_EQ(body.at("format"), request.schema);
    EXPECT_EQ(body.at("messages").as_array()[1],
              json::parse(R"({"role":"user","content":"what is this?",
                              "images":["iVBORw0KGgo="]})"));
    EXPECT_EQ(ollama_endpoint("http://h:11434"), "http://h:11434/api/chat");
    EXPECT_EQ(ollama_endpoint("http://h:11434/api"), "http://h:11434/api/chat");
}

TEST(ChatWireOllama, ToolsUseFunctionFormatAndToolTurnsCarryObjects) {
    ChatRequest request;
    request.model = "llama3.1";
    request.messages.push_back(ChatMessage::text("user", "weather?"));
    ChatMessage assistant;
    assistant.role = "assistant";
    assistant.tool_calls = {{"call_1", "get_weather", R"({"city":"Oslo"})"}};
    request.messages.push_back(assistant);
    auto tool = ChatMessage::text("tool", "sunny");
    tool.tool_call_id = "call_1";
    tool.tool_name = "get_weather";
    request.messages.push_back(tool);
    request.tools.push_back(ToolSpec{"get_weather", "Weather", json::object{{"type", "object"}}});
    const auto body = ollama_chat_body(request);
    EXPECT_EQ(body.at("tools"), json::parse(R"([{"type":"function","function":{
        "name":"get_weather","description":"Weather","parameters":{"type":"object"}}}])"));
    const auto& messages = body.at("messages").as_array();
    EXPECT_EQ(messages[1], json::parse(R"({"role":"assistant","content":"","tool_calls":[
        {"function":{"name":"get_weather","arguments":{"city":"Oslo"}}}]})"));
    EXPECT_EQ(messages[2], json::parse(R"({"role":"tool","content":"sunny",
                                           "tool_name":"get_weather"})"));
    EXPECT_FALSE(body.contains("format"));
}

TEST(ChatWireOllama, ImageUrlsAreRefused) {
    ChatRequest request;
    auto user = ChatMessage::text("user", "look");
    user.parts.push_back(ContentPart::from_image("https://example.com/a.png"));
    request.messages.push_back(user);
    EXPECT_THROW(ollama_chat_body(request), ChatRequestError);
}

TEST(ChatWireOllama, ReplyMapsCountsAndToolCalls) {
    const auto reply = parse_ollama_reply(json::parse(R"({"model":"llama3","message":{
        "role":"assistant","content":"",
        "tool_calls":[{"function":{"name":"f","arguments":{"q":"x"}}}]},
        "prompt_eval_count":12,"eval_count":3})"));
    ASSERT_EQ(reply.tool_calls.size(), 1u);
    EXPECT_EQ(reply.tool_calls[0].id, "call_1");
    EXPECT_EQ(reply.tool_calls[0].arguments_text, R"({"q":"x"})");
    EXPECT_EQ(json::value(reply.usage),
              json::parse(R"({"prompt_tokens":12,"completion_tokens":3,"total_tokens":15})"));
}

}  // namespace
}  // namespace clara::nodes::llm
