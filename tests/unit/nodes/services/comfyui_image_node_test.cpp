#include <atomic>

#include "../service_node_harness.hpp"
#include "fake_service.hpp"
#include "util/base64.hpp"

namespace clara::nodes::testing {
namespace {

namespace json = boost::json;
using engine::FailureKind;
using std::chrono::milliseconds;

json::value jv(const std::string& text) { return json::string(text); }

const std::string kPng("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16);

constexpr std::string_view kObjectInfo =
    R"({"CheckpointLoaderSimple":{"input":{"required":{
        "ckpt_name":[["first.safetensors","second.ckpt"],{}]}}}})";

constexpr std::string_view kFinished = R"({"abc":{"prompt":[1,"abc",{},{},["7"]],
    "outputs":{"7":{"images":[
        {"filename":"clara runner_00001_.png","subfolder":"sub","type":"output"}]}},
    "status":{"status_str":"success","completed":true,"messages":[]}}})";

/// A ComfyUI that queues prompt "abc", reports it pending `pending_polls` times, then answers
/// with `history` (the finished entry by default) and serves the image from /view.
struct FakeComfyUi {
    int pending_polls = 1;
    std::string history{kFinished};
    FakeReply object_info = FakeReply::json(kObjectInfo);
    FakeReply prompt = FakeReply::json(R"({"prompt_id":"abc","number":3,"node_errors":{}})");
    std::atomic<int> polls{0};
    std::function<void(const ReceivedRequest&)> on_request;

    FakeService::Route route() {
        return [this](const ReceivedRequest& request) {
            if (on_request) {
                on_request(request);
            }
            const auto& target = request.target;
            if (target == "/object_info/CheckpointLoaderSimple") {
                return object_info;
            }
            if (target == "/prompt") {
                return prompt;
            }
            if (target.rfind("/history/", 0) == 0) {
                return ++polls <= pending_polls ? FakeReply::json("{}") : FakeReply::json(history);
            }
            if (target.rfind("/view?", 0) == 0) {
                return FakeReply{200, kPng, {{"Content-Type", "image/png"}}};
            }
            if (target == "/queue" || target == "/interrupt") {
                return FakeReply::json("{}");
            }
            return FakeReply{404, "not found"};
        };
    }
};

/// An environment whose COMFYUI_URL is `server`, polling every 10 ms.
void point_at(ServiceEnvironment& env, const FakeService& server) {
    env.settings().comfyui_url = server.url();
    env.settings().comfyui_poll = milliseconds(10);
}

json::value submitted_graph(const FakeService& server) {
    const auto submits = server.requests_to("/prompt");
    EXPECT_EQ(submits.size(), 1u);
    if (submits.empty()) {
        return nullptr;
    }
    EXPECT_EQ(submits[0].method, "POST");
    EXPECT_EQ(submits[0].header("Content-Type"), "application/json");
    const auto body = json::parse(submits[0].body);
    EXPECT_EQ(body.at("client_id").as_string().size(), 36u);
    return body.at("prompt");
}

