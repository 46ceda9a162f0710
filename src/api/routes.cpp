#include "api/routes.hpp"

#include "api/api_error.hpp"
#include "api/handlers.hpp"
#include "web/web_routes.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <spdlog/spdlog.h>

namespace clara::api {
namespace {

using HandlerFunction = Awaitable (*)(AppContext&, http::Request&);

/// Turns a handler into a route handler: ApiError becomes its JSON error, a database failure a
/// 503; anything else reaches the server, which answers 500 and logs it. CORS headers are added
/// to every answer.
http::Handler bind(AppContext& app, HandlerFunction function) {
    return [&app, function](http::Request& request) -> boost::asio::awaitable<http::Response> {
        http::Response response;
        try {
            response = co_await function(app, request);
        } catch (const ApiError& error) {
            response = error_response(error);
        } catch (const storage::StorageError& error) {
            spdlog::error("{} {}: database error: {}", request.method, request.path, error.what());
            response = error_response(503, "Database unavailable",
                                      "The database did not answer; retry shortly");
        }
        app.cors.apply(request, response);
        co_return response;
    };
}

struct Route {
    std::string_view method;
    std::string_view pattern;
    HandlerFunction handler;
    http::RouteOptions options;
};

/// The pattern with parameter names erased: `/a/{slug}` and `/a/{id}` are one path.
std::string path_shape(std::string_view pattern) {
    std::string shape;
    bool in_param = false;
    for (const char c : pattern) {
        if (c == '{') {
            in_param = true;
            shape += "{}";
        } else if (c == '}') {
            in_param = false;
        } else if (!in_param) {
            shape.push_back(c);
        }
    }
    return shape;
}

/// One OPTIONS route per path, answering CORS preflights with the path's methods.
void add_preflight_routes(http::Router& router, AppContext& app, const std::vector<Route>& routes) {
    std::vector<std::pair<std::string, std::string>> methods_by_shape;  // shape -> "GET, DELETE"
    std::vector<std::string_view> first_pattern;
    for (const auto& route : routes) {
        const auto shape = path_shape(route.pattern);
        auto it = std::find_if(methods_by_shape.begin(), methods_by_shape.end(),
                               [&](const auto& entry) { return entry.first == shape; });
        if (it == methods_by_shape.end()) {
            methods_by_shape.emplace_back(shape, std::string(route.method));
            first_pattern.push_back(route.pattern);
        } else {
            it->second += ", " + std::string(route.method);
        }
    }
    for (std::size_t i = 0; i < methods_by_shape.size(); ++i) {
        router.add("OPTIONS", first_pattern[i],
                   [&app, methods = methods_by_shape[i].second](
                       http::Request& request) -> boost::asio::awaitable<http::Response> {
                       co_return app.cors.preflight(request, methods);
                   });
    }
}

}  // namespace

http::Router build_router(AppContext& app) {
    const http::RouteOptions small{.body_limit = 64 * 1024};
    const http::RouteOptions workflow_body{.body_limit = app.settings.max_workflow_size};
    const http::RouteOptions input_body{.body_limit = app.settings.max_input_size};

    const std::vector<Route> routes{
        {"GET", "/health", handle_health, small},
        {"GET", "/api/info", handle_info, small},
        {"POST", "/api/deploy", handle_deploy, workflow_body},
        {"GET", "/api/deployments", handle_list_deployments, small},
        {"GET", "/api/workflows/{slug}", handle_get_workflow, small},
        {"GET", "/api/workflows/{slug}/schema", handle_get_schema, small},
        {"POST", "/api/workflows/{slug}/execute", handle_execute, input_body},
        {"GET", "/api/workflows/{slug}/executions", handle_list_executions, small},
        {"DELETE", "/api/workflows/{id}", handle_delete_workflow, small},
        {"POST", "/api/workflows/{id}/regenerate-key", handle_regenerate_key, small},
    };
    http::Router router;
    for (const auto& route : routes) {
        router.add(route.method, route.pattern, bind(app, route.handler), route.options);
    }
    add_preflight_routes(router, app, routes);
    web::add_web_routes(router, app);
    return router;
}

http::Response transport_error(unsigned status, std::string_view error, std::string_view message) {
    boost::json::object extra;
    if (status == 404) {
        extra["availableEndpoints"] = "/api/info";
    }
    return error_response(status, error, message, extra);
}

}  // namespace clara::api
