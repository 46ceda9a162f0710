// POST /api/workflows/{slug}/execute: authenticate, validate, run under the deadline, record the
// execution (group commit) and answer. One parse of the body, one serialisation of the answer.
// GET /api/workflows/{slug}/executions: the history, newest first, by offset or by cursor.
#include "api/api_error.hpp"
#include "api/execution_cursor.hpp"
#include "api/handlers.hpp"
#include "api/request_parsing.hpp"
#include "api/workflow_auth.hpp"
#include "engine/execution.hpp"
#include "openapi/input_validator.hpp"
#include "util/crypto.hpp"
#include "util/json_text.hpp"
#include "util/time_format.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace clara::api {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::size_t kStoredFieldLimit = 4096;  // STORE_EXECUTION_INPUTS=truncated, per string

/// Where an execution's result meets the coroutine waiting for it, whichever comes first.
struct PendingResult {
    std::mutex mutex;
    std::optional<engine::ExecutionResult> result;       // arrived before anyone waited
    std::function<void(engine::ExecutionResult)> resume;  // set once the coroutine waits
};

/// Runs the plan and resumes with its result; past `timeout` the execution is cancelled and
/// reports status timeout. Workflows whose nodes all finish inline complete before this
/// returns control, without a timer or a trip through the event loop.
asio::awaitable<engine::ExecutionResult> run_with_deadline(const engine::WorkflowPtr& plan,
                                                           json::object&& inputs,
                                                           const engine::ExecutionLimits& limits,
                                                           std::chrono::milliseconds timeout) {
    auto pending = std::make_shared<PendingResult>();
    auto execution = engine::Execution::start(
        plan, std::move(inputs), limits, [pending](engine::ExecutionResult result) {
            std::unique_lock lock(pending->mutex);
            if (!pending->resume) {
                pending->result = std::move(result);
                return;
            }
            auto resume = std::move(pending->resume);
            lock.unlock();
            resume(std::move(result));
        });
    {
        std::lock_guard lock(pending->mutex);
        if (pending->result) {
            co_return std::move(*pending->result);
        }
    }

    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    timer.async_wait([weak = std::weak_ptr<engine::Execution>(execution),
                      timeout](const boost::system::error_code& ec) {
        if (auto running = weak.lock(); running && !ec) {
            running->cancel(engine::ExecutionStatus::kTimeout,
                            "Workflow execution timeout after " + std::to_string(timeout.count()) +
                                "ms");
        }
    });
    auto initiate = [&pending](auto handler) {
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto executor = asio::get_associated_executor(*shared);
        auto resume = [shared, executor](engine::ExecutionResult result) {
            asio::post(executor, [shared, result = std::move(result)]() mutable {
                (*shared)(std::move(result));
            });
        };
        std::unique_lock lock(pending->mutex);
        if (pending->result) {  // finished while the timer was being armed
            auto result = std::move(*pending->result);
            lock.unlock();
            resume(std::move(result));
            return;
        }
        pending->resume = std::move(resume);
    };
    auto result = co_await asio::async_initiate<decltype(asio::use_awaitable),
                                                void(engine::ExecutionResult)>(initiate,
                                                                               asio::use_awaitable);
    timer.cancel();
    co_return result;
}

/// Shortens long strings for storage (STORE_EXECUTION_INPUTS=truncated): base64 payloads of
/// every call would otherwise fill the database.
json::value truncate_for_storage(const json::value& value) {
    if (value.is_string() && value.get_string().size() > kStoredFieldLimit) {
        const auto& text = value.get_string();
        std::size_t cut = kStoredFieldLimit;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) {
            --cut;  // keep UTF-8 sequences whole
        }
        return json::string(std::string(text.subview(0, cut)) + "...[truncated " +
                            std::to_string(text.size() - cut) + " bytes]");
    }
    if (value.is_object()) {
        json::object copy;
        for (const auto& member : value.get_object()) {
            copy[member.key()] = truncate_for_storage(member.value());
        }
        return copy;
    }
    if (value.is_array()) {
        json::array copy;
        for (const auto& element : value.get_array()) {
            copy.push_back(truncate_for_storage(element));
        }
        return copy;
    }
    return value;
}

