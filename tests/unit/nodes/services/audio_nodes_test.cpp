#include "../service_node_harness.hpp"
#include "fake_service.hpp"
#include "util/base64.hpp"

namespace clara::nodes::testing {
namespace {

namespace json = boost::json;
using engine::FailureKind;
using std::chrono::milliseconds;

json::value jv(const std::string& text) { return json::string(text); }

const std::string kWav = std::string("RIFF\x24\x00\x00\x00WAVEfmt ", 16) + std::string(8, '\x01');
const std::string kOgg = std::string("OggS\x00\x02", 6) + "rest";

/// Turns STRICT_NODE_ERRORS on for `run` (the harness builds its limits with the default off;
/// the context only hands them out read-only, but they are the run's own object).
void make_strict(ServiceNodeRun& run) {
    const_cast<engine::ExecutionLimits&>(run.execution().limits()).strict_node_errors = true;
}

std::string data_url(std::string_view mime, const std::string& bytes) {
    return "data:" + std::string(mime) + ";base64," + util::base64_encode(bytes);
}

// whisper-transcription ------------------------------------------------------------------------

FakeReply transcript(std::string_view text = "hello world") {
    return FakeReply::json(R"({"text":")" + std::string(text) +
                           R"(","language":"english","duration":1.5})");
}

TEST(WhisperTranscriptionNode, UploadsAudioToTheConfiguredOpenAiUrlWithTheServerKey) {
    FakeService server([](const ReceivedRequest&) { return transcript(); });
    ServiceEnvironment env;
    env.settings().openai_api_base_url = server.url("/v1");
    env.settings().openai_api_key = "sk-server";
    ServiceNodeRun run(env, "whisper-transcription",
                       R"({"model":"whisper-1","language":"de","temperature":0.2,
                           "prompt":"Names: Ada.","responseFormat":"verbose_json"})");
    run.input("audioData", jv(data_url("audio/wav", kWav)));
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();

    const auto request = server.request();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/v1/audio/transcriptions");
    EXPECT_EQ(request.header("Authorization"), "Bearer sk-server");
    const auto parts = parse_form(request);
    const auto file = form_part(parts, "file");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->filename, "audio.wav");
    EXPECT_EQ(file->content_type, "audio/wav");
    EXPECT_EQ(file->data, kWav);
    EXPECT_EQ(form_part(parts, "model")->data, "whisper-1");
    EXPECT_EQ(form_part(parts, "language")->data, "de");
    EXPECT_EQ(form_part(parts, "temperature")->data, "0.2");
    EXPECT_EQ(form_part(parts, "prompt")->data, "Names: Ada.");
    EXPECT_EQ(form_part(parts, "response_format")->data, "verbose_json");

    EXPECT_EQ(result->at("text"), "hello world");
    const auto& metadata = result->at("metadata");
    EXPECT_EQ(metadata.at("language"), "english");
    EXPECT_EQ(metadata.at("duration"), 1.5);
    EXPECT_EQ(metadata.at("model"), "whisper-1");
    EXPECT_EQ(metadata.at("temperature"), 0.2);
    EXPECT_EQ(metadata.at("inputFormat"), "string");
}

TEST(WhisperTranscriptionNode, DefaultsLeaveOptionalFieldsOutAndSniffTheFormat) {
    FakeService server([](const ReceivedRequest&) { return FakeReply::json(R"({"text":"hi"})"); });
    ServiceEnvironment env;
    env.settings().openai_api_base_url = server.url("/v1");
    env.settings().openai_api_key = "sk-server";
    ServiceNodeRun run(env, "whisper-transcription", R"({"prompt":"  "})");
    run.input("audio", jv(util::base64_encode(kOgg)));
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    const auto parts = parse_form(server.request());
    EXPECT_EQ(form_part(parts, "file")->filename, "audio.ogg");
    EXPECT_EQ(form_part(parts, "file")->content_type, "audio/ogg");
    EXPECT_EQ(form_part(parts, "model")->data, "gpt-4o-transcribe");
    EXPECT_FALSE(form_part(parts, "language"));
    EXPECT_FALSE(form_part(parts, "temperature"));
    EXPECT_FALSE(form_part(parts, "prompt"));
    EXPECT_FALSE(form_part(parts, "response_format"));
    EXPECT_EQ(result->at("metadata").at("language"), "auto");
    EXPECT_TRUE(result->at("metadata").at("duration").is_null());
}

