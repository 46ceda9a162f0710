#pragma once

#include "http/message.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace clara::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;

/// Per-route settings the transport applies before the handler runs.
struct RouteOptions {
    std::size_t body_limit = 1024 * 1024;  ///< larger bodies get 413 while being read
};

/// Maps a method and a path template (`/api/workflows/{slug}/execute`) to a handler.
/// Built once at start, then read-only and shared by all sessions.
class Router {
public:
    /// Registers a route; `{name}` segments capture one path segment. Throws
    /// std::invalid_argument for an empty segment or a second route of the same shape and method.
    void add(std::string_view method, std::string_view pattern, Handler handler,
             RouteOptions options = {});

    struct Match {
        const Handler* handler = nullptr;  ///< null: no route for this method and path
        const RouteOptions* options = nullptr;
        std::vector<std::pair<std::string, std::string>> params;
        bool path_known = false;  ///< the path matched a route under another method (405)
        std::vector<std::string> allowed_methods;  ///< for the Allow header of a 405
    };

    /// Finds the route for `method` and a decoded `path`; a literal segment beats a `{param}`,
    /// a trailing slash is ignored, and HEAD falls back to the GET route.
    Match match(std::string_view method, std::string_view path) const;

private:
    struct Route {
        std::string method;
        std::vector<std::string> segments;  ///< "{name}" marks a parameter
        Handler handler;
        RouteOptions options;
    };
    std::vector<Route> routes_;
};

}  // namespace clara::http