json::value stored_inputs(const json::object& body, config::StoreInputs mode) {
    switch (mode) {
        case config::StoreInputs::kFull:
            return body;
        case config::StoreInputs::kNone:
            return json::object{};
        case config::StoreInputs::kTruncated:
            break;
    }
    return truncate_for_storage(body);
}

/// Token usage as stored and reported: {promptTokens, completionTokens, totalTokens, calls}.
json::object usage_json(const engine::TokenUsage& usage) {
    return json::object{{"promptTokens", usage.prompt_tokens},
                        {"completionTokens", usage.completion_tokens},
                        {"totalTokens", usage.total_tokens},
                        {"calls", usage.calls}};
}

/// The HTTP status of a failed execution: the deadline 504, a provider that failed 502 or
/// timed out 504, anything else 500.
unsigned failure_status(const engine::ExecutionResult& result) {
    if (result.status == engine::ExecutionStatus::kTimeout) {
        return 504;
    }
    if (!result.failed_node) {
        return 500;
    }
    switch (result.failure_kind) {
        case engine::FailureKind::kUpstream:
            return 502;
        case engine::FailureKind::kUpstreamTimeout:
            return 504;
        case engine::FailureKind::kNode:
            break;
    }
    return 500;
}

json::array string_array(const std::vector<std::string>& items) {
    json::array array;
    for (const auto& item : items) {
        array.push_back(json::string(item));
    }
    return array;
}

/// Counts the request against its key's window (RATE_LIMIT_*). Returns the RateLimit-* headers
/// for the response; throws 429 with them when the window is used up. A counter in the database
/// runs on the blocking pool; a request it could not count goes through without the headers.
asio::awaitable<http::HeaderList> check_rate_limit(AppContext& app,
                                                   const service::DeployedWorkflow& deployment) {
    if (!app.settings.rate_limit_enabled) {
        co_return http::HeaderList{};
    }
    auto& counter = app.rate_limiter;
    const auto& key_hash = deployment.record.api_key_hash;
    const auto& workflow_id = deployment.record.id;
    const auto counted =
        counter.blocks()
            ? co_await app.blocking.run([&] { return counter.hit(key_hash, workflow_id); })
            : counter.hit(key_hash, workflow_id);
    if (!counted) {
        co_return http::HeaderList{};
    }
    const auto& decision = *counted;
    const auto window_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(counter.window()).count();
    http::HeaderList headers{
        {"RateLimit-Policy", std::to_string(decision.limit) + ";w=" + std::to_string(window_seconds)},
        {"RateLimit-Limit", std::to_string(decision.limit)},
        {"RateLimit-Remaining", std::to_string(decision.remaining)},
        {"RateLimit-Reset", std::to_string(decision.reset.count())},
    };
    if (!decision.allowed) {
        headers.emplace_back("Retry-After", std::to_string(decision.reset.count()));
        throw ApiError(429, "Too many requests", "Rate limit exceeded. Please try again later.", {},
                       std::move(headers));
    }
    co_return headers;
}

http::Response with_headers(http::Response response, const http::HeaderList& headers) {
    for (const auto& [name, value] : headers) {
        response.set_header(name, value);
    }
    return response;
}

}  // namespace