TEST(WhisperTranscriptionNode, ReadsByteArraysAndFileObjects) {
    FakeService server([](const ReceivedRequest&) { return transcript(); });
    ServiceEnvironment env;
    env.settings().openai_api_base_url = server.url("/v1");
    env.settings().openai_api_key = "sk-server";
    {
        ServiceNodeRun run(env, "whisper-transcription");
        run.input("audioData", json::parse("[73, 68, 51, 4, 0]"));
        const auto result = run.run();
        ASSERT_TRUE(result) << run.error();
        EXPECT_EQ(result->at("metadata").at("inputFormat"), "binary");
        const auto file = form_part(parse_form(server.request(0)), "file");
        EXPECT_EQ(file->data, std::string("ID3\x04\x00", 5));
        EXPECT_EQ(file->filename, "audio.mp3");
    }
    {
        ServiceNodeRun run(env, "whisper-transcription");
        json::object file{
            {"data", util::base64_encode("xyz")}, {"type", "audio/webm"}, {"name", "a.webm"}};
        run.input("file", file);
        const auto result = run.run();
        ASSERT_TRUE(result) << run.error();
        EXPECT_EQ(result->at("metadata").at("inputFormat"), "object");
        const auto part = form_part(parse_form(server.request(1)), "file");
        EXPECT_EQ(part->content_type, "audio/webm");
        EXPECT_EQ(part->filename, "audio.webm");
        EXPECT_EQ(part->data, "xyz");
    }
    {
        ServiceNodeRun run(env, "whisper-transcription");
        run.input("content", json::object{{"content", jv(data_url("audio/mpeg", "mp3!"))}});
        ASSERT_TRUE(run.run()) << run.error();
        EXPECT_EQ(form_part(parse_form(server.request(2)), "file")->content_type, "audio/mpeg");
    }
}

TEST(WhisperTranscriptionNode, BadAudioInputsAreNodeErrors) {
    FakeService server([](const ReceivedRequest&) { return transcript(); });
    ServiceEnvironment env;
    env.settings().openai_api_base_url = server.url("/v1");
    env.settings().openai_api_key = "sk-server";
    const std::vector<std::pair<std::optional<json::value>, std::string>> cases{
        {std::nullopt, "Whisper transcription failed: No binary audio data provided"},
        {json::value(42), "Whisper transcription failed: Unsupported binary data format"},
        {json::parse("[1, 999]"), "Whisper transcription failed: Unsupported binary data format"},
        {jv("%%%not base64"), "Whisper transcription failed: Invalid base64 audio data"},
    };
    for (const auto& [input, message] : cases) {
        ServiceNodeRun run(env, "whisper-transcription");
        if (input) {
            run.input("audioData", *input);
        }
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error(), message);
        EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
    }
    EXPECT_EQ(server.count(), 0u);
}

TEST(WhisperTranscriptionNode, ServerKeyIsNeverSentToAWorkflowUrl) {
    FakeService server([](const ReceivedRequest&) { return transcript(); });
    ServiceEnvironment env;
    env.settings().openai_api_key = "sk-server";  // OPENAI_API_BASE_URL stays api.openai.com
    {
        ServiceNodeRun run(env, "whisper-transcription",
                           R"({"apiBaseUrl":")" + server.url("/v1") + R"("})");
        run.input("audioData", jv(data_url("audio/wav", kWav)));
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error().rfind("Whisper transcription failed: OpenAI API key is required for "
                                    "Whisper transcription",
                                    0),
                  0u)
            << run.error();
        EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
        EXPECT_EQ(server.count(), 0u);
    }
    {
        ServiceNodeRun run(env, "whisper-transcription",
                           R"({"apiKey":"sk-node","apiBaseUrl":")" + server.url("/v1/") + R"("})");
        run.input("audioData", jv(data_url("audio/wav", kWav)));
        ASSERT_TRUE(run.run()) << run.error();
        EXPECT_EQ(server.request().target, "/v1/audio/transcriptions");
        EXPECT_EQ(server.request().header("Authorization"), "Bearer sk-node");
    }
}

