// `comfyui-image-gen` (nodes.md § 17, DECISIONS.md § 4): text to image through ComfyUI's HTTP
// API. Submits the graph to /prompt, polls /history/{id} on the Timer, fetches the image from
// /view. An unreachable ComfyUI fails the execution; other problems are soft failures.
#include <algorithm>
#include <cmath>
#include <random>

#include "engine/execution_context.hpp"
#include "engine/js_value.hpp"
#include "nodes/image_probe.hpp"
#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"
#include "nodes/services/comfyui_api.hpp"
#include "nodes/services/service_node_types.hpp"
#include "nodes/services/service_text.hpp"
#include "nodes/services/soft_failure.hpp"
#include "nodes/services/url_encoding.hpp"
#include "util/base64.hpp"
#include "util/crypto.hpp"
#include "util/json_text.hpp"
#include "util/time_format.hpp"

namespace clara::nodes {
namespace json = boost::json;
using engine::FailureKind;
using engine::NodeFailure;
using engine::NodeRun;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

constexpr milliseconds kCallTimeout{30000};    // one ComfyUI request (not the generation)
constexpr milliseconds kReleaseBudget{10000};  // the best-effort queue clean-up
constexpr std::string_view kConnectionFailed = "ComfyUI connection failed: ";

/// The node's `data`, parsed once.
struct ComfyUiSettings {
    std::string node_id;
    std::string prompt;  ///< fallback when no prompt input is connected
    ComfyUiGeneration generation;
    std::int64_t seed = -1;  ///< -1 (any negative): a random seed per run
    std::string base_url;    ///< comfyUIBaseUrl; empty: COMFYUI_URL
};

std::int64_t integer_field(const json::object& data, std::string_view key, std::int64_t fallback) {
    const auto number = number_field(data, key);
    return number && std::isfinite(*number) ? static_cast<std::int64_t>(std::llround(*number))
                                            : fallback;
}

/// The size of the Studio's resolution presets, used when width and height are not set.
std::optional<std::pair<std::int64_t, std::int64_t>> preset_size(std::string_view preset) {
    if (preset == "square") {
        return std::pair{512, 512};
    }
    if (preset == "portrait") {
        return std::pair{512, 768};
    }
    if (preset == "landscape") {
        return std::pair{768, 512};
    }
    if (preset == "hd") {
        return std::pair{896, 504};
    }
    if (preset == "mobile") {
        return std::pair{512, 896};
    }
    return std::nullopt;
}

ComfyUiSettings parse_settings(const engine::NodeDecl& decl) {
    const auto& data = decl.data;
    ComfyUiSettings s;
    s.node_id = decl.id;
    s.prompt = string_or(data, "prompt", "");
    auto& g = s.generation;
    g.model = js_trim(string_or(data, "selectedModel", ""));
    g.negative_prompt = string_or(data, "negativePrompt", "");
    g.steps = integer_field(data, "steps", g.steps);
    g.cfg = number_field(data, "guidanceScale").value_or(g.cfg);
    g.denoise = number_field(data, "denoise").value_or(g.denoise);
    g.sampler = string_or(data, "sampler", g.sampler);
    g.scheduler = string_or(data, "scheduler", g.scheduler);
    if (const auto preset = preset_size(string_or(data, "selectedResolution", ""))) {
        g.width = preset->first;
        g.height = preset->second;
    }
    g.width = integer_field(data, "width", g.width);
    g.height = integer_field(data, "height", g.height);
    s.seed = integer_field(data, "seed", -1);
    s.base_url = trim_base_url(string_or(data, "comfyUIBaseUrl", ""));
    return s;
}

std::uint64_t random_seed() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_int_distribution<std::uint64_t>(0, 0xFFFFFFFFull)(engine);
}

/// One run of the node, shared by the callbacks of its requests and waits.
struct ComfyUiJob {
    std::shared_ptr<const ComfyUiSettings> settings;
    NodeServicesPtr services;
    NodeRun* run = nullptr;
    std::string base;
    ComfyUiGeneration generation;
    Clock::time_point started;
    Clock::time_point deadline;  ///< COMFYUI_TIMEOUT_MS, bounded by the execution deadline
    bool first_request = true;   ///< no answer from ComfyUI yet
    std::string prompt_id;       ///< set once the prompt is queued
};

using JobPtr = std::shared_ptr<ComfyUiJob>;

