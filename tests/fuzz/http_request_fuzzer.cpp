// Raw bytes from a client socket, without the socket: Beast's request parser with the
// server's limits, then the server's target decoding and route lookup (http/server.cpp),
// then the Request accessors handlers use. Several pipelined requests may follow each other.

#include "http/message.hpp"
#include "http/request_target.hpp"
#include "http/router.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>

using namespace clara;
namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;     // ServerSettings::header_limit
constexpr std::size_t kSmallBody = 64 * 1024;        // api/routes.cpp
constexpr std::size_t kNoBody = 16 * 1024;           // web/web_routes.cpp
constexpr std::size_t kLargeBody = 10 * 1024 * 1024;  // Settings::max_input_size and friends
constexpr int kMaxMessages = 8;

/// The route shapes of api/routes.cpp and web/web_routes.cpp, with their body limits.
const http::Router& router() {
    static const http::Router table = [] {
        http::Handler handler = [](http::Request&) -> boost::asio::awaitable<http::Response> {
            co_return http::Response{};
        };
        struct Shape {
            const char* method;
            const char* pattern;
            std::size_t limit;
        };
        const Shape shapes[] = {
            {"GET", "/health", kSmallBody},
            {"GET", "/api/info", kSmallBody},
            {"POST", "/api/deploy", kLargeBody},
            {"GET", "/api/deployments", kSmallBody},
            {"GET", "/api/workflows/{slug}", kSmallBody},
            {"GET", "/api/workflows/{slug}/schema", kSmallBody},
            {"POST", "/api/workflows/{slug}/execute", kLargeBody},
            {"GET", "/api/workflows/{slug}/executions", kSmallBody},
            {"DELETE", "/api/workflows/{id}", kSmallBody},
            {"POST", "/api/workflows/{id}/regenerate-key", kSmallBody},
            {"OPTIONS", "/health", 1024 * 1024},
            {"OPTIONS", "/api/info", 1024 * 1024},
            {"OPTIONS", "/api/deploy", 1024 * 1024},
            {"OPTIONS", "/api/deployments", 1024 * 1024},
            {"OPTIONS", "/api/workflows/{slug}", 1024 * 1024},
            {"OPTIONS", "/api/workflows/{slug}/schema", 1024 * 1024},
            {"OPTIONS", "/api/workflows/{slug}/execute", 1024 * 1024},
            {"OPTIONS", "/api/workflows/{slug}/executions", 1024 * 1024},
            {"OPTIONS", "/api/workflows/{id}/regenerate-key", 1024 * 1024},
            {"GET", "/", kNoBody},
            {"GET", "/dashboard", kNoBody},
            {"GET", "/api/docs", kNoBody},
            {"GET", "/api/openapi.json", kNoBody},
            {"GET", "/api/workflows/{slug}/docs", kNoBody},
            {"GET", "/assets/swagger-ui/swagger-ui.css", kNoBody},
            {"GET", "/assets/swagger-ui/favicon-16x16.png", kNoBody},
        };
        http::Router built;
        for (const auto& shape : shapes) {
            built.add(shape.method, shape.pattern, handler, {.body_limit = shape.limit});
        }
        return built;
    }();
    return table;
}

std::string to_upper(std::string_view text) {
    std::string result(text);
    std::transform(result.begin(), result.end(), result.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return result;
}

/// Feeds `input` to `parser` until `stop()` holds or the input runs out; false on a parse error.
template <typename Stop>
bool feed(bhttp::request_parser<bhttp::string_body>& parser, std::string_view& input, Stop stop) {
    while (!stop()) {
        if (input.empty()) {
            // The peer closed: Beast reports a partial message unless the body ends at EOF.
            boost::beast::error_code ec;
            parser.put_eof(ec);
            return !ec && stop();
        }
        boost::beast::error_code ec;
        const std::size_t used = parser.put(boost::asio::buffer(input.data(), input.size()), ec);
        input.remove_prefix(used);
        if (ec == bhttp::error::need_more) {
            if (used == 0) {
                input = {};  // the rest is an incomplete piece the server would wait on
            }
            continue;
        }
        if (ec) {
            return false;
        }
    }
    return true;
}

/// One request as the server reads it; false when the connection would be closed.
bool serve_one(std::string_view& input) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(kHeaderLimit));
    parser.body_limit(boost::none);
    if (!feed(parser, input, [&] { return parser.is_header_done(); })) {
        return false;
    }

    auto& message = parser.get();
    http::Request request;
    request.method = to_upper(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    (void)message["X-Request-Id"];
    if (!http::parse_request_target(request.target, request)) {
        return false;
    }

    http::Router::Match match = router().match(request.method, request.path);
    if (!match.handler) {
        return false;  // 404/405 close the connection when a body may be pending
    }
    const std::size_t limit = match.options->body_limit;
    if (auto declared = parser.content_length(); declared && *declared > limit) {
        return false;
    }
    if (!parser.is_done()) {
        parser.body_limit(limit);
        if (!feed(parser, input, [&] { return parser.is_done(); })) {
            return false;
        }
    }
    request.body = std::move(message.body());
    request.params = std::move(match.params);

    // What handlers ask for.
    (void)request.header("Content-Type");
    (void)request.header("Authorization");
    (void)request.header("X-API-Key");
    (void)request.has_header("Origin");
    (void)request.query_param("limit");
    (void)request.query_param("offset");
    (void)request.query_param("status");
    (void)request.param("slug");
    (void)request.param("id");
    return message.keep_alive();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    for (int i = 0; i < kMaxMessages && !input.empty(); ++i) {
        if (!serve_one(input)) {
            break;
        }
    }
    return 0;
}
