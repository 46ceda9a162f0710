// `whisper-transcription` (nodes.md § 14): audio to text through an OpenAI-compatible
// `/audio/transcriptions` endpoint (multipart upload). The server's OPENAI_API_KEY is sent only
// to its own OpenAI base URL; a key written into the node goes to the node's URL.
#include "engine/js_value.hpp"
#include "engine/multipart_form.hpp"
#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"
#include "nodes/services/audio_mime.hpp"
#include "nodes/services/provider_key.hpp"
#include "nodes/services/service_node_types.hpp"
#include "nodes/services/service_text.hpp"
#include "util/base64.hpp"

namespace clara::nodes {
namespace json = boost::json;
using engine::FailureKind;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

constexpr std::string_view kFailed = "Whisper transcription failed: ";

/// The node's `data`, parsed once.
struct WhisperSettings {
    std::string api_key;
    std::string base_url;  ///< apiBaseUrl; empty: OPENAI_API_BASE_URL
    std::string model = "gpt-4o-transcribe";
    std::string language = "auto";
    double temperature = 0;
    std::string prompt;
    std::string response_format;  ///< json | verbose_json | "" (the service default)
};

WhisperSettings parse_settings(const json::object& data) {
    WhisperSettings s;
    s.api_key = string_or(data, "apiKey", "");
    s.base_url = trim_base_url(string_or(data, "apiBaseUrl", ""));
    s.model = string_or(data, "model", s.model);
    s.language = js_trim(string_or(data, "language", s.language));
    s.temperature = number_field(data, "temperature").value_or(0);
    s.prompt = string_or(data, "prompt", "");
    const auto format = string_or(data, "responseFormat", "");
    if (format == "json" || format == "verbose_json") {
        s.response_format = format;
    }
    return s;
}

/// Audio bytes and what is known about them.
struct AudioFile {
    std::string bytes;
    std::string mime;          ///< from a data URL or the object's `type`
    std::string input_format;  ///< binary | string | object
};

std::string decode_audio_text(std::string_view text, std::string& mime) {
    std::string_view payload = text;
    if (const auto url = util::parse_data_url(text)) {
        mime = url->mime;
        payload = url->payload;
    }
    auto bytes = util::base64_decode(payload);
    if (!bytes) {
        throw NodeFailure(std::string(kFailed) + "Invalid base64 audio data");
    }
    return std::move(*bytes);
}

AudioFile read_audio(const json::value* input) {
    if (is_empty(input)) {
        throw NodeFailure(std::string(kFailed) + "No binary audio data provided");
    }
    AudioFile audio;
    const json::value* value = input;
    if (input->is_object()) {
        audio.input_format = "object";
        const auto& object = input->get_object();
        if (const auto* content = object.if_contains("content")) {
            value = content;
        } else if (const auto* data = object.if_contains("data")) {
            value = data;
            audio.mime = string_or(object, "type", "");
        } else {
            throw NodeFailure(std::string(kFailed) + "No binary audio data provided");
        }
    }
    if (value->is_array()) {
        for (const auto& item : value->get_array()) {
            const double number = engine::json_number(item);
            if (!(number >= 0 && number <= 255) || number != static_cast<int>(number)) {
                throw NodeFailure(std::string(kFailed) + "Unsupported binary data format");
            }
            audio.bytes.push_back(static_cast<char>(static_cast<unsigned char>(number)));
        }
        if (audio.input_format.empty()) {
            audio.input_format = "binary";
        }
    } else if (value->is_string()) {
        std::string data_url_mime;
        audio.bytes = decode_audio_text(value->get_string(), data_url_mime);
        if (!data_url_mime.empty()) {
            audio.mime = std::move(data_url_mime);
        }
        if (audio.input_format.empty()) {
            audio.input_format = "string";
        }
    } else {
        throw NodeFailure(std::string(kFailed) + "Unsupported binary data format");
    }
    if (audio.bytes.empty()) {
        throw NodeFailure(std::string(kFailed) + "No binary audio data provided");
    }
    if (audio.mime.empty()) {
        audio.mime = std::string(sniff_audio_mime(audio.bytes));
    }
    if (audio.mime.empty()) {
        audio.mime = "audio/mpeg";
    }
    return audio;
}

/// `error.message` of an OpenAI error body, else "OpenAI API error: <status> <text>".
std::string openai_error(const engine::OutboundResponse& response) {
    if (const auto body = parse_json(response.body); body && body->is_object()) {
        const auto* error = body->get_object().if_contains("error");
        if (error != nullptr && error->is_object()) {
            if (auto message = string_member(error->get_object().if_contains("message"));
                !message.empty()) {
                return message;
            }
        }
    }
    return "OpenAI API error: " + std::to_string(response.status) + " " +
           status_text(response.status, response.reason);
}

json::value result_of(const WhisperSettings& settings,
                      const engine::OutboundResponse& response,
                      const std::string& input_format) {
    if (!is_success(response.status)) {
        throw NodeFailure(std::string(kFailed) + openai_error(response), FailureKind::kUpstream);
    }
    const auto body = parse_json(response.body);
    if (!body || !body->is_object()) {
        throw NodeFailure(std::string(kFailed) + "the service did not answer with JSON",
                          FailureKind::kUpstream);
    }
    const auto& answer = body->get_object();
    const auto* text = answer.if_contains("text");
    const auto* language = answer.if_contains("language");
    const auto* duration = answer.if_contains("duration");
    json::object metadata{
        {"language",
         language != nullptr && !language->is_null() ? *language : json::value(settings.language)},
        {"duration", duration != nullptr ? *duration : json::value(nullptr)},
        {"model", settings.model},
        {"temperature", json_number_value(settings.temperature)},
        {"prompt", settings.prompt},
        {"inputFormat", input_format},
    };
    return json::object{
        {"text", text != nullptr && !text->is_null() ? engine::to_text(*text) : std::string()},
        {"metadata", std::move(metadata)}};
}

class WhisperTranscriptionNode final : public engine::NodeInstance {
public:
    WhisperTranscriptionNode(NodeServicesPtr services, WhisperSettings settings)
        : services_(std::move(services)),
          settings_(std::make_shared<const WhisperSettings>(std::move(settings))) {}