/// Best-effort removal of an abandoned prompt: `POST /queue {"delete":[id]}`, then
/// `POST /interrupt` (targeted at the prompt where ComfyUI supports it). It runs on a context
/// of its own because the execution's may be cancelled or past its deadline already.
void release_prompt(const JobPtr& job) {
    if (job->prompt_id.empty() || !job->services->http) {
        return;
    }
    static const engine::ExecutionLimits kLimits;
    auto context = std::make_shared<engine::ExecutionContext>(kLimits);
    context->set_deadline(Clock::now() + kReleaseBudget);
    auto post = [base = job->base](std::string path, const json::value& body) {
        engine::OutboundRequest request;
        request.method = "POST";
        request.url = base + path;
        request.headers = {{"Content-Type", "application/json"}};
        request.body = util::to_json_text(body);
        request.timeout = kReleaseBudget;
        return request;
    };
    auto interrupt = post("/interrupt", json::object{{"prompt_id", job->prompt_id}});
    auto http = job->services->http;
    http->send(post("/queue", json::object{{"delete", json::array{json::value(job->prompt_id)}}}),
               *context,
               [http, context, interrupt = std::move(interrupt)](engine::OutboundResult) mutable {
                   http->send(std::move(interrupt), *context, [context](engine::OutboundResult) {});
               });
}

json::value soft_failure(const JobPtr& job,
                         const std::string& message,
                         FailureKind kind = FailureKind::kUpstream) {
    report_soft_failure(*job->run, job->settings->node_id, message, kind);
    return json::object{
        {"image", nullptr},
        {"metadata",
         json::object{{"error", message}, {"timestamp", util::iso8601_ms(util::now_ms())}}}};
}

/// Ends the run with a soft failure (or the strict-mode failure it becomes).
void finish_soft(const JobPtr& job,
                 const std::string& message,
                 FailureKind kind = FailureKind::kUpstream) {
    job->run->succeed(soft_failure(job, message, kind));
}

/// Gives up on a queued prompt, then ends the run softly.
void abandon(const JobPtr& job,
             const std::string& message,
             FailureKind kind = FailureKind::kUpstream) {
    release_prompt(job);
    finish_soft(job, message, kind);
}

void timed_out(const JobPtr& job) {
    abandon(job, "Generation timed out", FailureKind::kUpstreamTimeout);
}

[[noreturn]] void cancelled(const JobPtr& job) {
    release_prompt(job);
    throw NodeFailure("Image generation cancelled", FailureKind::kUpstream);
}

/// A rejection in ComfyUI's own format (`{"error": {...}, "node_errors": {...}}`): ComfyUI was
/// reached and refused the request.
bool is_comfyui_error(const engine::OutboundResponse& response) {
    const auto body = parse_json(response.body);
    return body && comfyui_prompt_error(*body).has_value();
}

using ResponseHandler = std::function<void(engine::OutboundResponse)>;

/// Continues a ComfyUI request with its outcome. Transport failures end the run: a cancelled
/// execution, the generation's budget spent (soft timeout), or ComfyUI unreachable.
void on_comfyui_outcome(const JobPtr& job,
                        bool budget_bound,
                        const ResponseHandler& then,
                        engine::OutboundResult outcome) {
    if (auto* error = std::get_if<engine::OutboundError>(&outcome)) {
        switch (error->kind) {
            case engine::OutboundErrorKind::kCancelled:
                cancelled(job);
            case engine::OutboundErrorKind::kTimeout:
                if (budget_bound) {
                    timed_out(job);
                    return;
                }
                break;
            case engine::OutboundErrorKind::kTooLarge:
                abandon(job, "ComfyUI answer too large: " + error->message);
                return;
            case engine::OutboundErrorKind::kPolicy:
                // A base URL the outbound policy refuses is the workflow's configuration.
                throw NodeFailure(std::string(kConnectionFailed) + error->message,
                                  FailureKind::kNode);
            default:
                break;
        }
        throw transport_failure(*error, kConnectionFailed);
    }
    auto response = std::move(std::get<engine::OutboundResponse>(outcome));
    const bool first = std::exchange(job->first_request, false);
    // The Studio's rule: ComfyUI that answers its first request with an error is as
    // unreachable as one that does not answer (unless it is ComfyUI's own rejection).
    if (first && !is_success(response.status) && !is_comfyui_error(response)) {
        throw NodeFailure(
            std::string(kConnectionFailed) + describe_status(response.status, response.reason),
            FailureKind::kUpstream);
    }
    then(std::move(response));
}

