// `api-request` (nodes.md § 13): one HTTP call built from the node's settings and inputs, with
// auth, query parameters, a body in the configured encoding, retries with exponential back-off
// on the Timer, and the response parsed by its content type.
#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cctype>
#include <optional>

#include "engine/execution_context.hpp"
#include "engine/js_value.hpp"
#include "engine/multipart_form.hpp"
#include "nodes/node_data.hpp"
#include "nodes/outbound_call.hpp"
#include "nodes/services/service_node_types.hpp"
#include "nodes/services/service_text.hpp"
#include "nodes/services/url_encoding.hpp"
#include "util/base64.hpp"
#include "util/json_text.hpp"
#include "util/time_format.hpp"

namespace clara::nodes {
namespace json = boost::json;
using engine::FailureKind;
using engine::NodeFailure;
using engine::NodeRun;

namespace {

constexpr std::string_view kUserAgent = "Clara-Agent-Runner/1.0";
constexpr std::array<std::string_view, 7> kMethods{"GET",    "POST", "PUT",    "PATCH",
                                                   "DELETE", "HEAD", "OPTIONS"};
constexpr int kMaxRetries = 10;                              // keeps the back-off finite
constexpr std::chrono::milliseconds kMaxRetryDelay{600000};  // base of the back-off

enum class AuthType { kNone, kApiKey, kBearer, kBasic, kCustom };
enum class ResponseType { kAuto, kJson, kText, kBinary };

/// The node's `data`, parsed once.
struct ApiRequestSettings {
    std::string node_id;
    std::string method = "GET";
    std::chrono::milliseconds timeout{30000};
    int retries = 3;
    std::chrono::milliseconds retry_delay{1000};
    AuthType auth = AuthType::kNone;
    std::string content_type = "application/json";
    ResponseType response_type = ResponseType::kAuto;
    bool follow_redirects = true;
    bool validate_status = true;
    std::string url;                  ///< data.url, used without a `url` input
    std::optional<json::value> body;  ///< data.body, used without a `body` input
    json::object headers;             ///< data.headers, merged under the input headers
};

std::string upper_ascii(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return text;
}

std::string lower_ascii(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

/// A header object from `data.headers` or the `headers` input: an object, or JSON text of one.
std::optional<json::object> header_object(const json::value* value) {
    if (value == nullptr || value->is_null()) {
        return std::nullopt;
    }
    if (value->is_object()) {
        return value->get_object();
    }
    if (value->is_string()) {
        if (auto parsed = parse_json(value->get_string()); parsed && parsed->is_object()) {
            return std::move(parsed->get_object());
        }
    }
    return std::nullopt;
}

std::chrono::milliseconds millis_field(const json::object& data,
                                       std::string_view key,
                                       std::chrono::milliseconds fallback,
                                       std::chrono::milliseconds max) {
    const auto number = number_field(data, key);
    if (!number) {
        return fallback;
    }
    const double clamped = std::clamp(*number, 0.0, static_cast<double>(max.count()));
    return std::chrono::milliseconds(static_cast<std::int64_t>(clamped));
}

ApiRequestSettings parse_settings(const engine::NodeDecl& decl, engine::Diagnostics& diag) {
    const auto& data = decl.data;
    ApiRequestSettings s;
    s.node_id = decl.id;
    s.method = upper_ascii(string_or(data, "method", "GET"));
    if (std::find(kMethods.begin(), kMethods.end(), s.method) == kMethods.end()) {
        diag.errors.push_back("invalid_node_config: unsupported method '" + s.method +
                              "' (use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS)");
    }
    // 0 means no per-attempt limit: only the execution deadline applies.
    s.timeout = millis_field(data, "timeout", s.timeout, std::chrono::hours(24));
    if (const auto retries = number_field(data, "retries")) {
        s.retries = static_cast<int>(std::clamp(*retries, 0.0, static_cast<double>(kMaxRetries)));
        if (*retries > kMaxRetries) {
            diag.warnings.push_back("retries is capped at " + std::to_string(kMaxRetries));
        }
    }
    s.retry_delay = millis_field(data, "retryDelay", s.retry_delay, kMaxRetryDelay);

    const auto auth = string_or(data, "authType", "none");
    if (auth == "apiKey") {
        s.auth = AuthType::kApiKey;
    } else if (auth == "bearer") {
        s.auth = AuthType::kBearer;
    } else if (auth == "basic") {
        s.auth = AuthType::kBasic;
    } else if (auth == "custom") {
        s.auth = AuthType::kCustom;
    } else if (auth != "none") {
        diag.warnings.push_back("unknown authType '" + auth + "'; no authentication is sent");
    }
    s.content_type = string_or(data, "contentType", s.content_type);

    const auto response = string_or(data, "responseType", "auto");
    if (response == "json") {
        s.response_type = ResponseType::kJson;
    } else if (response == "text") {
        s.response_type = ResponseType::kText;
    } else if (response == "binary") {
        s.response_type = ResponseType::kBinary;
    } else if (response != "auto") {
        diag.warnings.push_back("unknown responseType '" + response + "'; auto is used");
    }
    s.follow_redirects = bool_or(data, "followRedirects", true);
    s.validate_status = bool_or(data, "validateStatus", true);
    s.url = string_or(data, "url", "");
    if (const auto* body = non_empty(data, "body")) {
        s.body = *body;
    }
    if (const auto* headers = non_empty(data, "headers")) {
        if (auto object = header_object(headers)) {
            s.headers = std::move(*object);
        } else {
            diag.warnings.push_back("data.headers is not an object; it is ignored");
        }
    }
    return s;
}

/// WHATWG URL parsing percent-encodes spaces, quotes and non-ASCII bytes in the path and
/// query; the strict RFC 3986 parser does not, so they are encoded first.
std::string encode_loose_characters(std::string_view url) {
    static constexpr std::string_view kLoose = " \"<>`{}|\\^";
    static constexpr char kHex[] = "0123456789ABCDEF";
    const auto scheme_end = url.find("://");
    const auto path_start =
        scheme_end == std::string_view::npos ? 0 : url.find_first_of("/?#", scheme_end + 3);
    std::string out(url.substr(0, path_start));
    if (path_start == std::string_view::npos) {
        return out;
    }
    for (const char ch : url.substr(path_start)) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x80 || c < 0x20 || c == 0x7F || kLoose.find(ch) != std::string_view::npos) {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 0xF];
        } else {
            out += ch;
        }
    }
    return out;
}

