#include "nodes/llm/provider_route.hpp"
#include "nodes/url_origin.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace clara::nodes::llm {
namespace {

namespace json = boost::json;

config::ServiceSettings keyed_settings() {
    config::ServiceSettings settings;
    settings.openai_api_key = "sk-openai";
    settings.anthropic_api_key = "sk-ant";
    settings.openrouter_api_key = "sk-or";
    return settings;
}

json::object data(std::string_view text) { return json::parse(text).as_object(); }

TEST(ProviderRoute, OriginFillsDefaultPortsAndLowersCase) {
    EXPECT_EQ(url_origin("https://API.OpenAI.com/v1"), "https://api.openai.com:443");
    EXPECT_EQ(url_origin("http://127.0.0.1:8080/v1/"), "http://127.0.0.1:8080");
    EXPECT_EQ(url_origin("http://localhost/x"), "http://localhost:80");
    EXPECT_FALSE(url_origin("ftp://example.com"));
    EXPECT_FALSE(url_origin("not a url"));
}

TEST(ProviderRoute, HostNamesThePortOnlyWhenWritten) {
    EXPECT_EQ(url_host("https://api.openai.com/v1"), "api.openai.com");
    EXPECT_EQ(url_host("http://127.0.0.1:8091/v1"), "127.0.0.1:8091");
}

TEST(ProviderRoute, ServerKeysGoOnlyToTheirOwnOrigin) {
    const auto settings = keyed_settings();
    EXPECT_EQ(server_key_for("https://api.openai.com/v1", settings), "sk-openai");
    EXPECT_EQ(server_key_for("https://api.openai.com/other", settings), "sk-openai");
    EXPECT_EQ(server_key_for("https://openrouter.ai/api/v1", settings), "sk-or");
    EXPECT_EQ(server_key_for("https://api.anthropic.com/v1", settings), "sk-ant");
    EXPECT_EQ(server_key_for("https://evil.example.com/v1", settings), "");
    EXPECT_EQ(server_key_for("http://api.openai.com/v1", settings), "");  // other scheme
    EXPECT_EQ(server_key_for("https://api.openai.com:8443/v1", settings), "");
    EXPECT_EQ(server_key_for("https://api.openai.com.evil.example/v1", settings), "");
}

TEST(ProviderRoute, WorkflowUrlWithoutKeyGetsNoServerKey) {
    const auto settings = keyed_settings();
    const auto route = resolve_llm_route(data(R"({"apiBaseUrl":"http://10.0.0.5:9000/v1"})"),
                                         settings);
    EXPECT_EQ(route.base_url, "http://10.0.0.5:9000/v1");
    EXPECT_EQ(route.api_key, "");
    EXPECT_EQ(route.api, ChatApi::kOpenAiCompatible);
}

TEST(ProviderRoute, WorkflowKeyGoesToTheWorkflowUrl) {
    const auto route = resolve_llm_route(
        data(R"({"apiBaseUrl":" http://10.0.0.5:9000/v1/ ","apiKey":"own-key"})"),
        keyed_settings());
    EXPECT_EQ(route.base_url, "http://10.0.0.5:9000/v1");
    EXPECT_EQ(route.api_key, "own-key");
    EXPECT_EQ(route.host, "10.0.0.5:9000");
}

TEST(ProviderRoute, EmptyBaseUrlUsesTheConfiguredOpenAiBaseAndKey) {
    auto settings = keyed_settings();
    settings.openai_api_base_url = "http://127.0.0.1:7000/v1";
    const auto route = resolve_llm_route(data(R"({"apiBaseUrl":"","apiKey":"  "})"), settings);
    EXPECT_EQ(route.base_url, "http://127.0.0.1:7000/v1");
    EXPECT_EQ(route.api_key, "sk-openai");
}

TEST(ProviderRoute, SelectsAnthropicByHostConfiguredOriginOrProvider) {
    auto settings = keyed_settings();
    settings.anthropic_api_base_url = "http://127.0.0.1:7100/v1";
    EXPECT_EQ(select_chat_api("https://api.anthropic.com/v1", "", settings), ChatApi::kAnthropic);
    EXPECT_EQ(select_chat_api("http://127.0.0.1:7100/v1", "", settings), ChatApi::kAnthropic);
    EXPECT_EQ(select_chat_api("http://10.1.1.1/v1", "anthropic", settings), ChatApi::kAnthropic);
    EXPECT_EQ(select_chat_api("http://127.0.0.1:7101/v1", "", settings),
              ChatApi::kOpenAiCompatible);
}

TEST(ProviderRoute, SelectsOllamaNativeOnlyWithoutV1Path) {
    auto settings = keyed_settings();
    settings.ollama_url = "http://127.0.0.1:11434";
    EXPECT_EQ(select_chat_api("http://127.0.0.1:11434", "", settings), ChatApi::kOllama);
    EXPECT_EQ(select_chat_api("http://127.0.0.1:11434/v1", "", settings),
              ChatApi::kOpenAiCompatible);
    EXPECT_EQ(select_chat_api("http://gpu-box:11434", "ollama", settings), ChatApi::kOllama);
    EXPECT_EQ(select_chat_api("http://gpu-box:11434/v1", "ollama", settings),
              ChatApi::kOpenAiCompatible);
    EXPECT_EQ(select_chat_api("http://gpu-box:11434", "", settings), ChatApi::kOpenAiCompatible);
}

TEST(ProviderRoute, AgentProviderRowsUseTheirOwnBaseAndKey) {
    auto settings = keyed_settings();
    settings.ollama_url = "http://127.0.0.1:11434";
    auto openai = resolve_agent_provider(data(R"({"provider":"openai","textModel":"gpt-4o"})"),
                                         settings);
    EXPECT_EQ(openai.route.base_url, "https://api.openai.com/v1");
    EXPECT_EQ(openai.route.api_key, "sk-openai");
    EXPECT_EQ(openai.model, "gpt-4o");

    auto router = resolve_agent_provider(data(R"({"provider":"openrouter"})"), settings);
    EXPECT_EQ(router.route.base_url, "https://openrouter.ai/api/v1");
    EXPECT_EQ(router.route.api_key, "sk-or");
    EXPECT_EQ(router.model, "gpt-4o-mini");

    auto anthropic = resolve_agent_provider(
        data(R"({"provider":"anthropic","textModel":"anthropic:claude-3-5-haiku"})"), settings);
    EXPECT_EQ(anthropic.route.api, ChatApi::kAnthropic);
    EXPECT_EQ(anthropic.route.api_key, "sk-ant");
    EXPECT_EQ(anthropic.model, "claude-3-5-haiku");

    auto ollama = resolve_agent_provider(
        data(R"({"provider":"ollama","textModel":"llama3.2:latest"})"), settings);
    EXPECT_EQ(ollama.route.base_url, "http://127.0.0.1:11434/v1");
    EXPECT_EQ(ollama.route.api, ChatApi::kOpenAiCompatible);
    EXPECT_EQ(ollama.route.api_key, "");
    EXPECT_EQ(ollama.model, "llama3.2:latest");
}

TEST(ProviderRoute, AgentUnknownProviderUsesTheDefaultBaseWithItsMatchingKey) {
    auto settings = keyed_settings();
    settings.agent_default_base_url = "https://openrouter.ai/api/v1";
    const auto agent = resolve_agent_provider(
        data(R"({"provider":"eb8e1c2a-1234-4abc-9def-0123456789ab",
                 "textModel":"eb8e1c2a-1234-4abc-9def-0123456789ab:gpt-oss-20b"})"),
        settings);
    EXPECT_EQ(agent.route.base_url, "https://openrouter.ai/api/v1");
    EXPECT_EQ(agent.route.api_key, "sk-or");
    EXPECT_EQ(agent.model, "gpt-oss-20b");
}

TEST(ProviderRoute, AgentCustomProviderAndOwnUrlNeverGetServerKeys) {
    const auto settings = keyed_settings();
    const auto custom = resolve_agent_provider(
        data(R"({"provider":"openai","useCustomProvider":true,
                 "customProviderUrl":"https://llm.example.com/v1","customProviderModel":"m1"})"),
        settings);
    EXPECT_EQ(custom.route.base_url, "https://llm.example.com/v1");
    EXPECT_EQ(custom.route.api_key, "");
    EXPECT_EQ(custom.model, "m1");

    const auto own = resolve_agent_provider(
        data(R"({"provider":"openai","apiBaseUrl":"https://llm.example.com/v1","apiKey":"k"})"),
        settings);
    EXPECT_EQ(own.route.base_url, "https://llm.example.com/v1");
    EXPECT_EQ(own.route.api_key, "k");
}

TEST(ProviderRoute, ModelPrefixIsStrippedOnlyForTheProviderOrAUuid) {
    EXPECT_EQ(normalise_agent_model("llama3.2:latest", "ollama"), "llama3.2:latest");
    EXPECT_EQ(normalise_agent_model("ollama:llama3.2:latest", "ollama"), "llama3.2:latest");
    EXPECT_EQ(normalise_agent_model("eb8e1c2a-1234-4abc-9def-0123456789ab:gpt-oss", "x"),
              "gpt-oss");
    EXPECT_EQ(normalise_agent_model("gpt-4o", "openai"), "gpt-4o");
}

}  // namespace
}  // namespace clara::nodes::llm
