// `text-to-speech` (nodes.md § 16): text to audio through the Python backend's `/synthesize`
// endpoint; the audio comes back as a data URL. Failures after the text check are soft.
#include "engine/js_value.hpp"
#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"
#include "nodes/services/service_node_types.hpp"
#include "nodes/services/service_text.hpp"
#include "nodes/services/soft_failure.hpp"
#include "util/base64.hpp"
#include "util/json_text.hpp"
#include "util/time_format.hpp"

namespace clara::nodes {
namespace json = boost::json;
using engine::FailureKind;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

constexpr std::size_t kPreviewLength = 100;  // UTF-16 units of text echoed in metadata

/// The node's `data`, parsed once.
struct TextToSpeechSettings {
    std::string node_id;
    std::string engine = "kokoro";
    std::string voice = "af_sarah";
    std::string language = "en";
    double speed = 1.0;
    double volume = 1.0;
    bool auto_play = true;
    std::optional<bool> slow;  ///< unset: speed < 1.0
    std::string base_url;      ///< empty: PYTHON_BACKEND_URL
};

TextToSpeechSettings parse_settings(const engine::NodeDecl& decl) {
    const auto& data = decl.data;
    TextToSpeechSettings s;
    s.node_id = decl.id;
    s.engine = string_or(data, "engine", s.engine);
    s.voice = string_or(data, "voice", s.voice);
    s.language = string_or(data, "language", s.language);
    s.speed = number_field(data, "speed").value_or(s.speed);
    s.volume = number_field(data, "volume").value_or(s.volume);
    s.auto_play = bool_or(data, "autoPlay", s.auto_play);
    if (const auto* slow = data.if_contains("slow"); slow != nullptr && slow->is_bool()) {
        s.slow = slow->get_bool();
    }
    s.base_url = trim_base_url(string_or(data, "baseUrl", ""));
    return s;
}

json::value now_iso() { return json::string(util::iso8601_ms(util::now_ms())); }

/// Ends the run with `{audioUrl:null, success:false, status, metadata}` (or fails it under
/// STRICT_NODE_ERRORS).
void finish_soft(NodeRun& run,
                 const TextToSpeechSettings& settings,
                 const std::string& message,
                 FailureKind kind) {
    const auto text = "Text-to-speech failed: " + message;
    report_soft_failure(run, settings.node_id, text, kind);
    const json::object error{{"error", text}, {"timestamp", now_iso()}};
    run.succeed(json::object{
        {"audioUrl", nullptr}, {"success", false}, {"status", error}, {"metadata", error}});
}

json::value success_result(const TextToSpeechSettings& s,
                           const std::string& text,
                           const engine::OutboundResponse& response) {
    auto mime = mime_essence(header_value(response.headers, "Content-Type"));
    if (mime.empty()) {
        mime = "audio/mpeg";
    }
    const auto length = utf16_length(text);
    auto preview = utf16_prefix(text, kPreviewLength);
    if (length > kPreviewLength) {
        preview += "...";
    }
    const json::object metadata{
        {"text", std::move(preview)},
        {"engine", s.engine},
        {"voice", s.voice},
        {"language", s.language},
        {"speed", json_number_value(s.speed)},
        {"volume", json_number_value(s.volume)},
        {"autoPlay", s.auto_play},
        {"textLength", length},
        {"audioPlayed", false},
        {"timestamp", now_iso()},
    };
    return json::object{
        {"audioUrl", "data:" + mime + ";base64," + util::base64_encode(response.body)},
        {"success", true},
        {"status", metadata},
        {"metadata", metadata},
    };
}

class TextToSpeechNode final : public engine::NodeInstance {
public:
    TextToSpeechNode(NodeServicesPtr services, TextToSpeechSettings settings)
        : services_(std::move(services)),
          settings_(std::make_shared<const TextToSpeechSettings>(std::move(settings))) {}

    void start(NodeRun& run) const override {
        run_guarded(run, [&] {
            const auto* input = run.inputs().read({"text", "input"});
            auto text = input != nullptr ? engine::to_text(*input) : std::string();
            if (js_trim(text).empty()) {
                throw NodeFailure("Text input is required for text-to-speech conversion");
            }
            const auto& config = services_->settings;
            auto base = settings_->base_url;
            if (base.empty()) {
                if (!config.python_backend_enabled) {
                    finish_soft(run, *settings_,
                                "the Python backend is disabled on this server "
                                "(PYTHON_BACKEND_ENABLED=false) and the node sets no baseUrl",
                                FailureKind::kNode);
                    return;
                }
                base = trim_base_url(config.python_backend_url);
            }
            const json::object body{
                {"text", text},
                {"language", settings_->language},
                {"engine", settings_->engine},
                {"slow", settings_->slow.value_or(settings_->speed < 1.0)},
                {"voice", settings_->voice},
                {"speed", json_number_value(settings_->speed)},
            };
            engine::OutboundRequest request;
            request.method = "POST";
            request.url = base + "/synthesize";
            request.headers = {{"Content-Type", "application/json"}};
            request.body = util::to_json_text(body);
            request.timeout = config.llm_timeout;
            request.max_response_bytes = config.node_max_response_bytes;

            send_outbound(
                run, *services_, std::move(request),
                [settings = settings_, &run,
                 text = std::move(text)](engine::OutboundResult outcome) {
                    if (auto* error = std::get_if<engine::OutboundError>(&outcome)) {
                        finish_soft(run, *settings, error->message, failure_kind_of(*error));
                        return;
                    }
                    const auto& response = std::get<engine::OutboundResponse>(outcome);
                    if (!is_success(response.status)) {
                        auto message = "speech service answered " +
                                       describe_status(response.status, response.reason);
                        if (const auto detail = js_trim(decode_utf8_lossy(response.body));
                            !detail.empty()) {
                            message += " - " + shorten(detail);
                        }
                        finish_soft(run, *settings, message, FailureKind::kUpstream);
                        return;
                    }
                    if (response.body.empty()) {
                        finish_soft(run, *settings, "the speech service returned no audio",
                                    FailureKind::kUpstream);
                        return;
                    }
                    run.succeed(success_result(*settings, text, response));
                });
        });
    }

private:
    NodeServicesPtr services_;
    std::shared_ptr<const TextToSpeechSettings> settings_;
};

}  // namespace

engine::NodeType text_to_speech_node_type(const NodeServicesPtr& services) {
    return engine::NodeType{
        .type = "text-to-speech",
        .aliases = {"tts"},
        .inputs = {{"text", "Text"}},
        .outputs = {{"audioUrl", "Audio URL"}, {"success", "Success"}, {"status", "Status"}},
        .primary_output = "audioUrl",
        .create = [services](const engine::NodeDecl& decl,
                             engine::Diagnostics& diag) -> std::unique_ptr<engine::NodeInstance> {
            auto settings = parse_settings(decl);
            warn_if_refused(*services, decl, settings.base_url, diag);
            return std::make_unique<TextToSpeechNode>(services, std::move(settings));
        },
    };
}

}  // namespace clara::nodes