TEST(WhisperTranscriptionNode, WithoutAnyKeyNothingIsSent) {
    FakeService server([](const ReceivedRequest&) { return transcript(); });
    ServiceEnvironment env;
    env.settings().openai_api_base_url = server.url("/v1");
    ServiceNodeRun run(env, "whisper-transcription");
    run.input("audioData", jv(data_url("audio/wav", kWav)));
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(),
              "Whisper transcription failed: OpenAI API key is required for Whisper transcription");
    EXPECT_EQ(server.count(), 0u);
}

TEST(WhisperTranscriptionNode, ProviderErrorsFailAsUpstream) {
    FakeService server([](const ReceivedRequest& request) {
        if (request.header("Authorization") == "Bearer sk-a") {
            return FakeReply::json(
                R"({"error":{"message":"Invalid file format.","type":"invalid_request_error"}})",
                400);
        }
        return FakeReply{500, "<html>oops</html>"};
    });
    ServiceEnvironment env;
    env.settings().openai_api_base_url = server.url("/v1");
    for (const auto& [key, message] : std::vector<std::pair<std::string, std::string>>{
             {"sk-a", "Whisper transcription failed: Invalid file format."},
             {"sk-b",
              "Whisper transcription failed: OpenAI API error: 500 Internal Server Error"}}) {
        ServiceNodeRun run(env, "whisper-transcription", R"({"apiKey":")" + key + R"("})");
        run.input("audioData", jv(data_url("audio/wav", kWav)));
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error(), message);
        EXPECT_EQ(run.failure_kind(), FailureKind::kUpstream);
    }
}

TEST(WhisperTranscriptionNode, SlowProviderFailsAsUpstreamTimeout) {
    FakeService server([](const ReceivedRequest&) { return FakeReply{.hold = true}; });
    ServiceEnvironment env;
    env.settings().openai_api_base_url = server.url("/v1");
    env.settings().openai_api_key = "sk-server";
    env.settings().llm_timeout = milliseconds(150);
    ServiceNodeRun run(env, "whisper-transcription");
    run.input("audioData", jv(data_url("audio/wav", kWav)));
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.failure_kind(), FailureKind::kUpstreamTimeout);
    EXPECT_EQ(run.error().rfind("Whisper transcription failed: ", 0), 0u) << run.error();
}

// speech-to-text ---------------------------------------------------------------------------------

constexpr std::string_view kBackendAnswer =
    R"({"transcription":{"text":"guten tag","language":"de",
        "segments":[{"start":0,"end":1,"text":"guten tag"}]}})";

TEST(SpeechToTextNode, UploadsToThePythonBackendWithoutCredentials) {
    FakeService server([](const ReceivedRequest&) { return FakeReply::json(kBackendAnswer); });
    ServiceEnvironment env;
    env.settings().python_backend_url = server.url();
    env.settings().openai_api_key = "sk-server";
    ServiceNodeRun run(env, "speech-to-text", R"({"initialPrompt":"Vocabulary: Clara"})");
    run.input("audioBase64", jv(" " + data_url("audio/mpeg", "mp3 bytes") + "\n"));
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();

    const auto request = server.request();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/transcribe");
    EXPECT_FALSE(request.has_header("Authorization"));
    const auto parts = parse_form(request);
    const auto file = form_part(parts, "file");
    ASSERT_TRUE(file);
    EXPECT_EQ(file->filename, "audio.mp3");
    EXPECT_EQ(file->content_type, "audio/mpeg");
    EXPECT_EQ(file->data, "mp3 bytes");
    EXPECT_EQ(form_part(parts, "language")->data, "en");
    EXPECT_EQ(form_part(parts, "beam_size")->data, "5");
    EXPECT_EQ(form_part(parts, "initial_prompt")->data, "Vocabulary: Clara");

    const auto payload = json::parse(kBackendAnswer);
    EXPECT_EQ(result->at("transcription"), "guten tag");
    EXPECT_EQ(result->at("segments"), payload.at("transcription").at("segments"));
    EXPECT_EQ(result->at("rawResponse"), payload);
    EXPECT_EQ(result->at("raw"), payload);
    EXPECT_EQ(result->at("metadata").at("language"), "de");
    EXPECT_EQ(result->at("metadata").at("beamSize"), 5);
    EXPECT_EQ(result->at("metadata").at("endpoint"), jv(server.url("/transcribe")));
}