/// `url` with `pairs` (already form-encoded "k=v") appended to its query, fragment removed;
/// throws "Invalid URL" for anything but an absolute http(s) URL with a host.
std::string with_query(std::string_view url, const std::vector<std::string>& pairs) {
    const auto text = encode_loose_characters(url);
    const auto parsed = boost::urls::parse_uri(text);
    if (!parsed) {
        throw NodeFailure("Invalid URL");
    }
    boost::urls::url out(*parsed);
    const auto scheme = lower_ascii(std::string(out.scheme()));
    if ((scheme != "http" && scheme != "https") || out.encoded_host().empty()) {
        throw NodeFailure("Invalid URL");
    }
    out.remove_fragment();
    if (!pairs.empty()) {
        std::string query = out.has_query() ? std::string(out.encoded_query()) : std::string();
        for (const auto& pair : pairs) {
            if (!query.empty() && query.back() != '&') {
                query += '&';
            }
            query += pair;
        }
        out.set_encoded_query(query);
    }
    return std::string(out.buffer());
}

/// Sets a header, replacing an earlier one of the same name (compared case-insensitively).
void set_header(engine::OutboundHeaders& headers, std::string name, std::string value) {
    const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    });
    if (!token) {
        throw NodeFailure("Invalid header name '" + shorten(name, 100) + "'");
    }
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        throw NodeFailure("Invalid value for header '" + name + "'");
    }
    for (auto& [key, existing] : headers) {
        if (iequals(key, name)) {
            key = std::move(name);
            existing = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

void merge_headers(engine::OutboundHeaders& headers, const json::object& object) {
    for (const auto& [name, value] : object) {
        if (!value.is_null()) {
            set_header(headers, std::string(name), engine::to_text(value));
        }
    }
}

/// A credential piece of the `auth` input: present when truthy, as text.
std::string credential(const json::object& auth, std::string_view key) {
    const auto* value = auth.if_contains(key);
    return value != nullptr && engine::js_truthy(*value) ? engine::to_text(*value) : std::string();
}

/// Everything one attempt sends, and how the result reports it.
struct PreparedRequest {
    engine::OutboundRequest request;
    std::string display_url;  ///< with the params, without a credential in the query
};

PreparedRequest prepare(const ApiRequestSettings& s,
                        const engine::NodeInputs& inputs,
                        std::size_t max_response_bytes) {
    std::string url = s.url;
    if (const auto* input = inputs.get("url"); !is_empty(input)) {
        url = engine::to_text(*input);
    }
    url = js_trim(url);
    if (url.empty()) {
        throw NodeFailure("URL is required for API request");
    }

    std::vector<std::string> params;
    if (const auto* input = inputs.get("params"); input != nullptr && input->is_object()) {
        for (const auto& [key, value] : input->get_object()) {
            if (!value.is_null()) {
                params.push_back(form_urlencode(key) + "=" +
                                 form_urlencode(engine::to_text(value)));
            }
        }
    }

    PreparedRequest prepared;
    prepared.display_url = with_query(url, params);
    auto& request = prepared.request;
    request.method = s.method;
    request.timeout = s.timeout;
    request.max_response_bytes = max_response_bytes;
    request.follow_redirects = s.follow_redirects;
    set_header(request.headers, "User-Agent", std::string(kUserAgent));
    merge_headers(request.headers, s.headers);
    if (auto input = header_object(inputs.get("headers"))) {
        merge_headers(request.headers, *input);
    }

    const bool has_body_method = s.method == "POST" || s.method == "PUT" || s.method == "PATCH";
    const json::value* body = inputs.get("body");
    if (is_empty(body)) {
        body = s.body ? &*s.body : nullptr;
    }
    if (has_body_method && body != nullptr) {
        std::string content_type = s.content_type;
        if (s.content_type == "application/json") {
            request.body =
                body->is_string() ? std::string(body->get_string()) : util::to_json_text(*body);
        } else if (s.content_type == "application/x-www-form-urlencoded" && body->is_object()) {
            for (const auto& [key, value] : body->get_object()) {
                if (!value.is_null()) {
                    if (!request.body.empty()) {
                        request.body += '&';
                    }
                    request.body +=
                        form_urlencode(key) + "=" + form_urlencode(engine::to_text(value));
                }
            }
        } else if (s.content_type == "multipart/form-data") {
            if (!body->is_object()) {
                throw NodeFailure("Multipart form data requires an object");
            }
            std::vector<engine::MultipartPart> parts;
            for (const auto& [key, value] : body->get_object()) {
                if (!value.is_null()) {
                    parts.push_back({.name = std::string(key), .data = engine::to_text(value)});
                }
            }
            auto form = engine::build_multipart_form(parts);
            request.body = std::move(form.body);
            content_type = std::move(form.content_type);
        } else {
            request.body = engine::to_text(*body);
        }
        if (s.content_type != "custom") {
            set_header(request.headers, "Content-Type", std::move(content_type));
        }
    }

    if (s.auth != AuthType::kNone) {
        const auto* auth_input = inputs.get("auth");
        const json::object empty;
        const auto& auth =
            auth_input != nullptr && auth_input->is_object() ? auth_input->get_object() : empty;
        switch (s.auth) {
            case AuthType::kApiKey: {
                const auto key = credential(auth, "key");
                const auto value = credential(auth, "value");
                if (!key.empty() && !value.empty()) {
                    if (credential(auth, "location") == "header") {
                        set_header(request.headers, key, value);
                    } else {
                        params.push_back(form_urlencode(key) + "=" + form_urlencode(value));
                    }
                }
                break;
            }
            case AuthType::kBearer:
                if (const auto token = credential(auth, "token"); !token.empty()) {
                    set_header(request.headers, "Authorization", "Bearer " + token);
                }
                break;
            case AuthType::kBasic: {
                const auto user = credential(auth, "username");
                const auto password = credential(auth, "password");
                if (!user.empty() && !password.empty()) {
                    set_header(request.headers, "Authorization",
                               "Basic " + util::base64_encode(user + ":" + password));
                }
                break;
            }
            case AuthType::kCustom: {
                const auto name = credential(auth, "headerName");
                const auto value = credential(auth, "headerValue");
                if (!name.empty() && !value.empty()) {
                    set_header(request.headers, name, value);
                }
                break;
            }
            case AuthType::kNone:
                break;
        }
    }
    request.url = with_query(url, params);
    return prepared;
}

json::value parse_body(ResponseType type, const engine::OutboundResponse& response) {
    if (type == ResponseType::kBinary) {
        return json::string(util::base64_encode(response.body));
    }
    auto text = decode_utf8_lossy(response.body);
    const bool json_type =
        lower_ascii(header_value(response.headers, "Content-Type")).find("application/json") !=
        std::string::npos;
    if (type == ResponseType::kJson || (type == ResponseType::kAuto && json_type)) {
        if (auto parsed = parse_json(text)) {
            return std::move(*parsed);
        }
        return json::string(std::move(text));
    }
    if (type == ResponseType::kAuto) {
        const auto trimmed = js_trim(text);
        const bool looks_like_json =
            trimmed.size() >= 2 && ((trimmed.front() == '{' && trimmed.back() == '}') ||
                                    (trimmed.front() == '[' && trimmed.back() == ']'));
        if (looks_like_json) {
            if (auto parsed = parse_json(trimmed)) {
                return std::move(*parsed);
            }
        }
    }
    return json::string(std::move(text));
}

json::object response_headers(const engine::OutboundHeaders& headers) {
    json::object out;
    for (const auto& [name, value] : headers) {
        const auto key = lower_ascii(name);
        if (auto* existing = out.if_contains(key)) {
            auto joined = std::string(existing->get_string()) + ", " + value;
            *existing = joined;
        } else {
            out[key] = value;
        }
    }
    return out;
}

std::int64_t content_length(const engine::OutboundHeaders& headers) {
    const auto text = js_trim(header_value(headers, "Content-Length"));
    if (text.empty() ||
        !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return 0;
    }
    try {
        return std::stoll(text);
    } catch (const std::exception&) {
        return 0;
    }
}

/// One run of the node: the prepared request, tried up to 1 + retries times.
struct ApiCall {
    std::shared_ptr<const ApiRequestSettings> settings;
    NodeServicesPtr services;
    NodeRun* run = nullptr;
    PreparedRequest prepared;
    std::chrono::steady_clock::time_point started;
    int retries_done = 0;
};

void attempt(const std::shared_ptr<ApiCall>& call);

/// Waits and tries again while retries are left and the deadline allows, else fails.
void retry_or_fail(const std::shared_ptr<ApiCall>& call,
                   const std::string& error,
                   FailureKind kind) {
    auto& run = *call->run;
    const auto& s = *call->settings;
    if (call->retries_done < s.retries) {
        const auto delay = s.retry_delay * (std::int64_t{1} << call->retries_done);
        // A wait that cannot end before the deadline would only delay the same failure.
        if (std::chrono::steady_clock::now() + delay < run.context().deadline()) {
            run.context().info(s.node_id, "API request attempt " +
                                              std::to_string(call->retries_done + 1) + " failed (" +
                                              error + "); retrying in " +
                                              std::to_string(delay.count()) + " ms");
            wait_then(run, *call->services, delay, [call](bool elapsed) {
                if (!elapsed) {
                    throw NodeFailure("API request cancelled", FailureKind::kUpstream);
                }
                ++call->retries_done;
                attempt(call);
            });
            return;
        }
    }
    throw NodeFailure(
        "API request failed after " + std::to_string(call->retries_done) + " retries: " + error,
        kind);
}

json::value result_of(const ApiCall& call, engine::OutboundResponse response) {
    const auto& s = *call.settings;
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - call.started);
    json::object metadata{
        {"url", call.prepared.display_url},
        {"method", s.method},
        {"requestTime", elapsed.count()},
        {"retryCount", call.retries_done},
        {"contentType", header_value(response.headers, "Content-Type")},
        {"size", content_length(response.headers)},
        {"timestamp", util::iso8601_ms(util::now_ms())},
    };
    return json::object{
        {"data", parse_body(s.response_type, response)},
        {"status", response.status},
        {"statusText", status_text(response.status, response.reason)},
        {"headers", response_headers(response.headers)},
        {"success", is_success(response.status)},
        {"metadata", std::move(metadata)},
    };
}

void on_outcome(const std::shared_ptr<ApiCall>& call, engine::OutboundResult outcome) {
    if (auto* error = std::get_if<engine::OutboundError>(&outcome)) {
        switch (error->kind) {
            case engine::OutboundErrorKind::kPolicy:
                // The destination itself is not allowed: retrying cannot help.
                throw NodeFailure(error->message, FailureKind::kNode);
            case engine::OutboundErrorKind::kCancelled:
                throw NodeFailure("API request cancelled", FailureKind::kUpstream);
            case engine::OutboundErrorKind::kTooLarge:
                throw NodeFailure(
                    "API request failed: " + error->message + " (API_REQUEST_MAX_BYTES)",
                    FailureKind::kUpstream);
            default:
                retry_or_fail(call, error->message,
                              error->kind == engine::OutboundErrorKind::kTimeout
                                  ? FailureKind::kUpstreamTimeout
                                  : FailureKind::kUpstream);
                return;
        }
    }
    auto& response = std::get<engine::OutboundResponse>(outcome);
    if (call->settings->validate_status && !is_success(response.status)) {
        const auto error = "HTTP Error: " + std::to_string(response.status) + " " +
                           status_text(response.status, response.reason);
        if (response.status >= 500) {
            retry_or_fail(call, error, FailureKind::kUpstream);
            return;
        }
        throw NodeFailure("API request failed: " + error, FailureKind::kUpstream);
    }
    call->run->succeed(result_of(*call, std::move(response)));
}

void attempt(const std::shared_ptr<ApiCall>& call) {
    send_outbound(*call->run, *call->services, call->prepared.request,
                  [call](engine::OutboundResult outcome) { on_outcome(call, std::move(outcome)); });
}

class ApiRequestNode final : public engine::NodeInstance {
public:
    ApiRequestNode(NodeServicesPtr services, ApiRequestSettings settings)
        : services_(std::move(services)),
          settings_(std::make_shared<const ApiRequestSettings>(std::move(settings))) {}

    void start(NodeRun& run) const override {
        run_guarded(run, [&] {
            auto call = std::make_shared<ApiCall>();
            call->settings = settings_;
            call->services = services_;
            call->run = &run;
            call->started = std::chrono::steady_clock::now();
            call->prepared =
                prepare(*settings_, run.inputs(), services_->settings.api_request_max_bytes);
            attempt(call);
        });
    }

private:
    NodeServicesPtr services_;
    std::shared_ptr<const ApiRequestSettings> settings_;
};

}  // namespace

engine::NodeType api_request_node_type(const NodeServicesPtr& services) {
    return engine::NodeType{
        .type = "api-request",
        .aliases = {},
        .inputs = {{"url", "URL"},
                   {"body", "Request Body"},
                   {"headers", "Headers"},
                   {"params", "Query Params"},
                   {"auth", "Auth Data"}},
        .outputs = {{"data", "Response Data"},
                    {"status", "Status Code"},
                    {"headers", "Response Headers"},
                    {"success", "Success"},
                    {"metadata", "Metadata"}},
        .primary_output = "data",
        .create = [services](const engine::NodeDecl& decl,
                             engine::Diagnostics& diag) -> std::unique_ptr<engine::NodeInstance> {
            auto settings = parse_settings(decl, diag);
            if (!diag.ok()) {
                return nullptr;
            }
            warn_if_refused(*services, decl, settings.url, diag);
            return std::make_unique<ApiRequestNode>(services, std::move(settings));
        },
    };
}

}  // namespace clara::nodes
