// `notebook-writer` (nodes.md § 19): stores text as a document of a notebook through the
// notebook service's upload endpoint. Never fabricates a document id: every failure after the
// text check is a soft failure with `success:false`.
#include "engine/execution_context.hpp"
#include "engine/js_value.hpp"
#include "engine/multipart_form.hpp"
#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"
#include "nodes/services/notebook_backend.hpp"
#include "nodes/services/service_node_types.hpp"
#include "nodes/services/service_text.hpp"
#include "nodes/services/soft_failure.hpp"
#include "util/utf8.hpp"

namespace clara::nodes {
namespace json = boost::json;
using engine::FailureKind;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

constexpr std::size_t kTitleLimit = 50;  // longer first lines are cut to 47 + "..."

/// The node's `data`, parsed once.
struct NotebookWriterSettings {
    std::string node_id;
    std::string notebook_id;
    std::string title;
};

/// The document title: documentTitle, else the text's first line (shortened), else a default.
std::string document_title(const NotebookWriterSettings& settings, const std::string& text) {
    if (!settings.title.empty()) {
        return settings.title;
    }
    auto title = js_trim(std::string_view(text).substr(0, text.find('\n')));
    if (utf16_length(title) > kTitleLimit) {
        title = utf16_prefix(title, kTitleLimit - 3) + "...";
    }
    return title.empty() ? std::string("Untitled Document") : title;
}

/// The title with every character but ASCII letters, digits and whitespace replaced by '_'
/// (one per UTF-16 unit, as the Studio's regular expression did), lower-cased, plus ".txt".
std::string document_file_name(std::string_view title) {
    std::string name;
    std::size_t i = 0;
    while (i < title.size()) {
        const auto start = i;
        const char32_t c = util::next_code_point(title, i);
        if (c < 0x80 && std::isalnum(static_cast<int>(c))) {
            name += static_cast<char>(std::tolower(static_cast<int>(c)));
        } else if (util::is_js_whitespace(c)) {
            name.append(title.substr(start, i - start));
        } else {
            name.append(c >= 0x10000 ? "__" : "_");
        }
    }
    return name + ".txt";
}

void finish_soft(NodeRun& run,
                 const NotebookWriterSettings& settings,
                 const std::string& message,
                 FailureKind kind) {
    report_soft_failure(run, settings.node_id, "Notebook writer failed: " + message, kind);
    run.succeed(json::object{{"documentId", nullptr}, {"success", false}, {"error", message}});
}

class NotebookWriterNode final : public engine::NodeInstance {
public:
    NotebookWriterNode(NodeServicesPtr services, NotebookWriterSettings settings)
        : services_(std::move(services)),
          settings_(std::make_shared<const NotebookWriterSettings>(std::move(settings))) {}

    void start(NodeRun& run) const override {
        run_guarded(run, [&] {
            const auto* input = run.inputs().read({"text", "content", "value", "output"});
            auto text = input != nullptr ? engine::to_text(*input) : std::string();
            if (js_trim(text).empty()) {
                throw NodeFailure("Text content is required for notebook writing");
            }
            const auto base = notebook_base_url(services_->settings);
            if (const auto problem = notebook_call_problem(settings_->notebook_id, base);
                !problem.empty()) {
                finish_soft(run, *settings_, problem, FailureKind::kNode);
                return;
            }
            const auto title = document_title(*settings_, text);
            auto form = engine::build_multipart_form({{.name = "files",
                                                       .data = std::move(text),
                                                       .filename = document_file_name(title),
                                                       .content_type = "text/plain"}});
            engine::OutboundRequest request;
            request.method = "POST";
            request.url = notebook_url(base, settings_->notebook_id, "/documents");
            request.headers = {{"Content-Type", std::move(form.content_type)}};
            request.body = std::move(form.body);
            request.timeout = services_->settings.llm_timeout;
            request.max_response_bytes = services_->settings.node_max_response_bytes;

            send_outbound(run, *services_, std::move(request),
                          [settings = settings_, &run](engine::OutboundResult outcome) {
                              on_answer(run, *settings, std::move(outcome));
                          });
        });
    }

private:
    static void on_answer(NodeRun& run,
                          const NotebookWriterSettings& settings,
                          engine::OutboundResult outcome) {
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
        const json::value* id = nullptr;
        if (body && body->is_array() && !body->get_array().empty() &&
            body->get_array()[0].is_object()) {
            const auto& document = body->get_array()[0].get_object();
            id = document.if_contains("id");
            if (const auto* status = document.if_contains("status");
                status != nullptr && status->is_string() && status->get_string() == "failed") {
                run.context().warn(settings.node_id,
                                   "the notebook service reports the document as failed: " +
                                       string_member(document.if_contains("error")));
            }
        }
        if (is_empty(id)) {
            finish_soft(run, settings, "Failed to create document - no result returned",
                        FailureKind::kUpstream);
            return;
        }
        run.succeed(json::object{{"documentId", *id}, {"success", true}});
    }

    NodeServicesPtr services_;
    std::shared_ptr<const NotebookWriterSettings> settings_;
};

}  // namespace

engine::NodeType notebook_writer_node_type(const NodeServicesPtr& services) {
    return engine::NodeType{
        .type = "notebook-writer",
        .aliases = {},
        .inputs = {{"text", "Text Content"}},
        .outputs = {{"documentId", "Document ID"}, {"success", "Success"}},
        .primary_output = "documentId",
        .create = [services](const engine::NodeDecl& decl,
                             engine::Diagnostics&) -> std::unique_ptr<engine::NodeInstance> {
            NotebookWriterSettings settings;
            settings.node_id = decl.id;
            settings.notebook_id = notebook_id_of(decl.data);
            settings.title = js_trim(string_or(decl.data, "documentTitle", ""));
            return std::make_unique<NotebookWriterNode>(services, std::move(settings));
        },
    };
}

}  // namespace clara::nodes