    void start(NodeRun& run) const override {
        run_guarded(run, [&] {
            const auto& config = services_->settings;
            const auto base = settings_->base_url.empty()
                                  ? trim_base_url(config.openai_api_base_url)
                                  : settings_->base_url;
            const auto url = base + "/audio/transcriptions";
            const auto key = openai_key_for(config, settings_->api_key, url);
            if (key.empty()) {
                std::string message = "OpenAI API key is required for Whisper transcription";
                if (!config.openai_api_key.empty()) {
                    message +=
                        " (the server's OPENAI_API_KEY is sent only to its own OpenAI "
                        "base URL; set apiKey on the node for another endpoint)";
                }
                throw NodeFailure(std::string(kFailed) + message);
            }
            auto audio =
                read_audio(run.inputs().read({"audioData", "audio", "content", "file", "data"}));

            std::vector<engine::MultipartPart> parts;
            parts.push_back({.name = "file",
                             .data = std::move(audio.bytes),
                             .filename = "audio." + audio_extension(audio.mime),
                             .content_type = audio.mime});
            parts.push_back({.name = "model", .data = settings_->model});
            const bool auto_language = settings_->language.empty() || settings_->language == "auto";
            if (!auto_language) {
                parts.push_back({.name = "language", .data = settings_->language});
            }
            if (settings_->temperature > 0) {
                parts.push_back({.name = "temperature",
                                 .data = engine::js_number_to_string(settings_->temperature)});
            }
            if (!js_trim(settings_->prompt).empty()) {
                parts.push_back({.name = "prompt", .data = settings_->prompt});
            }
            if (!settings_->response_format.empty()) {
                parts.push_back({.name = "response_format", .data = settings_->response_format});
            }
            auto form = engine::build_multipart_form(parts);

            engine::OutboundRequest request;
            request.method = "POST";
            request.url = url;
            request.headers = {{"Content-Type", std::move(form.content_type)},
                               {"Authorization", "Bearer " + key}};
            request.body = std::move(form.body);
            request.timeout = config.llm_timeout;
            request.max_response_bytes = config.node_max_response_bytes;

            send_outbound(run, *services_, std::move(request),
                          [settings = settings_, &run,
                           format = audio.input_format](engine::OutboundResult outcome) {
                              auto response = take_response(outcome, kFailed);
                              run.succeed(result_of(*settings, response, format));
                          });
        });
    }

private:
    NodeServicesPtr services_;
    std::shared_ptr<const WhisperSettings> settings_;
};

}  // namespace

engine::NodeType whisper_transcription_node_type(const NodeServicesPtr& services) {
    return engine::NodeType{
        .type = "whisper-transcription",
        .aliases = {},
        .inputs = {{"audioData", "Audio Data"}},
        .outputs = {{"text", "Transcribed Text"}, {"metadata", "Transcription Metadata"}},
        .primary_output = "text",
        .create = [services](const engine::NodeDecl& decl,
                             engine::Diagnostics& diag) -> std::unique_ptr<engine::NodeInstance> {
            auto settings = parse_settings(decl.data);
            warn_if_refused(*services, decl, settings.base_url, diag);
            return std::make_unique<WhisperTranscriptionNode>(services, std::move(settings));
        },
    };
}

}  // namespace clara::nodes
