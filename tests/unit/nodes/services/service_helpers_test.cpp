#include <gtest/gtest.h>

#include "nodes/services/audio_mime.hpp"
#include "nodes/services/comfyui_api.hpp"
#include "nodes/services/provider_key.hpp"
#include "nodes/services/service_text.hpp"
#include "nodes/services/url_encoding.hpp"
#include "nodes/url_origin.hpp"

namespace clara::nodes {
namespace {

namespace json = boost::json;

TEST(ServiceNodeHelpers, EncodesUriComponentsAsJavaScriptDoes) {
    EXPECT_EQ(encode_uri_component("a b/c?d=e&f"), "a%20b%2Fc%3Fd%3De%26f");
    EXPECT_EQ(encode_uri_component("-_.!~*'()"), "-_.!~*'()");
    EXPECT_EQ(encode_uri_component("\xC3\xA9"), "%C3%A9");
}

TEST(ServiceNodeHelpers, FormEncodesAsUrlSearchParamsDoes) {
    EXPECT_EQ(form_urlencode("a b+c"), "a+b%2Bc");
    EXPECT_EQ(form_urlencode("*-._~!"), "*-._%7E%21");
}

TEST(ServiceNodeHelpers, ComparesOriginsWithDefaultPorts) {
    EXPECT_TRUE(same_origin("https://API.openai.com/v1", "https://api.openai.com:443/x"));
    EXPECT_TRUE(same_origin("http://127.0.0.1:80/a", "http://127.0.0.1"));
    EXPECT_FALSE(same_origin("http://api.openai.com/v1", "https://api.openai.com/v1"));
    EXPECT_FALSE(same_origin("https://api.openai.com.evil.test/v1", "https://api.openai.com"));
    EXPECT_FALSE(same_origin("not a url", "not a url"));
    EXPECT_EQ(url_origin("https://Example.com./p"), "https://example.com:443");
}

TEST(ServiceNodeHelpers, ServerOpenAiKeyGoesOnlyToItsOwnOrigin) {
    config::ServiceSettings settings;
    settings.openai_api_key = "sk-server";
    settings.openai_api_base_url = "https://proxy.example/v1";
    EXPECT_EQ(openai_key_for(settings, "", "https://proxy.example/v1/audio/transcriptions"),
              "sk-server");
    EXPECT_EQ(openai_key_for(settings, "", "https://api.openai.com/v1/audio/transcriptions"),
              "sk-server");
    EXPECT_EQ(openai_key_for(settings, "", "https://attacker.example/v1/audio/transcriptions"), "");
    EXPECT_EQ(openai_key_for(settings, "  ", "https://attacker.example/v1"), "");
    EXPECT_EQ(openai_key_for(settings, "sk-node", "https://attacker.example/v1"), "sk-node");
}

TEST(ServiceNodeHelpers, ReadsStatusTextsAndMediaTypes) {
    EXPECT_EQ(status_text(404, ""), "Not Found");
    EXPECT_EQ(status_text(404, "Nope"), "Nope");
    EXPECT_EQ(describe_status(599, ""), "HTTP 599");
    EXPECT_EQ(mime_essence(" Audio/WAV ; rate=16000"), "audio/wav");
}

TEST(ServiceNodeHelpers, DecodesInvalidUtf8WithReplacementCharacters) {
    EXPECT_EQ(decode_utf8_lossy("ok \xC3\xA9"), "ok \xC3\xA9");
    EXPECT_EQ(decode_utf8_lossy("a\xFF"
                                "b"),
              "a\xEF\xBF\xBD"
              "b");
    EXPECT_EQ(decode_utf8_lossy("\xC0\xAF"), "\xEF\xBF\xBD");      // overlong '/'
    EXPECT_EQ(decode_utf8_lossy("\xED\xA0\x80"), "\xEF\xBF\xBD");  // surrogate
}

TEST(ServiceNodeHelpers, CutsTextInUtf16Units) {
    EXPECT_EQ(utf16_prefix("abcdef", 3), "abc");
    // U+1F600 takes two units: it is not split.
    EXPECT_EQ(utf16_prefix("a\xF0\x9F\x98\x80z", 2), "a");
    EXPECT_EQ(utf16_prefix("a\xF0\x9F\x98\x80z", 3), "a\xF0\x9F\x98\x80");
    EXPECT_EQ(js_trim("\xC2\xA0 hi \n"), "hi");
}

TEST(ServiceNodeHelpers, SniffsAudioFormats) {
    EXPECT_EQ(sniff_audio_mime("ID3\x03"), "audio/mpeg");
    EXPECT_EQ(sniff_audio_mime("\xFF\xFB\x90\x00"), "audio/mpeg");
    EXPECT_EQ(sniff_audio_mime(std::string("RIFF\x24\x00\x00\x00WAVEfmt ", 16)), "audio/wav");
    EXPECT_EQ(sniff_audio_mime("OggS\x00\x02"), "audio/ogg");
    EXPECT_EQ(sniff_audio_mime("\x1A\x45\xDF\xA3"), "audio/webm");
    EXPECT_EQ(sniff_audio_mime("fLaC\x00"), "audio/flac");
    EXPECT_EQ(sniff_audio_mime(std::string("\x00\x00\x00\x20"
                                           "ftypM4A ",
                                           12)),
              "audio/mp4");
    EXPECT_EQ(sniff_audio_mime("hello"), "");
    EXPECT_EQ(audio_extension("audio/mpeg"), "mp3");
    EXPECT_EQ(audio_extension("audio/x-wav"), "wav");
    EXPECT_EQ(audio_extension("audio/mp4"), "mp4");
}

TEST(ServiceNodeHelpers, BuildsTheComfyUiTextToImageGraph) {
    ComfyUiGeneration generation;
    generation.model = "sd15.safetensors";
    generation.prompt = "a cat";
    generation.negative_prompt = "blurry";
    generation.steps = 25;
    generation.cfg = 7.0;
    generation.seed = 42;
    generation.width = 768;
    const auto graph = comfyui_graph(generation);
    EXPECT_EQ(graph.size(), 7u);
    EXPECT_EQ(graph.at("1").at("inputs").at("ckpt_name"), "sd15.safetensors");
    EXPECT_EQ(graph.at("2").at("inputs").at("text"), "a cat");
    EXPECT_EQ(graph.at("3").at("inputs").at("text"), "blurry");
    EXPECT_EQ(graph.at("4").at("inputs").at("width"), 768);
    const auto& sampler = graph.at("5").at("inputs");
    EXPECT_EQ(graph.at("5").at("class_type"), "KSampler");
    EXPECT_EQ(sampler.at("seed"), 42u);
    EXPECT_EQ(sampler.at("steps"), 25);
    EXPECT_EQ(sampler.at("cfg"), 7);
    EXPECT_EQ(sampler.at("latent_image"), json::parse(R"(["4", 0])"));
    EXPECT_EQ(graph.at("7").at("class_type"), "SaveImage");
    EXPECT_EQ(graph.at("7").at("inputs").at("images"), json::parse(R"(["6", 0])"));
}

TEST(ServiceNodeHelpers, ReadsComfyUiCheckpointListsInBothFormats) {
    EXPECT_EQ(
        comfyui_checkpoints(json::parse(
            R"({"CheckpointLoaderSimple":{"input":{"required":{
                "ckpt_name":[["a.ckpt","b.ckpt"]]}}}})")),
        (std::vector<std::string>{"a.ckpt", "b.ckpt"}));
    EXPECT_EQ(
        comfyui_checkpoints(json::parse(
            R"({"CheckpointLoaderSimple":{"input":{"required":{
                "ckpt_name":["COMBO",{"options":["c.ckpt"]}]}}}})")),
        (std::vector<std::string>{"c.ckpt"}));
    EXPECT_TRUE(comfyui_checkpoints(json::parse("{}")).empty());
}