TEST(SpeechToTextNode, NodeEndpointLanguageOverrideAndPlainTextAnswer) {
    FakeService server(
        [](const ReceivedRequest&) { return FakeReply::json(R"({"text":"plain"})"); });
    ServiceEnvironment env;
    ServiceNodeRun run(
        env, "speech-to-text",
        R"({"baseUrl":")" + server.url("/custom/stt") + R"(","beamSize":0,"language":"en"})");
    run.input("audio", json::object{{"content", jv(util::base64_encode("raw wav"))}})
        .input("languageOverride", "fr");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    const auto request = server.request();
    EXPECT_EQ(request.target, "/custom/stt");
    const auto parts = parse_form(request);
    EXPECT_EQ(form_part(parts, "file")->filename, "audio.wav");
    EXPECT_EQ(form_part(parts, "file")->content_type, "audio/wav");
    EXPECT_EQ(form_part(parts, "language")->data, "fr");
    EXPECT_FALSE(form_part(parts, "beam_size"));
    EXPECT_FALSE(form_part(parts, "initial_prompt"));
    EXPECT_EQ(result->at("transcription"), "plain");
    EXPECT_EQ(result->at("segments"), json::array());
    EXPECT_EQ(result->at("metadata").at("language"), "fr");
}

TEST(SpeechToTextNode, InputErrorsAreNodeErrors) {
    ServiceEnvironment env;
    {
        ServiceNodeRun run(env, "speech-to-text");
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error(),
                  "Speech-to-text node failed: Speech-to-text node requires a base64 audio input");
        EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
    }
    {
        ServiceNodeRun run(env, "speech-to-text");
        run.input("audioBase64", "data:audio/wav;base64,@@@");
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error(), "Speech-to-text node failed: Invalid base64 audio payload");
    }
}

TEST(SpeechToTextNode, BackendErrorsFailAsUpstream) {
    FakeService server([](const ReceivedRequest&) { return FakeReply{500, "model not loaded"}; });
    ServiceEnvironment env;
    env.settings().python_backend_url = server.url();
    ServiceNodeRun run(env, "speech-to-text");
    run.input("audioBase64", jv(util::base64_encode("x")));
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(),
              "Speech-to-text node failed: Transcription request failed: 500 "
              "Internal Server Error - model not loaded");
    EXPECT_EQ(run.failure_kind(), FailureKind::kUpstream);
}

// text-to-speech ---------------------------------------------------------------------------------

