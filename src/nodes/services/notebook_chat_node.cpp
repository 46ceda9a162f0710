// `notebook-chat` (nodes.md § 20): asks a notebook a question through the notebook service's
// chat endpoint. Never fabricates an answer: every failure after the query check is a soft
// failure with `success:false`.
#include "engine/js_value.hpp"
#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"
#include "nodes/services/notebook_backend.hpp"
#include "nodes/services/service_node_types.hpp"
#include "nodes/services/service_text.hpp"
#include "nodes/services/soft_failure.hpp"
#include "util/json_text.hpp"

namespace clara::nodes {
namespace json = boost::json;
using engine::FailureKind;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

/// The node's `data`, parsed once.
struct NotebookChatSettings {
    std::string node_id;
    std::string notebook_id;
    std::string mode = "hybrid";
    bool use_chat_history = true;
};

void finish_soft(NodeRun& run,
                 const NotebookChatSettings& settings,
                 const std::string& message,
                 FailureKind kind) {
    report_soft_failure(run, settings.node_id, "Notebook chat failed: " + message, kind);
    run.succeed(json::object{{"answer", ""},
                             {"citations", json::array()},
                             {"success", false},
                             {"citationCount", 0},
                             {"responseLength", 0},
                             {"error", message}});
}

void on_answer(NodeRun& run, const NotebookChatSettings& settings, engine::OutboundResult outcome) {
    if (auto* error = std::get_if<engine::OutboundError>(&outcome)) {
        finish_soft(run, settings, error->message, failure_kind_of(*error));
        return;
    }
    const auto& response = std::get<engine::OutboundResponse>(outcome);
    if (!is_success(response.status)) {
        finish_soft(run, settings, notebook_error(response), FailureKind::kUpstream);
        return;
    }
    const auto body = parse_json(response.body);
    const json::object empty;
    const auto& answer_object = body && body->is_object() ? body->get_object() : empty;
    const auto* answer_value = answer_object.if_contains("answer");
    const auto answer = answer_value != nullptr && !answer_value->is_null()
                            ? engine::to_text(*answer_value)
                            : std::string();
    if (answer.empty()) {
        finish_soft(run, settings, "No response received from notebook", FailureKind::kUpstream);
        return;
    }
    json::array citations;
    if (const auto* list = answer_object.if_contains("citations");
        list != nullptr && list->is_array()) {
        citations = list->get_array();
    }
    const auto count = citations.size();
    run.succeed(json::object{{"answer", answer},
                             {"citations", std::move(citations)},
                             {"success", true},
                             {"citationCount", count},
                             {"responseLength", utf16_length(answer)}});
}

class NotebookChatNode final : public engine::NodeInstance {
public:
    NotebookChatNode(NodeServicesPtr services, NotebookChatSettings settings)
        : services_(std::move(services)),
          settings_(std::make_shared<const NotebookChatSettings>(std::move(settings))) {}

    void start(NodeRun& run) const override {
        run_guarded(run, [&] {
            const auto* input =
                run.inputs().read({"query", "question", "text", "content", "value", "output"});
            const auto query = js_trim(input != nullptr ? engine::to_text(*input) : std::string());
            if (query.empty()) {
                throw NodeFailure("Query text is required for notebook chat");
            }
            const auto base = notebook_base_url(services_->settings);
            if (const auto problem = notebook_call_problem(settings_->notebook_id, base);
                !problem.empty()) {
                finish_soft(run, *settings_, problem, FailureKind::kNode);
                return;
            }
            const json::object body{
                {"question", query},
                {"mode", settings_->mode},
                {"response_type", "Multiple Paragraphs"},
                {"top_k", 60},
                {"llm_provider", nullptr},
                {"use_chat_history", settings_->use_chat_history},
            };
            engine::OutboundRequest request;
            request.method = "POST";
            request.url = notebook_url(base, settings_->notebook_id, "/chat");
            request.headers = {{"Content-Type", "application/json"}};
            request.body = util::to_json_text(body);
            request.timeout = services_->settings.llm_timeout;
            request.max_response_bytes = services_->settings.node_max_response_bytes;

            send_outbound(run, *services_, std::move(request),
                          [settings = settings_, &run](engine::OutboundResult outcome) {
                              on_answer(run, *settings, std::move(outcome));
                          });
        });
    }

private:
    NodeServicesPtr services_;
    std::shared_ptr<const NotebookChatSettings> settings_;
};

}  // namespace

engine::NodeType notebook_chat_node_type(const NodeServicesPtr& services) {
    return engine::NodeType{
        .type = "notebook-chat",
        .aliases = {},
        .inputs = {{"query", "Query/Question"}},
        .outputs = {{"answer", "Answer"},
                    {"citations", "Citations"},
                    {"success", "Success"},
                    {"citationCount", "Citation Count"},
                    {"responseLength", "Response Length"}},
        .primary_output = "answer",
        .create = [services](const engine::NodeDecl& decl,
                             engine::Diagnostics& diag) -> std::unique_ptr<engine::NodeInstance> {
            NotebookChatSettings settings;
            settings.node_id = decl.id;
            settings.notebook_id = notebook_id_of(decl.data);
            settings.mode = string_or(decl.data, "responseMode", settings.mode);
            settings.use_chat_history = bool_or(decl.data, "useChatHistory", true);
            static constexpr std::array<std::string_view, 5> kModes{"hybrid", "global", "local",
                                                                    "naive", "mix"};
            if (std::find(kModes.begin(), kModes.end(), settings.mode) == kModes.end()) {
                diag.warnings.push_back("responseMode '" + settings.mode +
                                        "' is not one the notebook service knows (hybrid, "
                                        "global, local, naive, mix); it is sent as given");
            }
            return std::make_unique<NotebookChatNode>(services, std::move(settings));
        },
    };
}

}  // namespace clara::nodes
