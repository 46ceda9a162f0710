#include "api/routes.hpp"

#include "api/api_error.hpp"
#include "api/handlers.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace clara::api {
namespace {

using HandlerFunction = Awaitable (*)(AppContext&, http::Request&);

/// Turns a handler into a route handler: ApiError becomes its JSON error, a database failure a
/// 503; anything else reaches the server, which answers 500 and logs it.
http::Handler bind(AppContext& app, HandlerFunction function) {
    return [&app, function](http::Request& request) -> boost::asio::awaitable<http::Response> {
        try {
            co_return co_await function(app, request);
        } catch (const ApiError& error) {
            co_return error_response(error);
        } catch (const storage::StorageError& error) {
            spdlog::error("{} {}: database error: {}", request.method, request.path, error.what());
            co_return error_response(503, "Database unavailable",
                                     "The database did not answer; retry shortly");
        }
    };
}

}  // namespace

http::Router build_router(AppContext& app) {
    const http::RouteOptions small{.body_limit = 64 * 1024};
    const http::RouteOptions workflow_body{.body_limit = app.settings.max_workflow_size};
    const http::RouteOptions input_body{.body_limit = app.settings.max_input_size};

    http::Router router;
    router.add("GET", "/health", bind(app, handle_health), small);
    router.add("GET", "/api/info", bind(app, handle_info), small);
    router.add("POST", "/api/deploy", bind(app, handle_deploy), workflow_body);
    router.add("GET", "/api/deployments", bind(app, handle_list_deployments), small);
    router.add("GET", "/api/workflows/{slug}", bind(app, handle_get_workflow), small);
    router.add("GET", "/api/workflows/{slug}/schema", bind(app, handle_get_schema), small);
    router.add("POST", "/api/workflows/{slug}/execute", bind(app, handle_execute), input_body);
    router.add("GET", "/api/workflows/{slug}/executions", bind(app, handle_list_executions), small);
    router.add("DELETE", "/api/workflows/{id}", bind(app, handle_delete_workflow), small);
    router.add("POST", "/api/workflows/{id}/regenerate-key", bind(app, handle_regenerate_key), small);
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