/// One request to ComfyUI within the generation's time budget; `then` gets its answer.
void comfyui_call(const JobPtr& job,
                  std::string method,
                  const std::string& path,
                  std::string body,
                  ResponseHandler then) {
    const auto left = std::chrono::ceil<milliseconds>(job->deadline - Clock::now());
    if (left <= milliseconds(0)) {
        timed_out(job);
        return;
    }
    engine::OutboundRequest request;
    request.method = std::move(method);
    request.url = job->base + path;
    if (!body.empty()) {
        request.headers = {{"Content-Type", "application/json"}};
        request.body = std::move(body);
    }
    const bool budget_bound = left < kCallTimeout;
    request.timeout = std::min(left, kCallTimeout);
    request.max_response_bytes = job->services->settings.node_max_response_bytes;
    send_outbound(*job->run, *job->services, std::move(request),
                  [job, budget_bound, then = std::move(then)](engine::OutboundResult outcome) {
                      on_comfyui_outcome(job, budget_bound, then, std::move(outcome));
                  });
}

void poll_later(const JobPtr& job);

json::value success_result(const JobPtr& job, std::string mime, const std::string& bytes) {
    const auto& g = job->generation;
    const auto duration =
        std::chrono::duration_cast<milliseconds>(Clock::now() - job->started).count();
    json::object config{
        {"prompt", g.prompt},
        {"model", g.model},
        {"steps", g.steps},
        {"guidanceScale", json_number_value(g.cfg)},
        {"denoise", json_number_value(g.denoise)},
        {"sampler", g.sampler},
        {"scheduler", g.scheduler},
        {"width", g.width},
        {"height", g.height},
        {"negativePrompt", g.negative_prompt},
        {"seed", g.seed},
    };
    json::object metadata{
        {"prompt", g.prompt},          {"seed", g.seed},
        {"duration", duration},        {"model", g.model},
        {"config", std::move(config)}, {"timestamp", util::iso8601_ms(util::now_ms())},
    };
    return json::object{{"image", "data:" + mime + ";base64," + util::base64_encode(bytes)},
                        {"metadata", std::move(metadata)}};
}

void fetch_image(const JobPtr& job, const ComfyUiImageRef& image) {
    comfyui_call(job, "GET", "/view?" + comfyui_view_query(image), {},
                 [job](engine::OutboundResponse response) {
                     if (!is_success(response.status)) {
                         finish_soft(job, "ComfyUI image download failed: " +
                                              describe_status(response.status, response.reason));
                         return;
                     }
                     if (response.body.empty()) {
                         finish_soft(job, "ComfyUI returned an empty image");
                         return;
                     }
                     auto mime = mime_essence(header_value(response.headers, "Content-Type"));
                     if (mime.rfind("image/", 0) != 0) {
                         mime = std::string(sniff_image_mime(response.body));
                     }
                     if (mime.empty()) {
                         mime = "image/png";
                     }
                     job->run->succeed(success_result(job, std::move(mime), response.body));
                 });
}

void poll(const JobPtr& job) {
    comfyui_call(job, "GET", "/history/" + encode_uri_component(job->prompt_id), {},
                 [job](engine::OutboundResponse response) {
                     if (!is_success(response.status)) {
                         abandon(job, "ComfyUI history request failed: " +
                                          describe_status(response.status, response.reason));
                         return;
                     }
                     const auto body = parse_json(response.body);
                     if (!body || !body->is_object()) {
                         abandon(job, "ComfyUI returned an invalid history answer");
                         return;
                     }
                     const auto history = read_comfyui_history(*body, job->prompt_id);
                     switch (history.state) {
                         case ComfyUiHistory::State::kPending:
                             poll_later(job);
                             return;
                         case ComfyUiHistory::State::kFailed:
                             finish_soft(job, history.error.empty()
                                                  ? std::string("ComfyUI generation failed")
                                                  : "ComfyUI generation failed: " + history.error);
                             return;
                         case ComfyUiHistory::State::kNoImage:
                             finish_soft(job, "No image in ComfyUI output");
                             return;
                         case ComfyUiHistory::State::kImage:
                             fetch_image(job, history.image);
                             return;
                     }
                 });
}

/// Waits COMFYUI_POLL_MS (less when the budget ends sooner), then polls.
void poll_later(const JobPtr& job) {
    const auto left = std::chrono::ceil<milliseconds>(job->deadline - Clock::now());
    if (left <= milliseconds(0)) {
        timed_out(job);
        return;
    }
    const auto delay = std::min(left, job->services->settings.comfyui_poll);
    wait_then(*job->run, *job->services, delay, [job](bool elapsed) {
        if (!elapsed) {
            cancelled(job);
        }
        if (Clock::now() >= job->deadline) {
            timed_out(job);
            return;
        }
        poll(job);
    });
}

