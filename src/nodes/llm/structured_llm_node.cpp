// `structured-llm` (nodes.md § 9, DECISIONS.md § 5): JSON that matches the user's example,
// asked for as a strict JSON schema, retried once as plain JSON on an HTTP 400, and checked
// against the schema before it is returned.
#include "engine/execution_context.hpp"
#include "engine/js_value.hpp"
#include "nodes/llm/chat_call.hpp"
#include "nodes/llm/json_answer.hpp"
#include "nodes/llm/json_schema_from_example.hpp"
#include "nodes/llm/model_nodes.hpp"
#include "nodes/llm/schema_check.hpp"
#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"
#include "util/json_text.hpp"

#include <boost/json.hpp>

namespace clara::nodes::llm {
namespace json = boost::json;
using engine::FailureKind;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

constexpr std::string_view kPrefix = "Structured LLM execution failed: ";

constexpr std::string_view kSystemBase =
    "You are a precise assistant that answers with JSON. Your answer must be valid JSON that "
    "exactly matches the structure of the example the user gives: the same keys, the same "
    "nesting and the same value types, with values that answer the user's request.";
constexpr std::string_view kJsonOnly =
    "Respond with the JSON only: no explanations, no prose and no markdown code fences.";
constexpr std::string_view kStricter =
    "IMPORTANT: your whole reply must be one valid JSON value and nothing else. Start with the "
    "first character of the JSON and stop after its last character.";

/// Whether the answer is asked for as a JSON schema (useStructuredOutput).
enum class SchemaMode { kAuto, kForce, kDisable };

struct StructuredConfig {
    NodeServicesPtr services;
    ProviderRoute route;
    ModelOptions options;
    SchemaMode mode = SchemaMode::kAuto;
    json::value example_fallback;  ///< data.jsonExample (null when empty)
    CallLabels labels;
};

/// One run's request, kept for the fallback call.
struct StructuredRun {
    ChatRequest request;
    json::value schema;
    std::string system;  ///< the system message without the stricter fallback paragraph
};

std::string example_text(const json::value& example) {
    if (example.is_string()) {
        return std::string(example.get_string());
    }
    if (example.is_object() || example.is_array()) {
        return util::to_json_text(example);
    }
    return engine::to_text(example);
}

StructuredRun prepare(const StructuredConfig& config, NodeRun& run) {
    const auto* prompt_value = run.inputs().read({"prompt", "user", "input", "message"});
    const std::string prompt = prompt_value ? engine::to_text(*prompt_value) : std::string();
    if (prompt.empty()) {
        throw NodeFailure(std::string(kPrefix) + "Prompt is required for Structured LLM node");
    }
    const auto* example_value = run.inputs().get("jsonExample");
    if (is_empty(example_value)) {
        example_value = &config.example_fallback;
    }
    const std::string example = example_text(*example_value);
    if (example.empty()) {
        throw NodeFailure(std::string(kPrefix) +
                          "JSON Example is required for Structured LLM node");
    }
    boost::system::error_code ec;
    const json::value parsed_example = json::parse(example, ec);
    if (ec) {
        throw NodeFailure(std::string(kPrefix) +
                          "Invalid JSON example format. Please provide valid JSON.");
    }

    StructuredRun state;
    state.schema = schema_from_example(parsed_example);
    const bool schema_mode = config.mode != SchemaMode::kDisable;
    state.system = std::string(kSystemBase);
    const auto* context_value = run.inputs().get("context");
    const std::string context = context_value ? engine::to_text(*context_value) : std::string();
    if (!context.empty()) {
        state.system += "\n\nAdditional context: " + context;
    }
    if (!schema_mode) {
        state.system += "\n\n" + std::string(kJsonOnly);
    }

    auto& request = state.request;
    request.model = config.options.model;
    request.temperature = config.options.temperature;
    request.max_tokens = config.options.max_tokens;
    request.messages.push_back(ChatMessage::text("system", state.system));
    request.messages.push_back(ChatMessage::text(
        "user", prompt + "\n\nPlease answer with JSON that follows this exact structure:\n" +
                    example + "\n\nRespond only with the JSON."));
    if (schema_mode) {
        request.format = AnswerFormat::kJsonSchema;
        request.schema = state.schema;
        request.schema_name = "structured_output";
        request.schema_description = "JSON answer with the structure of the user's example";
    } else {
        request.format = AnswerFormat::kJsonObject;
    }
    return state;
}

void finish(NodeRun& run, const StructuredConfig& config, const StructuredRun& state,
            ChatReply& reply, std::string_view method) {
    const std::string raw = std::move(reply.text);
    if (raw.empty()) {
        throw NodeFailure(std::string(kPrefix) + "No response received from API" +
                              provider_suffix(config.route),
                          FailureKind::kUpstream);
    }
    auto parsed = parse_json_answer(raw);
    if (!parsed) {
        throw NodeFailure(std::string(kPrefix) +
                          "API returned invalid JSON. Raw response: " + shorten(raw, 500));
    }
    if (auto mismatch = find_schema_mismatch(*parsed, state.schema)) {
        throw NodeFailure(std::string(kPrefix) +
                          "The model's JSON does not match the JSON example at " + *mismatch);
    }
    run.succeed(json::object{{"jsonOutput", std::move(*parsed)},
                             {"rawResponse", raw},
                             {"usage", std::move(reply.usage)},
                             {"method", method}});
}

class StructuredLlmNode final : public engine::NodeInstance {
public:
    explicit StructuredLlmNode(std::shared_ptr<const StructuredConfig> config)
        : config_(std::move(config)) {}