TEST(ComfyUiImageNode, GeneratesWithTheFirstModelAndPollsUntilTheImageIsReady) {
    FakeComfyUi comfy;
    comfy.pending_polls = 2;
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    ServiceNodeRun run(env, "comfyui-image-gen",
                       R"({"steps":30,"guidanceScale":6.5,"sampler":"dpmpp_2m","scheduler":"karras",
                           "width":640,"height":384,"negativePrompt":"blurry","denoise":0.9})");
    run.input("prompt", "a red fox");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();

    EXPECT_EQ(result->at("image"), jv("data:image/png;base64," + util::base64_encode(kPng)));
    const auto& metadata = result->at("metadata");
    EXPECT_EQ(metadata.at("model"), "first.safetensors");
    EXPECT_EQ(metadata.at("prompt"), "a red fox");
    const auto seed = metadata.at("seed").to_number<std::uint64_t>();
    EXPECT_LE(seed, 0xFFFFFFFFull);
    const auto& config = metadata.at("config");
    EXPECT_EQ(config.at("steps"), 30);
    EXPECT_EQ(config.at("guidanceScale"), 6.5);
    EXPECT_EQ(config.at("negativePrompt"), "blurry");
    EXPECT_EQ(config.at("seed").to_number<std::uint64_t>(), seed);
    EXPECT_TRUE(metadata.at("duration").is_int64());

    const auto graph = submitted_graph(server);
    EXPECT_EQ(graph.at("1").at("inputs").at("ckpt_name"), "first.safetensors");
    EXPECT_EQ(graph.at("2").at("inputs").at("text"), "a red fox");
    EXPECT_EQ(graph.at("3").at("inputs").at("text"), "blurry");
    EXPECT_EQ(graph.at("4").at("inputs").at("width"), 640);
    EXPECT_EQ(graph.at("4").at("inputs").at("height"), 384);
    const auto& sampler = graph.at("5").at("inputs");
    EXPECT_EQ(sampler.at("steps"), 30);
    EXPECT_EQ(sampler.at("cfg"), 6.5);
    EXPECT_EQ(sampler.at("sampler_name"), "dpmpp_2m");
    EXPECT_EQ(sampler.at("scheduler"), "karras");
    EXPECT_EQ(sampler.at("denoise"), 0.9);
    EXPECT_EQ(sampler.at("seed").to_number<std::uint64_t>(), seed);
    EXPECT_EQ(graph.at("7").at("class_type"), "SaveImage");

    EXPECT_EQ(server.requests_to("/history/abc").size(), 3u);
    const auto views = server.requests_to("/view");
    ASSERT_EQ(views.size(), 1u);
    EXPECT_EQ(views[0].target, "/view?filename=clara+runner_00001_.png&subfolder=sub&type=output");
    EXPECT_TRUE(server.requests_to("/queue").empty());
    EXPECT_TRUE(server.requests_to("/interrupt").empty());
}

TEST(ComfyUiImageNode, UsesTheSelectedModelSeedAndPromptFallback) {
    FakeComfyUi comfy;
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    ServiceNodeRun run(env, "comfyui",
                       R"({"prompt":"from data","selectedModel":"flux.safetensors","seed":1234,
                           "selectedResolution":"portrait"})");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_TRUE(server.requests_to("/object_info").empty());
    const auto graph = submitted_graph(server);
    EXPECT_EQ(graph.at("1").at("inputs").at("ckpt_name"), "flux.safetensors");
    EXPECT_EQ(graph.at("2").at("inputs").at("text"), "from data");
    EXPECT_EQ(graph.at("5").at("inputs").at("seed"), 1234u);
    EXPECT_EQ(graph.at("4").at("inputs").at("width"), 512);
    EXPECT_EQ(graph.at("4").at("inputs").at("height"), 768);
    EXPECT_EQ(result->at("metadata").at("seed"), 1234u);
}

TEST(ComfyUiImageNode, NodeBaseUrlOverridesTheConfiguredOne) {
    FakeComfyUi comfy;
    FakeService server(comfy.route());
    ServiceEnvironment env;
    env.settings().comfyui_url = "http://127.0.0.1:1";
    env.settings().comfyui_poll = milliseconds(10);
    ServiceNodeRun run(env, "comfyui-image-generator",
                       R"({"comfyUIBaseUrl":")" + server.url("/") + R"("})");
    run.input("text", "x");
    ASSERT_TRUE(run.run()) << run.error();
    EXPECT_EQ(server.requests_to("/prompt").size(), 1u);
}

TEST(ComfyUiImageNode, BlankPromptIsANodeError) {
    FakeComfyUi comfy;
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    ServiceNodeRun run(env, "comfyui-image-gen", R"({"prompt":"fallback"})");
    run.input("prompt", "   ");
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "Prompt is required for image generation");
    EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
    EXPECT_EQ(server.count(), 0u);
}

TEST(ComfyUiImageNode, UnreachableComfyUiFailsTheExecution) {
    ServiceEnvironment env;
    env.settings().comfyui_url = "http://127.0.0.1:1";
    ServiceNodeRun run(env, "comfyui-image-gen", R"({"selectedModel":"m.ckpt"})");
    run.input("prompt", "x");
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error().rfind("ComfyUI connection failed: ", 0), 0u) << run.error();
    EXPECT_EQ(run.failure_kind(), FailureKind::kUpstream);
}

TEST(ComfyUiImageNode, ErrorAnswerToTheFirstRequestCountsAsUnreachable) {
    FakeComfyUi comfy;
    comfy.object_info = FakeReply{502, "proxy down"};
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    ServiceNodeRun run(env, "comfyui-image-gen");
    run.input("prompt", "x");
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "ComfyUI connection failed: HTTP 502 Bad Gateway");
    EXPECT_EQ(run.failure_kind(), FailureKind::kUpstream);
}