void submit(const JobPtr& job) {
    const json::object body{{"prompt", comfyui_graph(job->generation)},
                            {"client_id", util::uuid_v4()}};
    comfyui_call(
        job, "POST", "/prompt", util::to_json_text(body), [job](engine::OutboundResponse response) {
            const auto answer = parse_json(response.body);
            if (!is_success(response.status)) {
                const auto message = answer ? comfyui_prompt_error(*answer) : std::nullopt;
                finish_soft(
                    job, "ComfyUI rejected the prompt: " +
                             message.value_or(describe_status(response.status, response.reason)));
                return;
            }
            const auto* id = answer && answer->is_object()
                                 ? answer->get_object().if_contains("prompt_id")
                                 : nullptr;
            if (id == nullptr || !id->is_string() || id->get_string().empty()) {
                finish_soft(job, "ComfyUI did not return a prompt id");
                return;
            }
            job->prompt_id = std::string(id->get_string());
            job->run->context().info(job->settings->node_id,
                                     "ComfyUI queued prompt " + job->prompt_id);
            poll_later(job);
        });
}

void choose_model_then_submit(const JobPtr& job) {
    if (!job->generation.model.empty()) {
        submit(job);
        return;
    }
    comfyui_call(job, "GET", "/object_info/CheckpointLoaderSimple", {},
                 [job](engine::OutboundResponse response) {
                     const auto answer = parse_json(response.body);
                     const auto models =
                         answer ? comfyui_checkpoints(*answer) : std::vector<std::string>{};
                     if (models.empty()) {
                         finish_soft(job, "No ComfyUI models available");
                         return;
                     }
                     job->generation.model = models.front();
                     submit(job);
                 });
}

class ComfyUiImageNode final : public engine::NodeInstance {
public:
    ComfyUiImageNode(NodeServicesPtr services, ComfyUiSettings settings)
        : services_(std::move(services)),
          settings_(std::make_shared<const ComfyUiSettings>(std::move(settings))) {}

    void start(NodeRun& run) const override {
        run_guarded(run, [&] {
            const auto* input = run.inputs().read({"prompt", "input", "text"});
            auto prompt = is_empty(input) ? settings_->prompt : engine::to_text(*input);
            if (js_trim(prompt).empty()) {
                throw NodeFailure("Prompt is required for image generation");
            }
            const auto& config = services_->settings;
            auto job = std::make_shared<ComfyUiJob>();
            job->settings = settings_;
            job->services = services_;
            job->run = &run;
            job->base = settings_->base_url;
            if (job->base.empty()) {
                if (!config.comfyui_enabled) {
                    throw NodeFailure(std::string(kConnectionFailed) +
                                      "ComfyUI is disabled on this server (COMFYUI_ENABLED=false) "
                                      "and the node sets no comfyUIBaseUrl");
                }
                job->base = trim_base_url(config.comfyui_url);
            }
            job->generation = settings_->generation;
            job->generation.prompt = std::move(prompt);
            job->generation.seed =
                settings_->seed < 0 ? random_seed() : static_cast<std::uint64_t>(settings_->seed);
            job->started = Clock::now();
            job->deadline =
                std::min(job->started + config.comfyui_timeout, run.context().deadline());
            choose_model_then_submit(job);
        });
    }

private:
    NodeServicesPtr services_;
    std::shared_ptr<const ComfyUiSettings> settings_;
};

}  // namespace

engine::NodeType comfyui_image_node_type(const NodeServicesPtr& services) {
    return engine::NodeType{
        .type = "comfyui-image-gen",
        .aliases = {"comfyui-image-generator", "comfyui"},
        .inputs = {{"prompt", "Prompt"}},
        .outputs = {{"image", "Generated Image"}, {"metadata", "Generation Metadata"}},
        .primary_output = "image",
        .create = [services](const engine::NodeDecl& decl,
                             engine::Diagnostics& diag) -> std::unique_ptr<engine::NodeInstance> {
            auto settings = parse_settings(decl);
            warn_if_refused(*services, decl, settings.base_url, diag);
            return std::make_unique<ComfyUiImageNode>(services, std::move(settings));
        },
    };
}

}  // namespace clara::nodes
