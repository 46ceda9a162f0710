// `llm` / `llm-chat` (nodes.md § 8): one chat call with system prompt, memory, context, the
// user message and an optional image.
#include "engine/js_value.hpp"
#include "nodes/llm/chat_call.hpp"
#include "nodes/llm/image_reference.hpp"
#include "nodes/llm/model_nodes.hpp"
#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"

#include <boost/json.hpp>

#include <array>

namespace clara::nodes::llm {
namespace json = boost::json;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

constexpr std::string_view kPrefix = "LLM execution failed: ";

/// What the node needs at run time, shared by the calls in flight.
struct LlmConfig {
    NodeServicesPtr services;
    ProviderRoute route;
    ModelOptions options;
    std::string system_fallback;  ///< data.systemPrompt, else data.systemMessage
    CallLabels labels;
};

bool is_memory_role(std::string_view role) {
    static constexpr std::array<std::string_view, 4> kRoles{"system", "user", "assistant",
                                                            "tool"};
    return std::find(kRoles.begin(), kRoles.end(), role) != kRoles.end();
}

/// A content part of a memory entry given in OpenAI's array form.
void add_memory_part(const json::value& part, ChatMessage& message) {
    const auto* object = part.if_object();
    if (object == nullptr) {
        if (part.is_string()) {
            message.parts.push_back(ContentPart::from_text(std::string(part.get_string())));
        }
        return;
    }
    const auto* type = object->if_contains("type");
    const std::string_view kind = type && type->is_string() ? std::string_view(type->get_string())
                                                            : std::string_view();
    if (kind == "text") {
        if (const auto* text = object->if_contains("text"); text && text->is_string()) {
            message.parts.push_back(ContentPart::from_text(std::string(text->get_string())));
        }
    } else if (kind == "image_url") {
        const auto* image = object->if_contains("image_url");
        if (image && image->is_object()) {
            image = image->get_object().if_contains("url");
        }
        if (image && image->is_string()) {
            message.parts.push_back(ContentPart::from_image(std::string(image->get_string())));
        }
    }
}

/// A memory entry (nodes.md § 8 step 2.2): sent verbatim to OpenAI-compatible providers and
/// converted for the others.
ChatMessage memory_message(const json::value& entry) {
    const auto* object = entry.if_object();
    const auto* role = object ? object->if_contains("role") : nullptr;
    const auto* content = object ? object->if_contains("content") : nullptr;
    if (role == nullptr || !role->is_string() || !is_memory_role(role->get_string()) ||
        content == nullptr || !(content->is_string() || content->is_array())) {
        throw NodeFailure(std::string(kPrefix) + "Invalid memory entry");
    }
    ChatMessage message;
    message.role = std::string(role->get_string());
    message.verbatim = *object;
    if (content->is_string()) {
        message.parts.push_back(ContentPart::from_text(std::string(content->get_string())));
    } else {
        for (const auto& part : content->get_array()) {
            add_memory_part(part, message);
        }
    }
    if (const auto* id = object->if_contains("tool_call_id"); id && id->is_string()) {
        message.tool_call_id = std::string(id->get_string());
    }
    if (const auto* name = object->if_contains("name"); name && name->is_string()) {
        message.tool_name = std::string(name->get_string());
    }
    return message;
}

std::string text_input(const NodeRun& run, std::initializer_list<std::string_view> keys) {
    const auto* value = run.inputs().read(keys);
    return value != nullptr ? engine::to_text(*value) : std::string();
}

ChatRequest build_request(const LlmConfig& config, NodeRun& run) {
    const std::string user = text_input(run, {"user", "input", "message"});
    if (user.empty()) {
        throw NodeFailure(std::string(kPrefix) + "LLM node requires user message");
    }
    ChatRequest request;
    request.model = config.options.model;
    request.temperature = config.options.temperature;
    request.max_tokens = config.options.max_tokens;

    std::string system = text_input(run, {"system"});
    if (system.empty()) {
        system = config.system_fallback;
    }
    if (!system.empty()) {
        request.messages.push_back(ChatMessage::text("system", system));
    }
    if (const auto* memory = run.inputs().get("memory"); memory && memory->is_array()) {
        for (const auto& entry : memory->get_array()) {
            request.messages.push_back(memory_message(entry));
        }
    }
    const std::string context = text_input(run, {"context"});
    if (!context.empty()) {
        request.messages.push_back(ChatMessage::text("system", "Context: " + context));
    }
    ChatMessage user_message = ChatMessage::text("user", user);
    if (const auto* image = run.inputs().get("image")) {
        if (auto url = image_url_from_input(*image)) {
            user_message.parts.push_back(ContentPart::from_image(std::move(*url)));
        }
    }
    request.messages.push_back(std::move(user_message));
    return request;
}

class LlmNode final : public engine::NodeInstance {
public:
    explicit LlmNode(std::shared_ptr<const LlmConfig> config) : config_(std::move(config)) {}

    void start(NodeRun& run) const override {
        run_guarded(run, [&] {
            auto request = build_request(*config_, run);
            send_chat(run, *config_->services, config_->route, std::move(request),
                      config_->labels, [&run, config = config_](ChatOutcome outcome) {
                          if (!outcome.reply) {
                              throw status_failure(outcome, config->route, config->labels);
                          }
                          auto& reply = *outcome.reply;
                          run.succeed(json::object{
                              {"response", std::move(reply.text)},
                              {"usage", std::move(reply.usage)},
                              {"model", reply.model.value_or(config->options.model)}});
                      });
        });
    }

private:
    std::shared_ptr<const LlmConfig> config_;
};

}  // namespace

engine::NodeType llm_node_type(const NodeServicesPtr& services) {
    return engine::NodeType{
        .type = "llm",
        .aliases = {"llm-chat"},
        .role = engine::NodeRole::kProcessing,
        .inputs = {{"system", "System Message"},
                   {"user", "User Message"},
                   {"context", "Pre-context"},
                   {"memory", "Memory"},
                   {"image", "Image"}},
        .outputs = {{"response", "Response"}, {"usage", "Usage Stats"}},
        .primary_output = "response",
        .create = [services](const engine::NodeDecl& decl, engine::Diagnostics& diag)
            -> std::unique_ptr<engine::NodeInstance> {
            auto config = std::make_shared<LlmConfig>();
            config->services = services;
            config->route = resolve_llm_route(decl.data, services->settings);
            warn_if_refused(*services, decl, config->route.base_url, diag);
            config->options = read_model_options(decl.data, "model", "gpt-3.5-turbo", 1000);
            config->system_fallback = string_or(decl.data, "systemPrompt", "");
            if (config->system_fallback.empty()) {
                config->system_fallback = string_or(decl.data, "systemMessage", "");
            }
            config->labels = {decl.id, std::string(kPrefix), "LLM API error"};
            return std::make_unique<LlmNode>(std::move(config));
        },
    };
}

}  // namespace clara::nodes::llm