TEST(TextToSpeechNode, SynthesizesAndReturnsADataUrl) {
    FakeService server([](const ReceivedRequest&) {
        return FakeReply{200, kWav, {{"Content-Type", "audio/wav"}}};
    });
    ServiceEnvironment env;
    env.settings().python_backend_url = server.url();
    ServiceNodeRun run(
        env, "text-to-speech",
        R"({"engine":"gtts","voice":"bf_emma","language":"en","speed":0.8,"volume":0.5})");
    const std::string text(120, 'a');
    run.input("text", jv(text));
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();

    const auto request = server.request();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/synthesize");
    EXPECT_EQ(request.header("Content-Type"), "application/json");
    EXPECT_EQ(
        json::parse(request.body),
        json::parse(
            R"({"text":")" + text +
            R"(","language":"en","engine":"gtts","slow":true,"voice":"bf_emma","speed":0.8})"));

    EXPECT_EQ(result->at("audioUrl"), jv(data_url("audio/wav", kWav)));
    EXPECT_EQ(result->at("success"), true);
    const auto& metadata = result->at("metadata");
    EXPECT_EQ(result->at("status"), metadata);
    EXPECT_EQ(metadata.at("text"), jv(std::string(100, 'a') + "..."));
    EXPECT_EQ(metadata.at("textLength"), 120u);
    EXPECT_EQ(metadata.at("engine"), "gtts");
    EXPECT_EQ(metadata.at("voice"), "bf_emma");
    EXPECT_EQ(metadata.at("volume"), 0.5);
    EXPECT_EQ(metadata.at("autoPlay"), true);
    EXPECT_EQ(metadata.at("audioPlayed"), false);
}

TEST(TextToSpeechNode, AliasDefaultsAndExplicitSlow) {
    FakeService server([](const ReceivedRequest&) { return FakeReply{200, "mp3"}; });
    ServiceEnvironment env;
    ServiceNodeRun run(env, "tts",
                       R"({"baseUrl":")" + server.url("/") + R"(","slow":false,"speed":0.5})");
    run.input("input", "hello");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    const auto body = json::parse(server.request().body);
    EXPECT_EQ(body.at("slow"), false);
    EXPECT_EQ(body.at("engine"), "kokoro");
    EXPECT_EQ(body.at("voice"), "af_sarah");
    EXPECT_EQ(result->at("audioUrl"), jv(data_url("audio/mpeg", "mp3")));
    EXPECT_EQ(result->at("metadata").at("text"), "hello");
}

TEST(TextToSpeechNode, BlankTextIsANodeError) {
    ServiceEnvironment env;
    ServiceNodeRun run(env, "text-to-speech");
    run.input("text", " \n ");
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "Text input is required for text-to-speech conversion");
    EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
}

TEST(TextToSpeechNode, BackendFailuresAreSoft) {
    FakeService server([](const ReceivedRequest&) {
        return FakeReply::json(R"({"detail":"engine kokoro unavailable"})", 503);
    });
    ServiceEnvironment env;
    env.settings().python_backend_url = server.url();
    ServiceNodeRun run(env, "text-to-speech");
    run.input("text", "hi");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_TRUE(result->at("audioUrl").is_null());
    EXPECT_EQ(result->at("success"), false);
    const auto error = std::string(result->at("status").at("error").as_string());
    EXPECT_NE(error.find("503"), std::string::npos) << error;
    EXPECT_NE(error.find("engine kokoro unavailable"), std::string::npos) << error;
    EXPECT_EQ(result->at("metadata").at("error"), result->at("status").at("error"));
    ASSERT_FALSE(run.logs().empty());
    EXPECT_EQ(run.logs().back().level, "warn");
}

TEST(TextToSpeechNode, StrictModeTurnsSoftFailuresIntoFailures) {
    FakeService server([](const ReceivedRequest&) { return FakeReply{500, "down"}; });
    ServiceEnvironment env;
    env.settings().python_backend_url = server.url();
    ServiceNodeRun run(env, "text-to-speech");
    make_strict(run);
    run.input("text", "hi");
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.failure_kind(), FailureKind::kUpstream);
    EXPECT_EQ(run.error().rfind("Text-to-speech failed: ", 0), 0u) << run.error();
}

TEST(TextToSpeechNode, UnreachableBackendIsASoftFailure) {
    ServiceEnvironment env;
    env.settings().python_backend_url = "http://127.0.0.1:1";
    ServiceNodeRun run(env, "text-to-speech");
    run.input("text", "hi");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("success"), false);
    EXPECT_TRUE(result->at("audioUrl").is_null());
    EXPECT_TRUE(result->at("status").at("timestamp").is_string());
}

}  // namespace
}  // namespace clara::nodes::testing