TEST(ComfyUiImageNode, NoModelsIsASoftFailure) {
    FakeComfyUi comfy;
    comfy.object_info =
        FakeReply::json(R"({"CheckpointLoaderSimple":{"input":{"required":{"ckpt_name":[[]]}}}})");
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    ServiceNodeRun run(env, "comfyui-image-gen");
    run.input("prompt", "x");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_TRUE(result->at("image").is_null());
    EXPECT_EQ(result->at("metadata").at("error"), "No ComfyUI models available");
    ASSERT_FALSE(run.logs().empty());
    EXPECT_EQ(run.logs().back().level, "warn");
    EXPECT_TRUE(server.requests_to("/prompt").empty());
}

TEST(ComfyUiImageNode, RejectedPromptIsASoftFailureWithComfyUisMessage) {
    FakeComfyUi comfy;
    comfy.prompt = FakeReply::json(
        R"({"error":{"type":"prompt_outputs_failed_validation",
                     "message":"Prompt outputs failed validation",
                     "details":"ckpt_name not in list","extra_info":{}},
            "node_errors":{"1":{}}})",
        400);
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    ServiceNodeRun run(env, "comfyui-image-gen", R"({"selectedModel":"missing.ckpt"})");
    run.input("prompt", "x");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_TRUE(result->at("image").is_null());
    EXPECT_EQ(
        result->at("metadata").at("error"),
        "ComfyUI rejected the prompt: Prompt outputs failed validation: ckpt_name not in list");
    EXPECT_TRUE(server.requests_to("/history").empty());
}

TEST(ComfyUiImageNode, ExecutionErrorIsASoftFailure) {
    FakeComfyUi comfy;
    comfy.history = R"({"abc":{"outputs":{},"status":{"status_str":"error","completed":false,
        "messages":[["execution_error",
            {"node_type":"KSampler","exception_message":"CUDA out of memory"}]]}}})";
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    ServiceNodeRun run(env, "comfyui-image-gen", R"({"selectedModel":"m.ckpt"})");
    run.input("prompt", "x");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_TRUE(result->at("image").is_null());
    EXPECT_EQ(result->at("metadata").at("error"),
              "ComfyUI generation failed: KSampler: CUDA out of memory");
    EXPECT_TRUE(result->at("metadata").at("timestamp").is_string());
    EXPECT_TRUE(server.requests_to("/view").empty());
}

TEST(ComfyUiImageNode, MissingImageIsASoftFailure) {
    FakeComfyUi comfy;
    comfy.history = R"({"abc":{"outputs":{"9":{"images":[]}},"status":{"status_str":"success"}}})";
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    ServiceNodeRun run(env, "comfyui-image-gen", R"({"selectedModel":"m.ckpt"})");
    run.input("prompt", "x");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("metadata").at("error"), "No image in ComfyUI output");
}

TEST(ComfyUiImageNode, TimeoutIsASoftFailureThatClearsTheQueue) {
    FakeComfyUi comfy;
    comfy.pending_polls = 1 << 30;
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    env.settings().comfyui_timeout = milliseconds(300);
    ServiceNodeRun run(env, "comfyui-image-gen", R"({"selectedModel":"m.ckpt"})");
    run.input("prompt", "x");
    const auto started = std::chrono::steady_clock::now();
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_GE(std::chrono::steady_clock::now() - started, milliseconds(300));
    EXPECT_TRUE(result->at("image").is_null());
    EXPECT_EQ(result->at("metadata").at("error"), "Generation timed out");
    EXPECT_GE(server.requests_to("/history/abc").size(), 2u);

    // The clean-up runs after the run ended: wait for it.
    ASSERT_TRUE(server.wait_for_target("/interrupt"));
    const auto queue = server.requests_to("/queue");
    ASSERT_EQ(queue.size(), 1u);
    EXPECT_EQ(queue[0].method, "POST");
    EXPECT_EQ(json::parse(queue[0].body), json::parse(R"({"delete":["abc"]})"));
    const auto interrupt = server.requests_to("/interrupt");
    ASSERT_EQ(interrupt.size(), 1u);
    EXPECT_EQ(interrupt[0].method, "POST");
}