    void start(NodeRun& run) const override {
        run_guarded(run, [&] {
            auto state = std::make_shared<StructuredRun>(prepare(*config_, run));
            const std::string_view method = state->request.format == AnswerFormat::kJsonSchema
                                                ? "structured_output"
                                                : "prompt_based";
            send_chat(run, *config_->services, config_->route, state->request, config_->labels,
                      [&run, config = config_, state, method](ChatOutcome outcome) {
                          if (outcome.reply) {
                              finish(run, *config, *state, *outcome.reply, method);
                          } else if (outcome.status == 400) {
                              send_fallback(run, config, state);
                          } else {
                              throw status_failure(outcome, config->route, config->labels);
                          }
                      });
        });
    }

private:
    /// The one retry after a 400: no response format, and a stricter JSON-only instruction.
    static void send_fallback(NodeRun& run, const std::shared_ptr<const StructuredConfig>& config,
                              const std::shared_ptr<StructuredRun>& state) {
        run.context().warn(config->labels.node_id,
                           "The provider refused the JSON response format (HTTP 400); retrying "
                           "once with a JSON-only prompt");
        auto request = state->request;
        request.format = AnswerFormat::kText;
        request.schema = nullptr;
        std::string system = state->system;
        if (system.find(kJsonOnly) == std::string::npos) {
            system += "\n\n" + std::string(kJsonOnly);
        }
        request.messages.front() = ChatMessage::text("system", system + "\n\n" +
                                                                   std::string(kStricter));
        send_chat(run, *config->services, config->route, std::move(request), config->labels,
                  [&run, config, state](ChatOutcome outcome) {
                      if (!outcome.reply) {
                          throw status_failure(outcome, config->route, config->labels);
                      }
                      finish(run, *config, *state, *outcome.reply, "prompt_based_fallback");
                  });
    }

    std::shared_ptr<const StructuredConfig> config_;
};

SchemaMode read_mode(const json::object& data) {
    const std::string mode = string_or(data, "useStructuredOutput", "auto");
    if (mode == "disable") {
        return SchemaMode::kDisable;
    }
    return mode == "force" ? SchemaMode::kForce : SchemaMode::kAuto;
}

}  // namespace

engine::NodeType structured_llm_node_type(const NodeServicesPtr& services) {
    return engine::NodeType{
        .type = "structured-llm",
        .aliases = {},
        .role = engine::NodeRole::kProcessing,
        .inputs = {{"prompt", "Prompt"}, {"jsonExample", "JSON Example"}, {"context", "Context"}},
        .outputs = {{"jsonOutput", "JSON Output"},
                    {"rawResponse", "Raw Response"},
                    {"usage", "Usage Stats"}},
        .primary_output = "jsonOutput",
        .create = [services](const engine::NodeDecl& decl, engine::Diagnostics& diag)
            -> std::unique_ptr<engine::NodeInstance> {
            auto config = std::make_shared<StructuredConfig>();
            config->services = services;
            config->route = resolve_llm_route(decl.data, services->settings);
            warn_if_refused(*services, decl, config->route.base_url, diag);
            config->options = read_model_options(decl.data, "model", "gpt-4o-mini", 1000);
            config->mode = read_mode(decl.data);
            if (const auto* example = non_empty(decl.data, "jsonExample")) {
                config->example_fallback = *example;
            }
            config->labels = {decl.id, std::string(kPrefix), "Structured LLM API Error"};
            return std::make_unique<StructuredLlmNode>(std::move(config));
        },
    };
}

}  // namespace clara::nodes::llm
