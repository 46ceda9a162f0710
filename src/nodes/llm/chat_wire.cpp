#include "nodes/llm/chat_wire.hpp"

#include "util/json_text.hpp"

namespace clara::nodes::llm {

engine::OutboundRequest build_chat_request(const ChatRequest& request, const ProviderRoute& route) {
    engine::OutboundRequest out;
    out.method = "POST";
    out.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    switch (route.api) {
        case ChatApi::kOpenAiCompatible:
            out.url = openai_endpoint(route.base_url);
            out.body = util::to_json_text(openai_chat_body(request));
            if (!route.api_key.empty()) {
                out.headers.emplace_back("Authorization", "Bearer " + route.api_key);
            }
            break;
        case ChatApi::kAnthropic:
            out.url = anthropic_endpoint(route.base_url);
            out.body = util::to_json_text(anthropic_messages_body(request));
            out.headers.emplace_back("anthropic-version", "2023-06-01");
            if (!route.api_key.empty()) {
                out.headers.emplace_back("x-api-key", route.api_key);
            }
            break;
        case ChatApi::kOllama:
            out.url = ollama_endpoint(route.base_url);
            out.body = util::to_json_text(ollama_chat_body(request));
            if (!route.api_key.empty()) {  // a key written in the workflow, e.g. for a proxy
                out.headers.emplace_back("Authorization", "Bearer " + route.api_key);
            }
            break;
    }
    return out;
}

ChatReply parse_chat_reply(ChatApi api, const ChatRequest& request,
                           const boost::json::value& body) {
    switch (api) {
        case ChatApi::kAnthropic:
            return parse_anthropic_reply(request, body);
        case ChatApi::kOllama:
            return parse_ollama_reply(body);
        case ChatApi::kOpenAiCompatible:
            break;
    }
    return parse_openai_reply(body);
}

}  // namespace clara::nodes::llm
