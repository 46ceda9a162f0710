#include "custom/worker_protocol.hpp"

#include "util/base64.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

namespace clara::custom {
namespace json = boost::json;

namespace {

std::optional<std::uint64_t> call_id_of(const json::object& message) {
    const auto* id = message.if_contains("id");
    if (id == nullptr) {
        return std::nullopt;
    }
    if (id->is_uint64()) {
        return id->get_uint64();
    }
    if (id->is_int64() && id->get_int64() >= 0) {
        return static_cast<std::uint64_t>(id->get_int64());
    }
    if (id->is_double() && id->get_double() >= 0) {
        return static_cast<std::uint64_t>(id->get_double());
    }
    return std::nullopt;
}

std::string string_field(const json::object& message, std::string_view key) {
    const auto* value = message.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                  : std::string();
}

std::optional<WorkerMessage> parse_fetch(const json::object& message, std::uint64_t call_id) {
    WorkerFetch fetch;
    fetch.call_id = call_id;
    const auto* fetch_id = message.if_contains("fetchId");
    if (fetch_id == nullptr || !fetch_id->is_number()) {
        return std::nullopt;
    }
    json::error_code ec;
    fetch.fetch_id = fetch_id->to_number<std::int64_t>(ec);
    if (ec) {
        return std::nullopt;
    }
    fetch.url = string_field(message, "url");
    fetch.method = string_field(message, "method");
    fetch.body = string_field(message, "body");
    if (const auto* headers = message.if_contains("headers");
        headers != nullptr && headers->is_array()) {
        for (const auto& pair : headers->get_array()) {
            const auto* entry = pair.if_array();
            if (entry == nullptr || entry->size() != 2 || !(*entry)[0].is_string() ||
                !(*entry)[1].is_string()) {
                return std::nullopt;
            }
            fetch.headers.emplace_back(std::string((*entry)[0].get_string()),
                                       std::string((*entry)[1].get_string()));
        }
    }
    return fetch;
}

std::optional<WorkerMessage> parse_result(json::object& message, std::uint64_t call_id) {
    WorkerResult result;
    result.call_id = call_id;
    const auto* ok = message.if_contains("ok");
    if (ok == nullptr || !ok->is_bool()) {
        return std::nullopt;
    }
    auto& outcome = result.outcome;
    outcome.ok = ok->get_bool();
    if (outcome.ok) {
        if (auto* value = message.if_contains("value")) {
            outcome.value = std::move(*value);
        }
        return result;
    }
    outcome.error = string_field(message, "error");
    if (outcome.error.empty()) {
        outcome.error = "unknown error";
    }
    const auto* timed_out = message.if_contains("timedOut");
    outcome.timed_out = timed_out != nullptr && timed_out->is_bool() && timed_out->get_bool();
    return result;
}

/// RFC 9110 token characters.
bool is_token(std::string_view text) {
    constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
    return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               kSymbols.find(c) != std::string_view::npos;
    });
}

}  // namespace

std::optional<std::string> check_fetch(const WorkerFetch& fetch) {
    if (!fetch.method.empty() && !is_token(fetch.method)) {
        return "invalid method";
    }
    for (const auto& [name, value] : fetch.headers) {
        if (!is_token(name)) {
            return "invalid header name";
        }
        if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
            return "invalid value of header " + name;
        }
    }
    return std::nullopt;
}

std::optional<WorkerMessage> parse_worker_message(std::string_view line) {
    json::error_code ec;
    auto parsed = json::parse(line, ec);
    if (ec || !parsed.is_object()) {
        return std::nullopt;
    }
    auto& message = parsed.get_object();
    const auto type = string_field(message, "type");
    if (type == "ready") {
        return WorkerReady{string_field(message, "version")};
    }
    const auto call_id = call_id_of(message);
    if (!call_id) {
        return std::nullopt;
    }
    if (type == "log") {
        return WorkerLog{*call_id, string_field(message, "level"),
                         string_field(message, "message")};
    }
    if (type == "fetch") {
        return parse_fetch(message, *call_id);
    }
    if (type == "result") {
        return parse_result(message, *call_id);
    }
    return std::nullopt;
}

std::string encode_call(std::uint64_t call_id, const engine::ScriptCall& call,
                        std::chrono::milliseconds time_left, bool fetch_enabled) {
    json::object message;
    message["type"] = "call";
    message["id"] = call_id;
    message["code"] = call.code;
    message["inputs"] = call.inputs;
    message["properties"] = call.properties;
    message["nodeName"] = call.node_name;
    message["timeoutMs"] = std::max<std::int64_t>(1, time_left.count());
    message["fetch"] = fetch_enabled;
    return json::serialize(message) + "\n";
}

std::string encode_fetch_result(std::uint64_t call_id, std::int64_t fetch_id,
                                const engine::OutboundResult& result) {
    if (const auto* error = std::get_if<engine::OutboundError>(&result)) {
        return encode_fetch_error(call_id, fetch_id, error->message);
    }
    const auto& response = std::get<engine::OutboundResponse>(result);
    json::object message;
    message["type"] = "fetchResult";
    message["id"] = call_id;
    message["fetchId"] = fetch_id;
    message["status"] = response.status;
    message["statusText"] = response.reason;
    message["url"] = response.url;
    message["redirected"] = response.redirects > 0;
    json::array headers;
    for (const auto& [name, value] : response.headers) {
        headers.push_back(json::array{json::string(name), json::string(value)});
    }
    message["headers"] = std::move(headers);
    message["body"] = util::base64_encode(response.body);
    return json::serialize(message) + "\n";
}

std::string encode_fetch_error(std::uint64_t call_id, std::int64_t fetch_id,
                               std::string_view text) {
    json::object message;
    message["type"] = "fetchResult";
    message["id"] = call_id;
    message["fetchId"] = fetch_id;
    message["error"] = text.empty() ? std::string_view("request failed") : text;
    return json::serialize(message) + "\n";
}

}  // namespace clara::custom