Awaitable handle_execute(AppContext& app, http::Request& request) {
    const auto slug = require_slug(request);
    const auto deployment = co_await authenticate_workflow_key(app, request, KeyBinding::kSlug, slug);
    const auto rate_headers = co_await check_rate_limit(app, *deployment);
    auto body = parse_json_object_body(request);
    if (const auto problem = openapi::sanitize_inputs(body)) {
        throw ApiError(400, "Input validation failed", *problem);
    }
    if (auto problems = deployment->validator.validate(body); !problems.empty()) {
        json::object extra{{"validationErrors", string_array(problems)}};
        const auto& input_schema = deployment->record.schema.as_object().at("input").as_object();
        if (auto properties = openapi::echoable_properties(input_schema)) {
            extra["schema"] = std::move(*properties);
        }
        throw ApiError(400, "Input validation failed",
                       "Fix the fields listed in validationErrors; the schema lists every field",
                       std::move(extra));
    }

    auto slot = co_await app.gate.acquire();
    if (!slot) {
        throw ApiError(503, "Server busy",
                       "Too many executions are running or waiting; retry shortly",
                       {}, {{"Retry-After", "1"}});
    }
    storage::ExecutionRecord record;
    record.started_at_ms = util::now_ms();
    // Time-ordered: each record lands at the end of the primary-key index, next to the last.
    record.id = util::uuid_v7(record.started_at_ms);
    record.workflow_id = deployment->record.id;
    record.inputs = stored_inputs(body, app.settings.store_execution_inputs);
    const auto started = std::chrono::steady_clock::now();

    auto result = co_await run_with_deadline(deployment->plan, std::move(body), app.limits,
                                             app.settings.max_execution_time);
    slot = {};  // the slot bounds running work; recording waits outside it

    const auto duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - started)
                                 .count();
    std::string outputs_text;
    if (result.status == engine::ExecutionStatus::kSuccess) {
        outputs_text = util::to_json_text(result.outputs);
        if (outputs_text.size() > app.settings.max_output_size) {
            result.status = engine::ExecutionStatus::kError;
            result.error = "Output too large: the outputs are " + std::to_string(outputs_text.size()) +
                           " bytes, MAX_OUTPUT_SIZE allows " +
                           std::to_string(app.settings.max_output_size);
            result.outputs.clear();
        }
    }
    record.status = std::string(engine::to_string(result.status));
    record.duration_ms = duration_ms;
    if (!result.usage.empty()) {
        record.token_usage = usage_json(result.usage);
    }
    record.created_at_ms = util::now_ms();
    if (result.status == engine::ExecutionStatus::kSuccess) {
        record.outputs = result.outputs;
    } else {
        record.error_message = result.error;
        if (result.failed_node) {
            record.error_node_id = result.failed_node->id;
        }
    }

    try {
        co_await app.recorder.record(record);
    } catch (const std::exception& e) {
        spdlog::error("execution {} of /{} could not be recorded: {}", record.id, slug, e.what());
        throw ApiError(503, "Execution not recorded",
                       "The workflow ran but its record could not be stored, so no result is "
                       "returned; check the database and retry",
                       json::object{{"executionId", record.id}});
    }

    json::object metadata{{"duration", std::to_string(duration_ms) + "ms"},
                          {"durationMs", duration_ms},
                          {"timestamp", util::iso8601_ms(record.created_at_ms)},
                          {"executionId", record.id}};
    if (!record.token_usage.is_null()) {
        metadata["tokenUsage"] = record.token_usage;
    }
    if (result.status == engine::ExecutionStatus::kSuccess) {
        metadata["nodesExecuted"] = result.nodes_executed;
        metadata["skippedNodes"] = string_array(result.skipped_nodes);
        metadata["workflow"] = json::object{{"id", deployment->record.id},
                                            {"name", deployment->record.name},
                                            {"slug", deployment->record.slug}};
        // The outputs are already serialised; splice them in rather than serialising twice.
        std::string text = R"({"success":true,"outputs":)";
        text += outputs_text;
        text += R"(,"metadata":)";
        util::append_json_text(text, metadata);
        text += '}';
        co_return with_headers(http::Response::text(200, "application/json; charset=utf-8", std::move(text)),
                               rate_headers);
    }

    json::object response{{"success", false}, {"error", result.error}};
    if (result.status == engine::ExecutionStatus::kTimeout) {
        response["message"] = "The workflow did not finish within MAX_EXECUTION_TIME (" +
                              std::to_string(app.settings.max_execution_time.count()) +
                              "ms); raise the limit or make the workflow faster";
    } else if (result.failed_node && result.failure_kind != engine::FailureKind::kNode) {
        response["message"] = "Node '" + result.failed_node->id +
                              "' failed because the provider or service it calls " +
                              (result.failure_kind == engine::FailureKind::kUpstreamTimeout
                                   ? "did not answer in time"
                                   : "failed or refused the request") +
                              "; check the service, its URL and credentials, then retry";
        response["failedNode"] = json::object{{"id", result.failed_node->id},
                                              {"name", result.failed_node->name},
                                              {"type", result.failed_node->type}};
    } else if (result.failed_node) {
        response["message"] = "Node '" + result.failed_node->id +
                              "' failed; check its configuration and the inputs it received";
        response["failedNode"] = json::object{{"id", result.failed_node->id},
                                              {"name", result.failed_node->name},
                                              {"type", result.failed_node->type}};
    } else {
        response["message"] = "The workflow's outputs exceed MAX_OUTPUT_SIZE";
    }
    if (app.settings.expose_execution_logs) {
        json::array logs;
        for (const auto& entry : result.logs) {
            logs.push_back(json::object{{"timestamp", util::iso8601_ms(entry.timestamp_ms)},
                                        {"level", entry.level},
                                        {"message", entry.message},
                                        {"data", json::object{{"nodeId", entry.node_id}}}});
        }
        response["logs"] = std::move(logs);
    }
    response["metadata"] = std::move(metadata);
    co_return with_headers(json_response(failure_status(result), response), rate_headers);
}

