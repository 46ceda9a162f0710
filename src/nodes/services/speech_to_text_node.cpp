// `speech-to-text` (nodes.md § 15): base64 audio to text through the Python backend's
// `/transcribe` endpoint (multipart upload, no credentials).
#include "engine/js_value.hpp"
#include "engine/multipart_form.hpp"
#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"
#include "nodes/services/service_node_types.hpp"
#include "nodes/services/service_text.hpp"
#include "util/base64.hpp"

namespace clara::nodes {
namespace json = boost::json;
using engine::FailureKind;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

constexpr std::string_view kFailed = "Speech-to-text node failed: ";

/// The node's `data`, parsed once.
struct SpeechToTextSettings {
    std::string endpoint;  ///< baseUrl, the full endpoint; empty: PYTHON_BACKEND_URL/transcribe
    std::string language = "en";
    double beam_size = 5;
    std::string initial_prompt;
};

SpeechToTextSettings parse_settings(const json::object& data) {
    SpeechToTextSettings s;
    s.endpoint = js_trim(string_or(data, "baseUrl", ""));
    s.language = js_trim(string_or(data, "language", s.language));
    s.beam_size = number_field(data, "beamSize").value_or(s.beam_size);
    s.initial_prompt = string_or(data, "initialPrompt", "");
    return s;
}

/// The upload's file extension, as the Studio chose it from the MIME type.
std::string extension_for(std::string_view mime) {
    if (mime.find("mpeg") != std::string_view::npos || mime.find("mp3") != std::string_view::npos) {
        return "mp3";
    }
    if (mime.find("ogg") != std::string_view::npos) {
        return "ogg";
    }
    if (mime.find("webm") != std::string_view::npos) {
        return "webm";
    }
    return "wav";
}

struct Upload {
    std::string bytes;
    std::string mime = "audio/wav";
};

Upload read_audio(const json::value* input) {
    if (input != nullptr && input->is_object()) {
        const auto* content = input->get_object().if_contains("content");
        if (content != nullptr && engine::js_truthy(*content)) {
            input = content;
        }
    }
    if (is_empty(input)) {
        throw NodeFailure(std::string(kFailed) +
                          "Speech-to-text node requires a base64 audio input");
    }
    const auto text = js_trim(engine::to_text(*input));
    if (text.empty()) {
        throw NodeFailure(std::string(kFailed) +
                          "Speech-to-text node requires a base64 audio input");
    }
    Upload upload;
    std::string_view payload = text;
    // `data:<mime>;base64,` as the Studio matched it: the MIME type runs to the first ';' or ','.
    if (text.rfind("data:", 0) == 0) {
        const auto end = text.find_first_of(";,", 5);
        if (end != std::string::npos && end > 5 && text.compare(end, 8, ";base64,") == 0) {
            upload.mime = text.substr(5, end - 5);
            payload.remove_prefix(end + 8);
        }
    }
    auto bytes = util::base64_decode(payload);
    if (!bytes || bytes->empty()) {
        throw NodeFailure(std::string(kFailed) + "Invalid base64 audio payload");
    }
    upload.bytes = std::move(*bytes);
    return upload;
}

/// JavaScript `a || b` over optional JSON members: the first truthy one.
const json::value* first_truthy(std::initializer_list<const json::value*> values) {
    for (const auto* value : values) {
        if (value != nullptr && engine::js_truthy(*value)) {
            return value;
        }
    }
    return nullptr;
}

const json::value* member(const json::value* value, std::string_view key) {
    return value != nullptr && value->is_object() ? value->get_object().if_contains(key) : nullptr;
}

class SpeechToTextNode final : public engine::NodeInstance {
public:
    SpeechToTextNode(NodeServicesPtr services, SpeechToTextSettings settings)
        : services_(std::move(services)),
          settings_(std::make_shared<const SpeechToTextSettings>(std::move(settings))) {}