TEST(ComfyUiImageNode, StrictModeTurnsTheTimeoutIntoAnUpstreamTimeout) {
    FakeComfyUi comfy;
    comfy.pending_polls = 1 << 30;
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    env.settings().comfyui_timeout = milliseconds(100);
    ServiceNodeRun run(env, "comfyui-image-gen", R"({"selectedModel":"m.ckpt"})");
    // STRICT_NODE_ERRORS: the run's limits are its own object, handed out read-only.
    const_cast<engine::ExecutionLimits&>(run.execution().limits()).strict_node_errors = true;
    run.input("prompt", "x");
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "Generation timed out");
    EXPECT_EQ(run.failure_kind(), FailureKind::kUpstreamTimeout);
    EXPECT_TRUE(server.wait_for_target("/interrupt"));
}

TEST(ComfyUiImageNode, TimeoutIsBoundedByTheExecutionDeadline) {
    FakeComfyUi comfy;
    comfy.pending_polls = 1 << 30;
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    env.settings().comfyui_timeout = std::chrono::minutes(5);
    ServiceNodeRun run(env, "comfyui-image-gen", R"({"selectedModel":"m.ckpt"})");
    run.input("prompt", "x").deadline_in(milliseconds(300));
    const auto result = run.run(std::chrono::seconds(10));
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("metadata").at("error"), "Generation timed out");
}

TEST(ComfyUiImageNode, CancellationWhilePollingEndsTheRunPromptly) {
    FakeComfyUi comfy;
    comfy.pending_polls = 1 << 30;
    std::atomic<ServiceNodeRun*> target{nullptr};
    comfy.on_request = [&](const ReceivedRequest& request) {
        if (request.target.rfind("/history/", 0) == 0 && target.load() != nullptr) {
            target.load()->cancel();
        }
    };
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    env.settings().comfyui_poll = milliseconds(50);
    ServiceNodeRun run(env, "comfyui-image-gen", R"({"selectedModel":"m.ckpt"})");
    run.input("prompt", "x");
    target = &run;
    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(run.run());
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    EXPECT_EQ(run.error(), "Image generation cancelled");
    // Polling stopped at the first answer after the cancellation.
    EXPECT_EQ(server.requests_to("/history/").size(), 1u);
    ASSERT_TRUE(server.wait_for_target("/interrupt"));
    EXPECT_EQ(server.requests_to("/queue").size(), 1u);
    EXPECT_EQ(server.requests_to("/interrupt").size(), 1u);
    EXPECT_EQ(server.requests_to("/history/").size(), 1u);
}

TEST(ComfyUiImageNode, CancellationInFlightEndsTheRunPromptly) {
    FakeComfyUi comfy;
    comfy.prompt = FakeReply{.hold = true};
    std::atomic<ServiceNodeRun*> target{nullptr};
    comfy.on_request = [&](const ReceivedRequest& request) {
        if (request.target == "/prompt" && target.load() != nullptr) {
            target.load()->cancel();
        }
    };
    FakeService server(comfy.route());
    ServiceEnvironment env;
    point_at(env, server);
    ServiceNodeRun run(env, "comfyui-image-gen", R"({"selectedModel":"m.ckpt"})");
    run.input("prompt", "x");
    target = &run;
    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(run.run());
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    EXPECT_EQ(run.error(), "Image generation cancelled");
    EXPECT_TRUE(server.requests_to("/history").empty());
}

TEST(ComfyUiImageNode, ConfiguredUrlIsTrustedButAnOverrideNeedsTheAllowlist) {
    FakeComfyUi comfy;
    FakeService server(comfy.route());
    {
        ServiceEnvironment env("");
        point_at(env, server);
        ServiceNodeRun run(env, "comfyui-image-gen", R"({"selectedModel":"m.ckpt"})");
        run.input("prompt", "x");
        EXPECT_TRUE(run.run()) << run.error();
    }
    FakeComfyUi other_comfy;
    FakeService other(other_comfy.route());
    {
        ServiceEnvironment env("");
        point_at(env, server);
        ServiceNodeRun run(
            env, "comfyui-image-gen",
            R"({"selectedModel":"m.ckpt","comfyUIBaseUrl":")" + other.url() + R"("})");
        run.input("prompt", "x");
        EXPECT_FALSE(run.run());
        EXPECT_EQ(run.error().rfind("ComfyUI connection failed: ", 0), 0u) << run.error();
        EXPECT_NE(run.error().find("refused"), std::string::npos) << run.error();
        EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
        EXPECT_EQ(other.count(), 0u);
    }
}

}  // namespace
}  // namespace clara::nodes::testing