Awaitable handle_list_executions(AppContext& app, http::Request& request) {
    const auto slug = require_slug(request);
    const auto deployment = co_await authenticate_workflow_key(app, request, KeyBinding::kSlug,
                                                               slug, AdminAccess::kAllowed);
    const auto page = parse_keyset_pagination(request, 50);
    std::optional<std::string> status_filter;
    if (const auto status = request.query_param("status")) {
        if (*status != "success" && *status != "error" && *status != "timeout" && *status != "running") {
            throw ApiError(400, "Validation failed",
                           "status must be one of success, error, timeout, running",
                           json::object{{"validationErrors",
                                         json::array{"status must be one of success, error, "
                                                     "timeout, running"}}});
        }
        status_filter = std::string(*status);
    }
    // One row more than the page tells whether another page follows.
    std::vector<storage::ExecutionRecord> rows;
    if (page.after) {
        storage::ExecutionPageQuery query;
        query.workflow_id = deployment->record.id;
        query.status = std::move(status_filter);
        query.after = page.after;
        query.limit = page.limit + 1;
        rows = co_await app.blocking.run(
            [&app, &query] { return app.store.list_executions_page(query); });
    } else {
        storage::ExecutionQuery query;
        query.workflow_id = deployment->record.id;
        query.status = std::move(status_filter);
        query.limit = page.limit + 1;
        query.offset = page.offset;
        rows = co_await app.blocking.run(
            [&app, &query] { return app.store.list_executions(query); });
    }
    const bool has_more = rows.size() > static_cast<std::size_t>(page.limit);
    if (has_more) {
        rows.pop_back();
    }
    // Offset pages carry a cursor too, so that a client can go on by keyset after any page.
    json::value next_cursor = nullptr;
    if (has_more && !rows.empty()) {
        next_cursor = json::string(encode_execution_cursor(
            storage::ExecutionCursor{rows.back().created_at_ms, rows.back().id}));
    }
    json::array items;
    for (const auto& row : rows) {
        items.push_back(json::object{
            {"id", row.id},
            {"inputs", row.inputs},
            {"outputs", row.outputs},
            {"status", row.status},
            {"error", row.error_message ? json::value(*row.error_message) : json::value(nullptr)},
            {"errorNodeId", row.error_node_id ? json::value(*row.error_node_id) : json::value(nullptr)},
            {"duration", row.duration_ms ? json::value(std::to_string(*row.duration_ms) + "ms")
                                         : json::value(nullptr)},
            {"durationMs", row.duration_ms ? json::value(*row.duration_ms) : json::value(nullptr)},
            {"tokenUsage", row.token_usage},
            {"createdAt", util::iso8601_ms(row.created_at_ms)},
        });
    }
    co_return json_response(
        200, json::object{{"success", true},
                          {"executions", std::move(items)},
                          {"pagination", json::object{{"limit", page.limit},
                                                      {"offset", page.offset},
                                                      {"hasMore", has_more},
                                                      {"nextCursor", std::move(next_cursor)}}}});
}

}  // namespace clara::api