    void start(NodeRun& run) const override {
        run_guarded(run, [&] {
            const auto& config = services_->settings;
            auto upload =
                read_audio(run.inputs().read({"audioBase64", "audio", "content", "file"}));
            std::string endpoint = settings_->endpoint;
            if (endpoint.empty()) {
                if (!config.python_backend_enabled) {
                    throw NodeFailure(
                        std::string(kFailed) +
                        "the Python backend is disabled on this server "
                        "(PYTHON_BACKEND_ENABLED=false) and the node sets no baseUrl");
                }
                endpoint = trim_base_url(config.python_backend_url) + "/transcribe";
            }
            std::string override_language;
            if (const auto* value = run.inputs().get("languageOverride"); !is_empty(value)) {
                override_language = js_trim(engine::to_text(*value));
            }
            const auto& language =
                override_language.empty() ? settings_->language : override_language;

            std::vector<engine::MultipartPart> parts;
            parts.push_back({.name = "file",
                             .data = std::move(upload.bytes),
                             .filename = "audio." + extension_for(upload.mime),
                             .content_type = upload.mime});
            if (!language.empty()) {
                parts.push_back({.name = "language", .data = language});
            }
            if (settings_->beam_size != 0) {
                parts.push_back({.name = "beam_size",
                                 .data = engine::js_number_to_string(settings_->beam_size)});
            }
            if (!settings_->initial_prompt.empty()) {
                parts.push_back({.name = "initial_prompt", .data = settings_->initial_prompt});
            }
            auto form = engine::build_multipart_form(parts);

            engine::OutboundRequest request;
            request.method = "POST";
            request.url = endpoint;
            request.headers = {{"Content-Type", std::move(form.content_type)}};
            request.body = std::move(form.body);
            request.timeout = config.llm_timeout;
            request.max_response_bytes = config.node_max_response_bytes;

            send_outbound(
                run, *services_, std::move(request),
                [settings = settings_, &run, endpoint,
                 override_language](engine::OutboundResult outcome) {
                    auto response = take_response(outcome, kFailed);
                    run.succeed(result_of(*settings, response, endpoint, override_language));
                });
        });
    }

private:
    static json::value result_of(const SpeechToTextSettings& settings,
                                 const engine::OutboundResponse& response,
                                 const std::string& endpoint,
                                 const std::string& override_language) {
        if (!is_success(response.status)) {
            throw NodeFailure(std::string(kFailed) + "Transcription request failed: " +
                                  std::to_string(response.status) + " " +
                                  status_text(response.status, response.reason) + " - " +
                                  shorten(decode_utf8_lossy(response.body)),
                              FailureKind::kUpstream);
        }
        auto payload = parse_json(response.body);
        if (!payload) {
            throw NodeFailure(
                std::string(kFailed) + "the transcription service did not answer with JSON",
                FailureKind::kUpstream);
        }
        const auto* transcription = member(&*payload, "transcription");
        const auto* text = first_truthy({member(transcription, "text"), member(&*payload, "text")});
        const auto* segments = first_truthy({member(transcription, "segments")});
        json::value language;
        if (const auto* detected = first_truthy({member(transcription, "language")})) {
            language = *detected;
        } else {
            language = override_language.empty() ? settings.language : override_language;
        }
        json::object metadata{{"language", std::move(language)},
                              {"beamSize", json_number_value(settings.beam_size)},
                              {"endpoint", endpoint}};
        return json::object{
            {"transcription", text != nullptr ? engine::to_text(*text) : std::string()},
            {"segments", segments != nullptr ? *segments : json::value(json::array())},
            {"rawResponse", *payload},
            {"raw", *payload},
            {"metadata", std::move(metadata)},
        };
    }

    NodeServicesPtr services_;
    std::shared_ptr<const SpeechToTextSettings> settings_;
};

}  // namespace

engine::NodeType speech_to_text_node_type(const NodeServicesPtr& services) {
    return engine::NodeType{
        .type = "speech-to-text",
        .aliases = {},
        .inputs = {{"audioBase64", "Audio (Base64)"}, {"languageOverride", "Language Override"}},
        .outputs = {{"transcription", "Transcription"},
                    {"segments", "Segments"},
                    {"rawResponse", "Raw Response"},
                    {"raw", "Raw Response"}},
        .primary_output = "transcription",
        .create = [services](const engine::NodeDecl& decl,
                             engine::Diagnostics& diag) -> std::unique_ptr<engine::NodeInstance> {
            auto settings = parse_settings(decl.data);
            warn_if_refused(*services, decl, settings.endpoint, diag);
            return std::make_unique<SpeechToTextNode>(services, std::move(settings));
        },
    };
}

}  // namespace clara::nodes