TEST(ServiceNodeHelpers, ReadsComfyUiHistoryEntries) {
    EXPECT_EQ(read_comfyui_history(json::parse("{}"), "p1").state, ComfyUiHistory::State::kPending);
    const auto failed = read_comfyui_history(
        json::parse(R"({"p1":{"status":{"status_str":"error","messages":[["execution_start",{}],
            ["execution_error",{"node_type":"KSampler","exception_message":"out of memory"}]]}}})"),
        "p1");
    EXPECT_EQ(failed.state, ComfyUiHistory::State::kFailed);
    EXPECT_EQ(failed.error, "KSampler: out of memory");
    EXPECT_EQ(read_comfyui_history(json::parse(R"({"p1":{"outputs":{}}})"), "p1").state,
              ComfyUiHistory::State::kNoImage);
    const auto done = read_comfyui_history(
        json::parse(R"({"p1":{"status":{"status_str":"success"},"outputs":{"7":{"images":[
            {"filename":"x y.png","subfolder":"","type":"output"}]}}}})"),
        "p1");
    EXPECT_EQ(done.state, ComfyUiHistory::State::kImage);
    EXPECT_EQ(comfyui_view_query(done.image), "filename=x+y.png&subfolder=&type=output");
}

TEST(ServiceNodeHelpers, ReadsComfyUiPromptErrors) {
    EXPECT_EQ(
        comfyui_prompt_error(json::parse(
            R"({"error":{"type":"x","message":"Prompt outputs failed validation",
                "details":"bad ckpt"},"node_errors":{}})")),
        "Prompt outputs failed validation: bad ckpt");
    EXPECT_FALSE(comfyui_prompt_error(json::parse(R"({"prompt_id":"1"})")).has_value());
}

}  // namespace
}  // namespace clara::nodes
